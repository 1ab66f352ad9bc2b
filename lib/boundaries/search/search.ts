/**
 * The search boundary: one OpenSearch Service domain, one index prefix per tenant.
 *
 * Tenant `<id>` owns every index named `tenant-<id>.<name>` (namespace.ts `indexPrefix`).
 * TenantAccessRole's identity policy (one managed policy, tenant-count independent) allows the
 * HTTP verbs on `domain/<d>/tenant-${aws:PrincipalTag/TenantId}.*` only. That pattern covers the
 * index itself (`tenant-acme.x`, needed to create it and read its mappings) and everything below
 * it (`tenant-acme.x/_search`, `tenant-acme.x/_doc/1`), and never another tenant's index: the `.`
 * delimiter is outside the TenantId alphabet, so `tenant-acme.` is not a prefix of `tenant-acme-corp.`.
 * Cross-index paths (`_all`, `*`, `_search` at the root, `_cat`, `_cluster`, `_msearch` without an
 * index, `tenant-*`) are outside that pattern and are also explicitly denied.
 *
 * Policy variables and OpenSearch: the Developer Guide (ac, "Policy element reference") says
 * OpenSearch Service does not support the `aws:PrincipalTag` condition key. The design therefore
 * does not depend on it for isolation: every use of the variable fails CLOSED when the key is
 * missing (an Allow naming it matches nothing; a Deny with `NotResource` naming it, or the role's
 * `Null` Deny, then denies everything). The domain access policy uses no variables at all. What
 * depends on the unverified fact is availability: if the key is absent for OpenSearch requests,
 * tenant sessions are denied everything; docs/search.md gives the smoke test and the fallback.
 *
 * Fine-grained access control (FGAC) would map the one ABAC role to one backend role, which
 * cannot tell its tenants apart, so it is off by default; pass `fineGrainedAccessControl` to turn
 * it on (it is what enables audit logs).
 */
