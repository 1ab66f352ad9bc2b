/**
 * Construct assertions for the search boundary: the domain's network placement, encryption, TLS,
 * logs, advanced options, retention and access policy; the capacity plan and its synth-time
 * ceiling; AwsSolutions (cdk-nag 3).
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformNetwork } from '../../../lib/blueprint/network';
import { TenantSearch, TenantSearchProps } from '../../../lib/boundaries/search/search';
import { MAX_DATA_NODES_PER_DOMAIN, planSearchCapacity, SearchCapacityError, SearchCapacityInput, tenantsFor } from '../../../lib/core/search-capacity';
import { PlatformStack } from '../../../lib/blueprint/platform-stack';
import { newTestApp, testBlueprint, testRegistry } from '../../helpers/app';

const { app, blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const platform = Template.fromStack(blueprint.platform);

describe('the OpenSearch domain', () => {
  test('VPC (isolated subnets, 2 AZs), dedicated masters, zone awareness, no standby (needs 3 AZs), gp3', () => {
    platform.hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainName: 'tib-search',
      EngineVersion: 'OpenSearch_2.19',
      VPCOptions: {
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('NetworkVpcdataSubnet1') }]),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SearchSecurityGroup'), 'GroupId'] }],
      },
      ClusterConfig: Match.objectLike({
        InstanceType: 'r7g.large.search',
        InstanceCount: 2,
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
        MultiAZWithStandbyEnabled: false,
      }),
      EBSOptions: Match.objectLike({ EBSEnabled: true, VolumeType: 'gp3', VolumeSize: 100 }),
    });
  });

  test('encryption at rest with a customer key, node-to-node, HTTPS only with a modern TLS policy', () => {
    platform.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: { Ref: Match.stringLikeRegexp('^SearchKey') } },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    });
    platform.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('OpenSearch') }, DeletionPolicy: 'Retain' });
  });

  test('explicit-index multi requests are off: _bulk/_mget/_msearch cannot name indexes in the body', () => {
    platform.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedOptions: Match.objectLike({ 'rest.action.multi.allow_explicit_index': 'false' }),
    });
  });

  test('slow search, slow index and application logs go to retained log groups; no audit logs without FGAC', () => {
    const domain = Object.values(platform.findResources('AWS::OpenSearchService::Domain'))[0];
    const logs = domain.Properties.LogPublishingOptions;
    expect(Object.keys(logs).sort()).toEqual(['ES_APPLICATION_LOGS', 'INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS']);
    for (const l of Object.values(logs) as Array<{ Enabled: boolean }>) expect(l.Enabled).toBe(true);
    platform.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    // No Lambda-backed custom resource for the log or access policy.
    expect(Object.keys(platform.findResources('Custom::OpenSearchAccessPolicy'))).toHaveLength(0);
    expect(Object.keys(platform.findResources('Custom::CloudwatchLogResourcePolicy'))).toHaveLength(0);
  });

  test('the domain and its log groups are retained on deletion', () => {
    platform.hasResource('AWS::OpenSearchService::Domain', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const g of Object.values(platform.findResources('AWS::Logs::LogGroup'))) expect(g.DeletionPolicy).toBe('Retain');
  });

  test('HTTPS reaches the domain only from the client security group', () => {
    platform.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SearchSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SearchClientSecurityGroup'), 'GroupId'] },
    });
  });

  test('the domain access policy grants nothing: Deny statements for TenantAccessRole only, no policy variables', () => {
    const domain = Object.values(platform.findResources('AWS::OpenSearchService::Domain'))[0];
    const statements = domain.Properties.AccessPolicies.Statement as Array<{ Effect: string }>;
    expect(statements.map((s) => s.Effect)).toEqual(['Deny', 'Deny']);
    expect(JSON.stringify(domain.Properties.AccessPolicies)).not.toContain('PrincipalTag');
  });

  test('search templates: denied to tenant sessions by default in both policies, allowed only when asked for', () => {
    const build = (allowSearchTemplates?: boolean) => {
      const stack = new Stack(newTestApp(), 'S');
      const search = new TenantSearch(stack, 'Search', {
        domainName: 'x-search',
        vpc: new PlatformNetwork(stack, 'Net').vpc,
        tenantCount: 3,
        allowSearchTemplates,
      });
      search.grantTenantAccess(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
      const json = JSON.stringify(Template.fromStack(stack).toJSON());
      return ['/_search/template*', '/_msearch/template*'].map((p) => json.split(`x-search/*${p}`).length - 1);
    };
    // once in the identity policy, once in the domain access policy
    expect(build()).toEqual([2, 2]);
    expect(build(true)).toEqual([0, 0]);
  });

  test('FGAC on: master user set and audit logs published', () => {
    const stack = new Stack(newTestApp(), 'S');
    const s = new TenantSearch(stack, 'Search', {
      domainName: 'x-search',
      vpc: new PlatformNetwork(stack, 'Net').vpc,
      tenantCount: 3,
      fineGrainedAccessControl: { masterUserArn: 'arn:aws:iam::111122223333:role/search-admin' },
    });
    s.grantTenantAccess(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedSecurityOptions: Match.objectLike({ Enabled: true, MasterUserOptions: { MasterUserARN: 'arn:aws:iam::111122223333:role/search-admin' } }),
      LogPublishingOptions: Match.objectLike({ AUDIT_LOGS: Match.objectLike({ Enabled: true }) }),
    });
    expect(s.capacity.dataNodes).toBe(2);
  });
});

describe('TenantAccessRole search policy', () => {
  test('one managed policy: allow own prefix (index itself included), deny everything else over HTTP, deny multi-target paths', () => {
    platform.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'OwnIndexes',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':domain/tib-search/tenant-${aws:PrincipalTag/TenantId}.*'])] },
          }),
          Match.objectLike({ Sid: 'DenyOutsideOwnIndexes', Effect: 'Deny', Action: 'es:ESHttp*', NotResource: Match.anyValue() }),
          Match.objectLike({ Sid: 'DenyMultiTargetPaths', Effect: 'Deny', Action: 'es:ESHttp*' }),
        ],
      },
    });
  });
});

describe('capacity: index per tenant is finite', () => {
  const defaults: SearchCapacityInput = {
    instanceType: 'r7g.large.search',
    indexesPerTenant: 1,
    primaryShardsPerIndex: 1,
    replicas: 1,
    reservePercent: 10,
    availabilityZones: 2,
  };

  test('default sizing figures: 8 GiB heap, 200 shards per node, 2 shards per tenant, 90 tenants per node, ceiling 7,200 per domain', () => {
    const plan = planSearchCapacity(defaults, 3);
    expect(plan).toEqual({ heapGiBPerDataNode: 8, shardsPerDataNode: 200, shardsPerTenant: 2, dataNodes: 2, tenantsAtThisSize: 180, tenantCeiling: 7200 });
    expect(tenantsFor(defaults, MAX_DATA_NODES_PER_DOMAIN)).toBe(7200);
  });

  test('data nodes grow with the registry in steps of the AZ count', () => {
    expect(planSearchCapacity(defaults, 180).dataNodes).toBe(2);
    expect(planSearchCapacity(defaults, 181).dataNodes).toBe(4);
    expect(planSearchCapacity(defaults, 1000).dataNodes).toBe(12);
    expect(planSearchCapacity(defaults, 7200).dataNodes).toBe(80);
  });

  test('the per-node shard cap of 1,000 binds on large heaps (32 GiB heap: 800; never above 1,000)', () => {
    expect(planSearchCapacity({ ...defaults, instanceType: 'r7g.4xlarge.search' }, 1).shardsPerDataNode).toBe(800);
    expect(planSearchCapacity({ ...defaults, instanceType: 'x', heapGiBPerDataNode: 64 }, 1).heapGiBPerDataNode).toBe(32);
  });

  test('above the ceiling, synth fails with the numbers and the way out', () => {
    expect(() => planSearchCapacity(defaults, 7201)).toThrow(SearchCapacityError);
    expect(() => planSearchCapacity(defaults, 7201)).toThrow(
      /7201 tenants would get search indexes, above the ceiling of one domain: 7200 tenants \(80 data nodes of r7g.large.search, 200 shards per node, 2 shards per tenant, 10% reserved\)/,
    );
  });

  test('bad inputs are all reported at once', () => {
    expect(() => planSearchCapacity({ ...defaults, indexesPerTenant: 0, replicas: -1, reservePercent: 100 }, 1)).toThrow(
      /indexesPerTenant must be an integer >= 1, got 0; replicas must be an integer >= 0, got -1; reservePercent must be in \[0, 100\), got 100/,
    );
    expect(() => planSearchCapacity({ ...defaults, instanceType: 'z9.mega.search' }, 1)).toThrow(
      /unknown data node instance type "z9.mega.search": pass heapGiBPerDataNode/,
    );
  });

  const searchIn = (props: Partial<TenantSearchProps>) => {
    const stack = new Stack(newTestApp(), 'S');
    return () =>
      new TenantSearch(stack, 'Search', {
        domainName: 'x-search',
        vpc: new PlatformNetwork(stack, 'Net').vpc,
        tenantCount: 3,
        ...props,
      });
  };

  test('the construct enforces the ceiling at synth, naming its path', () => {
    expect(searchIn({ tenantCount: 7201 })).toThrow(/^S\/Search: 7201 tenants would get search indexes, above the ceiling of one domain: 7200 tenants/);
    expect(searchIn({ tenantCount: 800, indexesPerTenant: 10 })).toThrow(/S\/Search: 800 tenants would get search indexes, above the ceiling of one domain: 720 tenants/);
  });

  test('pinned data nodes must hold the tenants and be a multiple of the AZ count', () => {
    expect(searchIn({ tenantCount: 200, dataNodes: 2 })).toThrow(/S\/Search: dataNodes 2 hold fewer than the 200 tenants that get indexes; 4 data nodes are needed/);
    expect(searchIn({ dataNodes: 3 })).toThrow(/S\/Search: dataNodes 3 must be a positive multiple of 2/);
    expect(searchIn({ dataNodes: 6 })().capacity).toMatchObject({ dataNodes: 6, tenantsAtThisSize: 540 });
  });

  test('bad domain names fail at synth', () => {
    expect(searchIn({ domainName: 'Search_Domain' })).toThrow(/S\/Search: invalid props \(1\):\n {2}- domainName: "Search_Domain" — must be 3-28/);
  });

  test('the whole platform counts every registry tenant (retired ones keep their indexes)', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `tenant-${String(i).padStart(4, '0')}`);
    // 1,000 tenants need raised ElastiCache quotas (1,000 users per Region by default).
    const app = newTestApp({ context: { elasticacheQuotas: { users: 2000, userGroups: 100 } } });
    const stack = new PlatformStack(app, 'Platform', { qualifier: 'tib', tenants: testRegistry(ids).tenants });
    expect(stack.search.capacity.dataNodes).toBe(12);
    Template.fromStack(stack).hasResourceProperties('AWS::OpenSearchService::Domain', { ClusterConfig: Match.objectLike({ InstanceCount: 12 }) });
  });
});

describe('AwsSolutions (cdk-nag 3) on the search boundary', () => {
  test('no unacknowledged finding under Platform/Search, and the one acknowledgement is the tenant-scoped wildcard', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const mine = report.violations.filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').startsWith('Platform/Search/')));
    expect(mine.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    expect(Object.keys(platform.findResources('AWS::OpenSearchService::Domain'))).toHaveLength(1);
  });

  test('the check is live: the same statement in an unacknowledged policy is reported under the acknowledged id', () => {
    const stack = new Stack(newTestApp(), 'Bare');
    const statement = blueprint.platform.search.accessPolicy.document.toJSON().Statement[0];
    new iam.ManagedPolicy(stack, 'Bare', { document: iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: [statement] }) });
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:es:<AWS::Region>:<AWS::AccountId>:domain/tib-search/tenant-<aws:PrincipalTag/TenantId>.*]',
    );
  });
});
