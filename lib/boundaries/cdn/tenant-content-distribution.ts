/**
 * The CDN boundary: one CloudFront distribution in front of a tenant-prefixed bucket's tenant
 * objects, with the tenant in every cache key and signed URLs of one tenant only (docs/cdn.md).
 *
 * - `/tenants/<id>/<key>` is the object `tenants/<id>/<key>` (namespace.ts). The cache behaviour
 *   `tenants/*` keys on the URL path alone (no header, cookie or query string in the key or
 *   forwarded to the origin), so the tenant is always in the cache key and nothing else that
 *   could tell tenants apart reaches the origin (TI-CDN1 checks this on any distribution).
 * - A CloudFront Function (policies/cdn/tenant-path-guard.js, cloudfront-js-2.0) runs on every
 *   viewer request and refuses (403) paths without a tenant, with traversal tricks, and (with a
 *   tenant host suffix) a host of one tenant with a path of another. The default behaviour runs
 *   it too, so everything outside `/tenants/<id>/` is refused at the edge.
 * - The tenant behaviour trusts one key group: a request needs a signed URL or signed cookies,
 *   issued by the runtime `TenantCdnSigner` with a custom policy of at most
 *   `https://<domain>/tenants/<id>/*` (TI-CDN2 reports key groups on paths not under a tenant).
 * - Origin access control (SigV4, always). The bucket policy lets `cloudfront.amazonaws.com` read
 *   (s3:GetObject) `tenants/*` only and only for this distribution (`AWS:SourceArn`), and denies it
 *   everything else on the bucket; the key policy lets it Decrypt only with the encryption context
 *   of an object under `tenants/` (SSE-KMS without Bucket Keys sends the object ARN as
 *   `aws:s3:arn`: S3 User Guide, UsingKMSEncryption) and only for this distribution. CloudFront
 *   Developer Guide, private-content-restricting-access-to-s3 (OAC, SSE-KMS key policy).
 *
 * The origin's domain name is computed from the bucket's deterministic name, not read from the
 * bucket (GetAtt): the key policy names the distribution, the bucket names the key, so a
 * distribution that named the bucket would close a cycle (which is why aws-cdk-lib's own
 * `S3BucketOrigin.withOriginAccessControl` falls back to `distribution/*` in the key policy).
 */
import { Aws, Duration, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CDN_TENANT_PATH_PATTERN } from '../../core/cdn';
import { OBJECT_ROOT } from '../../core/namespace';
import { acknowledgeFindings } from '../../nag/acknowledge';
import { PropProblems } from '../validation';
import type { TenantPrefixedBucket } from '../storage/tenant-prefixed-bucket';
import { tenantHostSuffixProblem, tenantPathGuardSource } from './tenant-path-guard-source';

export interface TenantContentDistributionProps {
  /** The tenant-prefixed bucket (the pool bucket) whose `tenants/<id>/` objects the distribution serves. */
  readonly storage: TenantPrefixedBucket;
  /**
   * The bucket's name, as given to the bucket (deterministic; the origin's domain name is computed
   * from it, see the module comment).
   */
  readonly bucketName: string;
  /**
   * PEM (SPKI, RSA 2048) public key of the signer that issues the tenants' signed URLs and cookies
   * (CloudFront Developer Guide, private-content-trusted-signers: key groups).
   */
  readonly signingPublicKeyPem: string;
  /**
   * Host-based tenancy: `.files.example.com` serves tenant `acme` at `acme.files.example.com`, and
   * the edge function refuses a host of one tenant with a path of another. Needs `domainNames`
   * (`*.files.example.com`) and `certificate`.
   * @default '' (the tenant comes from the path alone, on the distribution's own domain)
   */
  readonly tenantHostSuffix?: string;
  /** Alternate domain names (e.g. `*.files.example.com`). @default none (the `*.cloudfront.net` domain) */
  readonly domainNames?: readonly string[];
  /** ACM certificate (us-east-1) for `domainNames`. @default none */
  readonly certificate?: import('aws-cdk-lib/aws-certificatemanager').ICertificate;
  /** How long objects stay cached at the edge by default. @default 1 hour */
  readonly defaultTtl?: Duration;
  /** @default 'Tenant content (tenant-isolation blueprint)' */
  readonly comment?: string;
}