import { Aws, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { INDEX_ROOT, indexPrefix, PRINCIPAL_TENANT } from '../../core/namespace';
import { planSearchCapacity, SearchCapacityError, SearchCapacityInput, SearchCapacityPlan, tenantsFor } from '../../core/search-capacity';
import { SEARCH_TEMPLATE_PATHS, TENANT_FORBIDDEN_PATHS, TENANT_SEARCH_ACTIONS } from '../../core/search-paths';
import { acknowledgeFindings } from '../../nag/acknowledge';
import { fenceKeyFromTenantSessions } from '../identity/tenant-session-fence';
import { PropProblems, throwValidationError } from '../validation';

export interface TenantSearchProps {
  /** Fixed domain name (3-28 of a-z, 0-9, -; starts with a letter): policies name it without a cycle. */
  readonly domainName: string;
  /** The VPC the domain's endpoints are placed in (two availability zones). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of `vpc` for the domain (one per availability zone used).
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Tenants that get indexes in this domain (active and retired: retired tenants' indexes are kept). */
  readonly tenantCount: number;
  /** @default 'r7g.large.search' */
  readonly dataNodeInstanceType?: string;
  /**
   * JVM heap per data node, for instance types the capacity plan does not know.
   * @default half the instance memory, at most 32 GiB
   */
  readonly heapGiBPerDataNode?: number;
  /**
   * Data nodes. Must hold `tenantCount` tenants.
   * @default the smallest multiple of the AZ count that holds `tenantCount` tenants
   */
  readonly dataNodes?: number;
  /** @default 1 */
  readonly indexesPerTenant?: number;
  /** @default 1 */
  readonly primaryShardsPerIndex?: number;
  /** @default 1 */
  readonly replicas?: number;
  /** Share of the shard budget kept for system indexes and growth. @default 10 */
  readonly reservePercent?: number;
  /** @default 'm7g.large.search' (3 dedicated master nodes) */
  readonly masterNodeInstanceType?: string;
  /** EBS gp3 volume per data node, GiB. @default 100 */
  readonly volumeGiB?: number;
  /**
   * Turn on fine-grained access control with this IAM master user (an operator role, never a
   * tenant role); also turns on audit logs.
   * @default FGAC off, no audit logs
   */
  readonly fineGrainedAccessControl?: { readonly masterUserArn: string };
  /**
   * Let tenant sessions call `_search/template` and `_msearch/template` on their own indexes. A
   * template's query is a string the server renders, which IAM cannot read; only
   * `TenantSearchClient` checks it (it refuses what it cannot verify). Turn this on only when every
   * search request goes through that client.
   * @default false: IAM denies the template endpoints to tenant sessions
   */
  readonly allowSearchTemplates?: boolean;
}

/** Availability zones the domain spans: the platform VPC has two. */
const AZ_COUNT = 2;

export class TenantSearch extends Construct {
  public readonly domain: opensearch.Domain;
  public readonly key: kms.Key;
  public readonly securityGroup: ec2.SecurityGroup;
  /** Attach to the compute that calls the domain (application, workers): the only HTTPS source allowed in. */
  public readonly clientSecurityGroup: ec2.SecurityGroup;
  /** The tenant roles granted with `grantTenantAccess`; the domain policy fences each of them. */
  private readonly tenantRoles: iam.IRole[] = [];
  private tenantAccessPolicy?: iam.ManagedPolicy;
  public readonly capacity: SearchCapacityPlan;
  /** `arn:...:es:<region>:<account>:domain/<name>` */
  public readonly domainArn: string;
  public readonly domainName: string;
  /** Paths denied to every tenant session (multi-target, encoded, alias-planting, and templates unless allowed). */
  private readonly forbiddenPathArns: string[];

  constructor(scope: Construct, id: string, props: TenantSearchProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    problems.check(/^[a-z][a-z0-9-]{2,27}$/.test(props.domainName), 'domainName', props.domainName, '3-28 of a-z, 0-9 and -, starting with a letter');
    problems.throwIfAny();
    const input: SearchCapacityInput = {
      instanceType: props.dataNodeInstanceType ?? 'r7g.large.search',
      heapGiBPerDataNode: props.heapGiBPerDataNode,
      indexesPerTenant: props.indexesPerTenant ?? 1,
      primaryShardsPerIndex: props.primaryShardsPerIndex ?? 1,
      replicas: props.replicas ?? 1,
      reservePercent: props.reservePercent ?? 10,
      availabilityZones: AZ_COUNT,
    };
    this.capacity = this.plan(input, props);
    this.domainName = props.domainName;
    this.domainArn = `arn:${Aws.PARTITION}:es:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/${props.domainName}`;

    this.key = new kms.Key(this, 'Key', {
      description: 'OpenSearch domain encryption at rest (tenant indexes)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Tenant sessions reach their indexes over HTTPS; the domain's key is the service's alone.
    fenceKeyFromTenantSessions(this.key);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'OpenSearch domain: HTTPS from the search client security group only',
      allowAllOutbound: false,
    });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      description: 'Attach to compute that calls the OpenSearch domain',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(443), 'HTTPS from search clients');
    this.clientSecurityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS to the search domain');

    const logGroup = (name: string) => new logs.LogGroup(this, name, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const slowSearch = logGroup('SlowSearchLogs');
    const slowIndex = logGroup('SlowIndexLogs');
    const app = logGroup('AppLogs');
    const audit = props.fineGrainedAccessControl ? logGroup('AuditLogs') : undefined;
    // A native AWS::Logs::ResourcePolicy instead of the Domain's custom resource (no Lambda).
    new logs.ResourcePolicy(this, 'LogsResourcePolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          resources: [slowSearch, slowIndex, app, ...(audit ? [audit] : [])].map((g) => g.logGroupArn),
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      ],
    });

    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: props.domainName,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      securityGroups: [this.securityGroup],
      zoneAwareness: { enabled: true, availabilityZoneCount: AZ_COUNT },
      capacity: {
        dataNodes: this.capacity.dataNodes,
        dataNodeInstanceType: input.instanceType,
        masterNodes: 3,
        masterNodeInstanceType: props.masterNodeInstanceType ?? 'm7g.large.search',
        // Multi-AZ with standby needs three AZs; the platform VPC has two.
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: props.volumeGiB ?? 100, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: this.key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndex,
        appLogEnabled: true,
        appLogGroup: app,
        ...(audit ? { auditLogEnabled: true, auditLogGroup: audit } : {}),
      },
      suppressLogsResourcePolicy: true,
      fineGrainedAccessControl: props.fineGrainedAccessControl ? { masterUserArn: props.fineGrainedAccessControl.masterUserArn } : undefined,
      // _bulk, _mget and _msearch must not name indexes in the body (Developer Guide, ac: advanced options).
      advancedOptions: { 'rest.action.multi.allow_explicit_index': 'false' },
      removalPolicy: RemovalPolicy.RETAIN,
      enableAutoSoftwareUpdate: true,
    });

    // The domain access policy, set on the L1: the L2's `accessPolicies` adds a custom resource
    // (a Lambda). The domain name is fixed, so its ARN needs no reference to the domain. It grants
    // nothing; it only repeats, without policy variables, what no tenant session may do. Its
    // principals are the roles given to `grantTenantAccess`, known once the tree is built.
    const forbidden = [...TENANT_FORBIDDEN_PATHS, ...(props.allowSearchTemplates ? [] : SEARCH_TEMPLATE_PATHS)];
    this.forbiddenPathArns = forbidden.map((p) => `${this.domainArn}/${p}`);
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = Lazy.any({
      produce: () => (this.tenantRoles.length === 0 ? undefined : this.domainAccessPolicy()),
    });
  }

  /**
   * The managed policy granted to tenant roles by `grantTenantAccess`.
   * @throws when no role has been granted yet
   */
  public get accessPolicy(): iam.ManagedPolicy {
    if (!this.tenantAccessPolicy) throwValidationError(this, `${this.node.path}: no tenant role granted yet (call grantTenantAccess)`);
    return this.tenantAccessPolicy;
  }

  private domainAccessPolicy(): object {
    const principal = { AWS: this.tenantRoles.length === 1 ? this.tenantRoles[0].roleArn : this.tenantRoles.map((r) => r.roleArn) };
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyTenantSessionsOutsideTenantIndexShape',
          Effect: 'Deny',
          Principal: principal,
          Action: 'es:ESHttp*',
          // `tenant-<something>.<something>` only: also refuses `tenant-*`, `tenant-acme*` and
          // `tenant-acme` (no delimiter). A literal `*` inside that shape (`tenant-*.x`) cannot be
          // told apart here (IAM has no escape for `*`); the identity policy refuses it.
          NotResource: `${this.domainArn}/${INDEX_ROOT}*.*`,
        },
        {
          Sid: 'DenyTenantSessionsMultiTargetPaths',
          Effect: 'Deny',
          Principal: principal,
          Action: 'es:ESHttp*',
          Resource: this.forbiddenPathArns,
        },
      ],
    };
  }

  /** `arn:...:domain/<d>/tenant-${aws:PrincipalTag/TenantId}.*`: the session's own indexes, themselves included. */
  public get ownIndexesArn(): string {
    return `${this.domainArn}/${indexPrefix(PRINCIPAL_TENANT)}*`;
  }

  /**
   * Lets sessions of `role` (a tenant ABAC role, tagged `TenantId`) reach only their own tenant's
   * indexes, and fences the role in the domain policy too. The managed policy is created once and
   * attached to every granted role; its size does not grow with tenants.
   */
  public grantTenantAccess(role: iam.IRole): iam.ManagedPolicy {
    this.tenantRoles.push(role);
    if (this.tenantAccessPolicy) {
      role.addManagedPolicy(this.tenantAccessPolicy);
      return this.tenantAccessPolicy;
    }
    const policy = new iam.ManagedPolicy(this, 'TenantSearchAccess', {
      description: 'Search: each session reaches only indexes named tenant-${aws:PrincipalTag/TenantId}.<name>',
      statements: [
        new iam.PolicyStatement({
          sid: 'OwnIndexes',
          actions: [...TENANT_SEARCH_ACTIONS],
          resources: [this.ownIndexesArn],
        }),
        new iam.PolicyStatement({
          // Everything else over HTTP, in this domain and any other: root paths, other prefixes,
          // index patterns such as `tenant-*`. With the tag absent, NotResource matches nothing
          // and the Deny covers everything (fails closed).
          sid: 'DenyOutsideOwnIndexes',
          effect: iam.Effect.DENY,
          actions: ['es:ESHttp*'],
          notResources: [this.ownIndexesArn],
        }),
        new iam.PolicyStatement({
          sid: 'DenyMultiTargetPaths',
          effect: iam.Effect.DENY,
          actions: ['es:ESHttp*'],
          resources: [...this.forbiddenPathArns],
        }),
      ],
    });
    role.addManagedPolicy(policy);
    this.tenantAccessPolicy = policy;
    acknowledgeFindings(policy, [
      {
        // cdk-nag writes the policy variable as <aws:PrincipalTag/TenantId>.
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:es:<AWS::Region>:<AWS::AccountId>:domain/${this.domainName}/${INDEX_ROOT}<aws:PrincipalTag/TenantId>.*]`,
        reason:
          "Tenant-scoped ABAC: the wildcard follows the delimiter in tenant-${aws:PrincipalTag/TenantId}.* so it covers only the session tenant's own indexes (attack-tested in test/search)",
      },
    ]);
    return policy;
  }

  private plan(input: SearchCapacityInput, props: TenantSearchProps): SearchCapacityPlan {
    try {
      const plan = planSearchCapacity(input, props.tenantCount);
      if (props.dataNodes === undefined) return plan;
      if (!Number.isInteger(props.dataNodes) || props.dataNodes < AZ_COUNT || props.dataNodes % AZ_COUNT !== 0) {
        throw new SearchCapacityError(`dataNodes ${props.dataNodes} must be a positive multiple of ${AZ_COUNT} (one per availability zone)`);
      }
      if (props.dataNodes < plan.dataNodes) {
        throw new SearchCapacityError(
          `dataNodes ${props.dataNodes} hold fewer than the ${props.tenantCount} tenants that get indexes; ` +
            `${plan.dataNodes} data nodes are needed (ceiling of one domain: ${plan.tenantCeiling} tenants)`,
        );
      }
      return { ...plan, dataNodes: props.dataNodes, tenantsAtThisSize: tenantsFor(input, props.dataNodes) };
    } catch (e) {
      if (e instanceof SearchCapacityError) throwValidationError(this, `${this.node.path}: ${e.message}`);
      throw e;
    }
  }
}
