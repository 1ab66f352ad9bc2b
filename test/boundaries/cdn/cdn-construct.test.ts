/** TenantContentDistribution: what it synthesizes, and the props it refuses (all at once, by name). */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { generateKeyPairSync } from 'crypto';
import { TenantContentDistribution } from '../../../lib/boundaries/cdn/tenant-content-distribution';
import { tenantPathGuardSource } from '../../../lib/boundaries/cdn/tenant-path-guard-source';
import { PoolStorage } from '../../../lib/boundaries/storage/pool-storage';
import { newTestApp } from '../../helpers/app';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

function build(props: Partial<ConstructorParameters<typeof TenantContentDistribution>[2]> = {}) {
  const stack = new Stack(newTestApp(), 'Test');
  const storage = new PoolStorage(stack, 'Pool', { bucketName: 'test-pool-bucket', accessLogsBucket: new s3.Bucket(stack, 'Logs') });
  const cdn = new TenantContentDistribution(stack, 'Cdn', { storage, bucketName: 'test-pool-bucket', signingPublicKeyPem: PEM, ...props });
  return { stack, cdn, template: Template.fromStack(stack) };
}

describe('TenantContentDistribution', () => {
  const { template } = build();

  it('keys the cache on the URL path alone and forwards nothing else', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        }),
      }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 0);
  });

  it('deploys the very function source the tests run, on cloudfront-js-2.0', () => {
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: tenantPathGuardSource(''),
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  it('requires signed URLs on tenants/* only, runs the guard on every behaviour, HTTPS only, GET/HEAD only', () => {
    const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const behaviours = [dist.DefaultCacheBehavior, ...dist.CacheBehaviors];
    expect(behaviours.map((b: { PathPattern?: string }) => b.PathPattern ?? '*')).toEqual(['*', 'tenants/*']);
    expect(dist.DefaultCacheBehavior.TrustedKeyGroups).toBeUndefined();
    expect(dist.CacheBehaviors[0].TrustedKeyGroups).toHaveLength(1);
    for (const b of behaviours) {
      expect(b.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
      expect(b.ViewerProtocolPolicy).toBe('https-only');
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
      expect(b.OriginRequestPolicyId).toBeUndefined();
    }
    expect(dist.Origins[0].OriginAccessControlId).toBeDefined();
  });

  it('sets TLSv1.2_2021 with a certificate, and host mode puts the suffix in the function', () => {
    const stack = new Stack(newTestApp(), 'Cert');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'C', 'arn:aws:acm:us-east-1:111122223333:certificate/abc');
    const { template: t } = build({ tenantHostSuffix: '.files.example.com', domainNames: ['*.files.example.com'], certificate });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }), Aliases: ['*.files.example.com'] }),
    });
    t.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: Match.stringLikeRegexp("TENANT_HOST_SUFFIX = '\\.files\\.example\\.com'") });
  });

  it('refuses bad props, naming each one', () => {
    let message = '';
    try {
      build({ signingPublicKeyPem: 'not a key', tenantHostSuffix: 'files.example.com' });
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).toMatch(/^Test\/Cdn: invalid props \(3\)/);
    expect(message).toContain('tenantHostSuffix: "files.example.com" — must be a lower-case DNS suffix led by a dot');
    expect(message).toContain('tenantHostSuffix: host-based tenancy needs domainNames');
    expect(message).toContain('signingPublicKeyPem: "not a key" — must be a PEM public key');
  });
});