export class TenantContentDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly cachePolicy: cloudfront.CachePolicy;
  public readonly keyGroup: cloudfront.KeyGroup;
  public readonly publicKey: cloudfront.PublicKey;
  public readonly pathGuard: cloudfront.Function;
  public readonly originAccessControl: cloudfront.S3OriginAccessControl;
  /** `arn:<partition>:cloudfront::<account>:distribution/<id>` */
  public readonly distributionArn: string;

  constructor(scope: Construct, id: string, props: TenantContentDistributionProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    const suffix = props.tenantHostSuffix ?? '';
    if (suffix !== '') {
      const problem = tenantHostSuffixProblem(suffix);
      if (problem) problems.add('tenantHostSuffix', suffix, problem);
      if (!props.domainNames?.length || !props.certificate) {
        problems.addMessage('tenantHostSuffix', 'host-based tenancy needs domainNames (e.g. "*.files.example.com") and a certificate for them');
      }
    }
    if (!Token.isUnresolved(props.signingPublicKeyPem) && !/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/.test(props.signingPublicKeyPem)) {
      problems.add('signingPublicKeyPem', props.signingPublicKeyPem.slice(0, 40), 'a PEM public key (-----BEGIN PUBLIC KEY----- ...)');
    }
    problems.throwIfAny();

    this.originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'Tenant content: SigV4-signed requests to the tenant-prefixed bucket',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    // Nothing but the URL path in the key, and nothing else forwarded: the path carries the tenant.
    this.cachePolicy = new cloudfront.CachePolicy(this, 'TenantPathCachePolicy', {
      comment: 'Tenant content: the cache key is the URL path /tenants/<id>/..., no header, cookie or query string',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      minTtl: Duration.seconds(0),
      defaultTtl: props.defaultTtl ?? Duration.hours(1),
      maxTtl: Duration.days(1),
    });
    this.pathGuard = new cloudfront.Function(this, 'TenantPathGuard', {
      comment: 'Refuses requests whose tenant cannot be derived or whose host and path disagree',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(tenantPathGuardSource(suffix)),
    });
    this.publicKey = new cloudfront.PublicKey(this, 'SigningPublicKey', {
      encodedKey: props.signingPublicKeyPem,
      comment: 'Signer of tenant-scoped signed URLs and cookies (TenantCdnSigner)',
    });
    this.keyGroup = new cloudfront.KeyGroup(this, 'SigningKeyGroup', {
      items: [this.publicKey],
      comment: 'Signed URLs and cookies for /tenants/<id>/* (one tenant per policy, TenantCdnSigner)',
    });

    // Computed, not read from the bucket (no cycle; module comment).
    const originBucket = s3.Bucket.fromBucketAttributes(this, 'OriginBucket', {
      bucketName: props.bucketName,
      bucketRegionalDomainName: `${props.bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
    });
    const origin = origins.S3BucketOrigin.withBucketDefaults(originBucket, { originAccessControlId: this.originAccessControl.originAccessControlId });
    const functionAssociations = [{ function: this.pathGuard, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment ?? 'Tenant content (tenant-isolation blueprint)',
      ...(props.domainNames?.length ? { domainNames: [...props.domainNames] } : {}),
      ...(props.certificate ? { certificate: props.certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Everything outside /tenants/ is refused by the function (no tenant); the bucket policy
      // would refuse it too (CloudFront may read tenants/* only).
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: this.cachePolicy,
        functionAssociations,
      },
      additionalBehaviors: {
        [CDN_TENANT_PATH_PATTERN]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.cachePolicy,
          functionAssociations,
          trustedKeyGroups: [this.keyGroup],
        },
      },
    });
    this.distributionArn = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${this.distribution.distributionId}`;

    this.grantOriginAccess(props.storage);

    const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    acknowledgeFindings(cfn, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "Tenants' users are wherever the tenants are: geo restriction is a per-product decision, not an isolation control (every tenant object needs a signed URL of its tenant).",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No AWS WAF web ACL in the blueprint (a per-account cost and rule set); every tenant object needs a signed URL scoped to its tenant and the edge function refuses malformed paths. docs/cdn.md recommends a web ACL (rate limits) in production.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'CloudFront standard (legacy) logs need an S3 bucket with ACLs enabled; the platform buckets enforce bucket-owner object ownership (no ACLs). docs/cdn.md: enable standard logging v2 (CloudWatch Logs / Firehose delivery) in production.',
      },
      ...(props.certificate
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'The demo serves on the *.cloudfront.net domain, whose default certificate CloudFront pins to TLSv1 as the minimum; with domainNames and a certificate the construct sets TLSv1.2_2021.',
            },
          ]),
    ]);
  }

  /**
   * The bucket and key policy statements that let this distribution (and only it) read
   * `tenants/*`, and nothing else, through origin access control.
   */
  private grantOriginAccess(storage: TenantPrefixedBucket): void {
    const service = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    const tenantObjects = `${storage.bucketArn}/${OBJECT_ROOT}*`;
    const thisDistribution = { 'AWS:SourceArn': this.distributionArn };
    storage.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCdnReadTenantObjects',
        principals: [service],
        actions: ['s3:GetObject'],
        resources: [tenantObjects],
        conditions: { StringEquals: thisDistribution },
      }),
    );
    // Fences: whatever is added later, CloudFront reads tenants/* of this bucket and nothing else,
    // and only on behalf of this distribution (an absent AWS:SourceArn matches StringNotEquals).
    storage.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnOutsideTenantObjects',
        effect: iam.Effect.DENY,
        principals: [service],
        actions: ['s3:*'],
        notResources: [tenantObjects],
      }),
    );
    storage.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnAnythingButRead',
        effect: iam.Effect.DENY,
        principals: [service],
        notActions: ['s3:GetObject'],
        resources: [storage.bucketArn, `${storage.bucketArn}/*`],
      }),
    );
    storage.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnOtherDistributions',
        effect: iam.Effect.DENY,
        principals: [service],
        actions: ['s3:*'],
        resources: [storage.bucketArn, `${storage.bucketArn}/*`],
        conditions: { StringNotEquals: thisDistribution },
      }),
    );
    // SSE-KMS: S3 decrypts for CloudFront with the object ARN as encryption context.
    const contextKey = 'kms:EncryptionContext:aws:s3:arn';
    storage.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCdnDecryptTenantObjects',
        principals: [service],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: thisDistribution, StringLike: { [contextKey]: tenantObjects } },
      }),
    );
    storage.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnOtherKeyUse',
        effect: iam.Effect.DENY,
        principals: [service],
        actions: ['kms:*'],
        resources: ['*'],
        // Another action, another context (or none) or another distribution: denied.
        conditions: { StringNotLike: { [contextKey]: tenantObjects } },
      }),
    );
    storage.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnKeyOtherDistributions',
        effect: iam.Effect.DENY,
        principals: [service],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { StringNotEquals: thisDistribution },
      }),
    );
    storage.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCdnKeyOtherThanDecrypt',
        effect: iam.Effect.DENY,
        principals: [service],
        notActions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
  }
}
