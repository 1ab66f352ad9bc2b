/**
 * The audit classifies CloudFront resources (distributions, distribution tenants, cache policies,
 * key groups): platform when no tenant-facing principal reaches them, tenant-owned in a tenant's
 * stack; and a tenant session that may change another tenant's distribution tenant is a finding.
 */
import { runAudit } from '../../lib/audit/audit';
import { Finding } from '../../lib/audit/findings';
import { abacRole, FixtureStack, poolBucket, SCOPED_POOL_STATEMENTS, TAG, tmpDir, writeAssembly } from './fixtures/assembly-builder';

const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');

const cdn = (): FixtureStack['resources'] => ({
  CachePolicy: {
    Type: 'AWS::CloudFront::CachePolicy',
    Properties: {
      CachePolicyConfig: {
        Name: 'tenant-path',
        MinTTL: 0,
        DefaultTTL: 3600,
        MaxTTL: 86400,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: true,
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      },
    },
  },
  KeyGroup: { Type: 'AWS::CloudFront::KeyGroup', Properties: { KeyGroupConfig: { Name: 'signers', Items: ['K2JCJMDEHXQW5F'] } } },
  Distribution: {
    Type: 'AWS::CloudFront::Distribution',
    Properties: {
      DistributionConfig: {
        Enabled: true,
        ConnectionMode: 'tenant-only',
        Origins: [{ Id: 'pool', DomainName: 'pool-bucket.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }],
        DefaultCacheBehavior: { TargetOriginId: 'pool', ViewerProtocolPolicy: 'https-only', CachePolicyId: { Ref: 'CachePolicy' } },
      },
    },
  },
});

const distributionTenant = (tenant: string): FixtureStack => ({
  tags: { TenantId: tenant },
  resources: {
    DistributionTenant: {
      Type: 'AWS::CloudFront::DistributionTenant',
      Properties: { DistributionId: 'E2QWRUHEXAMPLE', Name: `tenant-${tenant}`, Domains: [`${tenant}.files.example.com`], Enabled: true },
    },
  },
});

const classes = async (stacks: Record<string, FixtureStack>) => {
  const r = await runAudit(writeAssembly(tmpDir('cdn'), stacks));
  const byType = r.inventory.stores
    .filter((s) => s.type.startsWith('AWS::CloudFront::'))
    .map((s) => `${s.source.stack} ${s.type} ${s.classification}${s.owner ? ` ${s.owner}` : ''}`)
    .sort();
  return { r, byType };
};

describe('CloudFront resources in the audit', () => {
  it('classifies the distribution, cache policy and key group as platform, and distribution tenants as tenant-owned', async () => {
    const { r, byType } = await classes({
      Platform: { resources: { ...poolBucket(), ...cdn(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } },
      TenantAcme: distributionTenant('acme'),
      TenantGlobex: distributionTenant('globex'),
    });
    expect(byType).toEqual([
      'Platform AWS::CloudFront::CachePolicy platform',
      'Platform AWS::CloudFront::Distribution platform',
      'Platform AWS::CloudFront::KeyGroup platform',
      'TenantAcme AWS::CloudFront::DistributionTenant tenant-owned acme',
      'TenantGlobex AWS::CloudFront::DistributionTenant tenant-owned globex',
    ]);
    expect(failing(r.findings)).toEqual([]);
  });

  it("reports a tenant session that may update another tenant's distribution tenant", async () => {
    const { r } = await classes({
      Platform: {
        resources: {
          ...poolBucket(),
          TenantRole: abacRole([
            ...SCOPED_POOL_STATEMENTS,
            { Effect: 'Allow', Action: 'cloudfront:UpdateDistributionTenant', Resource: 'arn:aws:cloudfront::*:distribution-tenant/*' },
          ]),
        },
      },
      TenantAcme: distributionTenant('acme'),
      TenantGlobex: distributionTenant('globex'),
    });
    const leaks = failing(r.findings).filter((f) => JSON.stringify(f).includes('cloudfront:UpdateDistributionTenant'));
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.every((f) => f.logicalId === 'TenantRole')).toBe(true);
  });

  it('a tenant grant scoped with the tag to its own distribution tenant is not reported', async () => {
    const { r } = await classes({
      Platform: {
        resources: {
          ...poolBucket(),
          TenantRole: abacRole([
            ...SCOPED_POOL_STATEMENTS,
            {
              Effect: 'Allow',
              Action: 'cloudfront:CreateInvalidationForDistributionTenant',
              Resource: 'arn:aws:cloudfront::*:distribution-tenant/*',
              Condition: { StringEquals: { [`aws:ResourceTag/TenantId`]: TAG } },
            },
          ]),
        },
      },
      TenantAcme: distributionTenant('acme'),
      TenantGlobex: distributionTenant('globex'),
    });
    expect(failing(r.findings)).toEqual([]);
  });
});
