/**
 * The cache boundary: ElastiCache for Valkey, one RBAC user per tenant, tenants placed in cells.
 *
 * A cache key built from a record id alone serves one tenant's data to another. Here the cache
 * itself refuses: each tenant authenticates as its own ElastiCache user, whose access string
 * (lib/core/cache-acl.ts) allows an explicit list of data commands on keys and channels under
 * `tenant:<id>:` only, and no command that ignores key patterns (SCAN, KEYS, FLUSHALL, ...).
 *
 * Why serverless (docs/cache.md): encryption in transit and at rest is always on, RBAC is its
 * only access control (no AUTH-token fallback to misconfigure), there are no nodes to size per
 * cell, and a cell costs what its tenants use. One serverless cache takes one user group, so a
 * cell = one cache + one user group of at most 100 users, `default` included (99 tenants).
 *
 * Pool tenants share numbered cells (`placement.cacheCell` in the registry, lib/core/placement.ts);
 * each silo tenant gets a dedicated cell with its own KMS key. Bad placements fail at synth.
 */
import { Aws, Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { cacheCellProblems, CACHE_CELL_CAPACITY, ELASTICACHE_QUOTAS, needsSharedCell, tenantsByCell } from '../../core/placement';
import { hashedTenantLabel, PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { TenantEntry } from '../../core/registry';
import { TenantId } from '../../core/tenant-id';
import { isTier, Tier } from '../../core/tier';
import { PropProblems, TenantIdInput, throwValidationError } from '../validation';
import { fenceKeyFromTenantSessions } from '../identity/tenant-session-fence';
import { CacheAuthentication, CacheCell, cacheNames } from './cache-cell';
import { acknowledgeFindings } from '../../nag/acknowledge';

/** Port of a serverless cache's endpoint (its reader endpoint listens on 6380). */
export const CACHE_PORT = 6379;
export const CACHE_READER_PORT = 6380;

/** One tenant of the cache: its id and where its user lives. */
export interface CacheTenant {
  /** The tenant id (TenantId rules: lib/core/tenant-id.ts). */
  readonly id: TenantIdInput;
  /**
   * `pool` tenants share a numbered cell; a `silo` tenant gets a dedicated cache and KMS key.
   * @default 'pool'
   */
  readonly tier?: Tier;
  /**
   * The shared cell of a pool tenant. Required for pool tenants and fixed once deployed: moving a
   * tenant re-creates its user (`placeTenantsInCacheCells` in lib/core/placement.ts assigns cells).
   */
  readonly cacheCell?: number;
  /**
   * A retired (offboarded) tenant keeps its user and seat, switched off (`off`), so its data and
   * placement survive; it authenticates nowhere.
   * @default false
   */
  readonly retired?: boolean;
}

export interface TenantCacheProps {
  /** Deployment qualifier (names.ts); prefixes user ids, cell names, secret and parameter names. */
  readonly qualifier: string;
  /** Every tenant with a cache user, active and retired. */
  readonly tenants: readonly CacheTenant[];
  /** The VPC the caches' endpoints are placed in. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of `vpc` for the cache endpoints.
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * How tenant users authenticate: `password` (generated into Secrets Manager, one secret per
   * tenant) or `iam` (15-minute SigV4 tokens; Valkey 7.2+; `elasticache:Connect`).
   * @default 'password'
   */
  readonly authentication?: CacheAuthentication;
  /**
   * Valkey major version of the serverless caches.
   * @default '8'
   */
  readonly majorEngineVersion?: string;
  /**
   * Tenants per shared cell. At most 99 (100 users per user group, `default` included).
   * @default 99
   */
  readonly cellCapacity?: number;
  /**
   * ElastiCache quotas of the target account and Region, if raised through Service Quotas.
   * @default { userGroups: 100, users: 1000 }
   */
  readonly quotas?: { readonly userGroups: number; readonly users: number };
}

export class TenantCache extends Construct {
  /** Encrypts every shared cell at rest. Silo cells have their own key (see `cells`). */
  public readonly key: kms.Key;
  /** Attached to every cache. No ingress until `allowFrom` is called. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Cells by name: shared cells `<q>-cache-<n>`, silo cells `<q>-cache-s<hash>`. */
  public readonly cells = new Map<string, CacheCell>();
  public readonly authentication: CacheAuthentication;
  private readonly qualifier: string;
  private readonly cellOfTenant = new Map<string, CacheCell>();

  constructor(scope: Construct, id: string, props: TenantCacheProps) {
    super(scope, id);
    const q = props.qualifier;
    this.qualifier = q;
    this.authentication = props.authentication ?? 'password';
    const capacity = props.cellCapacity ?? CACHE_CELL_CAPACITY;
    const problems = new PropProblems(this);
    problems.check(['password', 'iam'].includes(this.authentication), 'authentication', props.authentication, '"password" or "iam"');
    problems.check(
      Number.isInteger(capacity) && capacity >= 1 && capacity <= CACHE_CELL_CAPACITY,
      'cellCapacity',
      capacity,
      `an integer from 1 to ${CACHE_CELL_CAPACITY}`,
    );
    const quotas = props.quotas ?? ELASTICACHE_QUOTAS;
    for (const [name, value] of Object.entries({ users: quotas.users, userGroups: quotas.userGroups })) {
      problems.check(Number.isInteger(value) && value >= 1, `quotas.${name}`, value, 'a positive integer');
    }
    const tenants = cacheTenantEntries(props.tenants, problems);
    problems.throwIfAny();
    const placement = cacheCellProblems(tenants, capacity, quotas);
    placement.forEach((p) => problems.addMessage('tenants', `invalid cache placement: ${p}`));
    problems.throwIfAny();
    const majorEngineVersion = props.majorEngineVersion ?? '8';

    this.key = new kms.Key(this, 'Key', {
      description: 'Tenant cache cells (ElastiCache serverless at-rest encryption)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // Tenants authenticate to the cache, never to its key (ElastiCache encrypts at rest itself).
    fenceKeyFromTenantSessions(this.key);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Tenant cache cells: ingress only from application security groups (allowFrom)',
      allowAllOutbound: false,
    });
    const subnetIds = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds;

    const common = {
      qualifier: q,
      subnetIds,
      securityGroupId: this.securityGroup.securityGroupId,
      authentication: this.authentication,
      majorEngineVersion,
    };
    for (const [cell, members] of tenantsByCell(tenants)) {
      const cellName = `${q}-cache-${cell}`;
      const nested = new CacheCell(this, `Cell${cell}`, {
        ...common,
        cellName,
        tenants: members,
        key: this.key,
        description: `Tenant isolation blueprint: shared cache cell ${cell}`,
      });
      Tags.of(nested).add('tenant-isolation:cache-cell', String(cell));
      this.addCell(cellName, nested, members);
    }
    for (const tenant of tenants.filter((t) => !needsSharedCell(t))) {
      // No tenant name in the cache name: it becomes part of the endpoint's public DNS name.
      const cellName = `${q}-cache-s${hashedTenantLabel(tenant.id)}`;
      const siloKey = new kms.Key(this, `SiloKey-${tenant.id.value}`, {
        description: `Dedicated cache of silo tenant ${tenant.id.value} (ElastiCache at-rest encryption)`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
      });
      Tags.of(siloKey).add(TENANT_TAG_KEY, tenant.id.value);
      fenceKeyFromTenantSessions(siloKey);
      const nested = new CacheCell(this, `Silo-${tenant.id.value}`, {
        ...common,
        cellName,
        tenants: [tenant],
        dedicatedTo: tenant.id,
        key: siloKey,
        description: `Tenant isolation blueprint: dedicated cache of silo tenant ${tenant.id.value}`,
      });
      Tags.of(nested).add(TENANT_TAG_KEY, tenant.id.value);
      this.addCell(cellName, nested, [tenant]);
    }
  }

  private addCell(cellName: string, cell: CacheCell, members: readonly TenantEntry[]): void {
    this.cells.set(cellName, cell);
    for (const t of members) this.cellOfTenant.set(t.id.value, cell);
  }

  /** The cell that holds `tenant`'s user. */
  public cellOf(tenant: TenantId): CacheCell {
    const cell = this.cellOfTenant.get(tenant.value);
    if (!cell) throwValidationError(this, `${this.node.path}: tenant "${tenant.value}" has no cache cell`);
    return cell;
  }

  /** Opens the cache ports to an application's security group. */
  public allowFrom(peer: ec2.IConnectable): void {
    for (const port of [CACHE_PORT, CACHE_READER_PORT]) {
      this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(port), `cache endpoint ${port}`);
    }
  }

  /**
   * Lets a TenantAccessRole session reach its own tenant's cache credentials and endpoint, and
   * nobody else's: every resource names `${aws:PrincipalTag/TenantId}` followed by a delimiter
   * (`/` in names, end of ARN for users), so `acme` matches neither `acme-corp`'s secret nor its user.
   * A managed policy, so its size does not grow with tenants.
   */
  public grantTenantAccess(role: iam.IRole): iam.ManagedPolicy {
    const q = this.qualifier;
    const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'TenantCacheEndpoint',
        actions: ['ssm:GetParameter'],
        resources: [arn('ssm', `parameter${cacheNames.tenantParameter(q, PRINCIPAL_TENANT)}`)],
      }),
    ];
    if (this.authentication === 'password') {
      statements.push(
        new iam.PolicyStatement({
          sid: 'TenantCacheCredentials',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          // Secrets Manager appends `-` and six random characters to the name in the ARN.
          resources: [arn('secretsmanager', `secret:${cacheNames.tenantSecret(q, PRINCIPAL_TENANT)}-??????`)],
          // and the secret's own TenantId tag must match too (a secret renamed or copied keeps its tag).
          conditions: { StringEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: PRINCIPAL_TENANT } },
        }),
      );
    } else {
      // IAM authentication (ElastiCache User Guide, auth-iam): elasticache:Connect on the cache
      // and on the user. The user ARN ends with the tenant id, so the session can mint a token
      // for its own user only; a token for another cell's cache fails AUTH there because the
      // user is not in that cell's user group.
      statements.push(
        new iam.PolicyStatement({
          sid: 'TenantCacheConnectUser',
          actions: ['elasticache:Connect'],
          resources: [arn('elasticache', `user:${cacheNames.tenantUserPattern(q, PRINCIPAL_TENANT)}`)],
        }),
        new iam.PolicyStatement({
          sid: 'TenantCacheConnectCache',
          actions: ['elasticache:Connect'],
          // One pattern rather than one ARN per cell: a managed policy holds 6,144 characters.
          resources: [arn('elasticache', `serverlesscache:${q}-cache-*`)],
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, 'TenantCacheAccess', {
      description: 'Tenant cache: each session reaches only its own cache endpoint and credentials (${aws:PrincipalTag/TenantId})',
      statements,
    });
    role.addManagedPolicy(policy);
    if (this.authentication === 'iam') {
      acknowledgeFindings(policy, [
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticache:<AWS::Region>:<AWS::AccountId>:serverlesscache:${q}-cache-*]`,
          reason:
            "Connect to any of the blueprint's cache cells: a tenant can only authenticate where its own user is a member " +
            '(the user ARN statement names the tenant exactly), and one pattern keeps the policy size flat as cells are added.',
        },
      ]);
    }
    return policy;
  }
}

/** The construct's tenants as the placement model's entries; every bad id or tier is a problem. */
function cacheTenantEntries(tenants: readonly CacheTenant[], problems: PropProblems): TenantEntry[] {
  const entries: TenantEntry[] = [];
  tenants.forEach((t, i) => {
    const id = problems.tenantId(`tenants[${i}].id`, t.id);
    const tier = t.tier ?? 'pool';
    problems.check(isTier(tier), `tenants[${i}].tier`, t.tier, '"pool" or "silo"');
    if (t.cacheCell !== undefined) {
      problems.check(Number.isInteger(t.cacheCell) && t.cacheCell >= 0, `tenants[${i}].cacheCell`, t.cacheCell, 'a non-negative integer');
    }
    if (!id || !isTier(tier)) return;
    entries.push({
      id,
      tier,
      status: t.retired ? 'retired' : 'active',
      placement: t.cacheCell === undefined ? undefined : { cacheCell: t.cacheCell },
    });
  });
  return entries;
}

export { cacheNames, CacheCell };
export type { CacheAuthentication };
