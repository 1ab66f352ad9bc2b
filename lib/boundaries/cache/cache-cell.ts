/**
 * One cache cell: an ElastiCache for Valkey serverless cache, its user group, the group's
 * disabled `default` user, and one user per tenant placed in the cell. A cell is a nested stack,
 * so the platform template grows by one resource per cell, and a full cell (99 tenants, about
 * 3 resources each + 5) stays far below CloudFormation's 500 resources per template.
 *
 * CloudFormation types (CloudFormation Template Reference, checked with the search tool):
 * - AWS::ElastiCache::User: Engine `redis | valkey`, UserId pattern `[a-z][a-z0-9\-]*`,
 *   AuthenticationMode.Type `password | no-password-required | iam`, Tags.
 * - AWS::ElastiCache::UserGroup: Engine, UserGroupId, UserIds ("a user named default must be included").
 * - AWS::ElastiCache::ServerlessCache: Engine, MajorEngineVersion, KmsKeyId, SecurityGroupIds,
 *   SubnetIds, UserGroupId. Serverless caches always encrypt in transit and at rest, and RBAC is
 *   their only access control (ElastiCache User Guide, in-transit-encryption, Clusters.RBAC).
 */
import { CfnElement, NestedStack, NestedStackProps, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { allocateLogicalIdOnce } from '../logical-ids';
import { DISABLED_DEFAULT_USER_ACCESS_STRING, tenantAccessString } from '../../core/cache-acl';
import { cacheKeyPrefix, TENANT_TAG_KEY } from '../../core/namespace';
import { TenantEntry } from '../../core/registry';
import { PropProblems } from '../validation';
import { TenantId } from '../../core/tenant-id';
import { acknowledgeFindings } from '../../nag/acknowledge';

/** How tenant users authenticate. */
export type CacheAuthentication = 'password' | 'iam';

/** ElastiCache engine name for users, user groups and caches (`valkey`, Valkey 7.2+). */
export const CACHE_ENGINE = 'valkey';

/** Stable names of the cache boundary; they name deployed resources, so they live in one place. */
export const cacheNames = {
  /** `<q>-<tenant>`: user id and user name alike (IAM authentication requires them equal; ElastiCache User Guide, auth-iam). */
  tenantUser: (q: string, tenant: TenantId) => `${q}-${tenant.value}`,
  /** IAM-policy form of `tenantUser`, with the tenant taken from the session tag. */
  tenantUserPattern: (q: string, tenantVariable: string) => `${q}-${tenantVariable}`,
  /** Secrets Manager name of a tenant's cache credentials. The `/` after the id keeps `acme` off `acme-corp`. */
  tenantSecret: (q: string, tenant: string) => `${q}/cache/tenant/${tenant}/credentials`,
  /** SSM parameter with a tenant's endpoint, user name and key prefix (no secrets). */
  tenantParameter: (q: string, tenant: string) => `/${q}/cache/tenants/${tenant}`,
  defaultUserSecret: (cellName: string) => `${cellName}/default-user`,
};

export interface CacheCellProps extends NestedStackProps {
  readonly qualifier: string;
  /** Cache and user group name. No tenant names: the cache name is part of a public DNS name. */
  readonly cellName: string;
  /** The tenants whose users join this cell's user group (at most 99). */
  readonly tenants: readonly TenantEntry[];
  /** Set for a silo tenant's dedicated cell: the cache and user group carry its TenantId tag. */
  readonly dedicatedTo?: TenantId;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly key: kms.IKey;
  readonly authentication: CacheAuthentication;
  readonly majorEngineVersion: string;
}

export class CacheCell extends NestedStack {
  public readonly cache: elasticache.CfnServerlessCache;
  public readonly userGroup: elasticache.CfnUserGroup;
  public readonly defaultUser: elasticache.CfnUser;
  /** Tenant users by tenant id. */
  public readonly users = new Map<string, elasticache.CfnUser>();
  /** Tenant credentials by tenant id (password authentication only). */
  public readonly secrets = new Map<string, secretsmanager.Secret>();

  /** Each element's logical id is allocated once (lib/boundaries/logical-ids.ts: exact, and a second of synth at 1,000 tenants). */
  protected allocateLogicalId(element: CfnElement): string {
    return allocateLogicalIdOnce(element, () => super.allocateLogicalId(element));
  }

  constructor(scope: Construct, id: string, props: CacheCellProps) {
    super(scope, id, props);
    const q = props.qualifier;
    const problems = new PropProblems(this);
    problems.check(
      props.tenants.length <= 99,
      'tenants',
      `${props.tenants.length} tenants`,
      'at most 99 tenants: a user group holds at most 100 users including "default"',
    );
    problems.throwIfAny();

    // The mandatory `default` user: disabled, no commands, keys or channels. A Valkey user group
    // admits only users with a password or IAM (Clusters.RBAC), and IAM needs user id == user
    // name == "default" (taken by AWS's own user), so it gets a password nobody is granted.
    const defaultSecret = new secretsmanager.Secret(this, 'DefaultUserSecret', {
      secretName: cacheNames.defaultUserSecret(props.cellName),
      description: `Password of the disabled default user of cache cell ${props.cellName}; granted to nobody`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    acknowledgeNoRotation(defaultSecret, 'the default user is disabled ("off"): its password opens nothing, so rotating it protects nothing');
    this.defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      engine: CACHE_ENGINE,
      userId: `${props.cellName}-default`,
      userName: 'default',
      accessString: DISABLED_DEFAULT_USER_ACCESS_STRING,
      authenticationMode: { Type: 'password', Passwords: [defaultSecret.secretValue.unsafeUnwrap()] },
    });

    for (const tenant of props.tenants) {
      this.addTenantUser(q, tenant, props.authentication);
    }

    // Only ACTIVE tenants are members. A retired tenant's user stays (disabled, `off`, keeping its
    // seat in the cell) but leaves the group: ElastiCache keeps a user's open connections when the
    // user is modified (ModifyUser, e.g. to `off`) and drops them when the user is removed from
    // the user group (ElastiCache User Guide, Clusters.RBAC), so offboarding must remove it.
    const members = props.tenants.filter((t) => t.status === 'active').map((t) => this.users.get(t.id.value)!);
    this.userGroup = new elasticache.CfnUserGroup(this, 'UserGroup', {
      engine: CACHE_ENGINE,
      userGroupId: props.cellName,
      userIds: [this.defaultUser.userId, ...members.map((u) => u.userId)],
    });
    this.userGroup.node.addDependency(this.defaultUser);
    for (const user of this.users.values()) this.userGroup.node.addDependency(user);

    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      serverlessCacheName: props.cellName,
      description: props.dedicatedTo
        ? `Dedicated cache of silo tenant ${props.dedicatedTo.value} (tenant isolation blueprint)`
        : `Shared cache cell ${props.cellName}: one RBAC user per tenant (tenant isolation blueprint)`,
      engine: CACHE_ENGINE,
      majorEngineVersion: props.majorEngineVersion,
      kmsKeyId: props.key.keyArn,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [props.securityGroupId],
      userGroupId: this.userGroup.userGroupId,
    });
    this.cache.node.addDependency(this.userGroup);
    // A cache is cheap to refill, but deleting the stack must not delete it silently (project rule).
    this.cache.applyRemovalPolicy(RemovalPolicy.RETAIN);
    if (props.dedicatedTo) {
      Tags.of(this.cache).add(TENANT_TAG_KEY, props.dedicatedTo.value);
      Tags.of(this.userGroup).add(TENANT_TAG_KEY, props.dedicatedTo.value);
    }

    for (const tenant of props.tenants) {
      // Where the tenant's cache is, for the application (no secret in it).
      const parameter = new ssm.StringParameter(this, `Endpoint-${tenant.id.value}`, {
        parameterName: cacheNames.tenantParameter(q, tenant.id.value),
        description: `Cache endpoint of tenant ${tenant.id.value} (tenant isolation blueprint)`,
        stringValue: JSON.stringify({
          tenantId: tenant.id.value,
          cell: props.cellName,
          host: this.cache.attrEndpointAddress,
          port: this.cache.attrEndpointPort,
          readerHost: this.cache.attrReaderEndpointAddress,
          tls: true,
          userName: cacheNames.tenantUser(q, tenant.id),
          authentication: props.authentication,
          secretName: props.authentication === 'password' ? cacheNames.tenantSecret(q, tenant.id.value) : undefined,
          keyPrefix: cacheKeyPrefix(tenant.id),
        }),
      });
      Tags.of(parameter).add(TENANT_TAG_KEY, tenant.id.value);
    }
  }

  private addTenantUser(q: string, tenant: TenantEntry, authentication: CacheAuthentication): void {
    const name = cacheNames.tenantUser(q, tenant.id);
    let authenticationMode: { Type: string; Passwords?: string[] };
    if (authentication === 'password') {
      const secret = new secretsmanager.Secret(this, `Secret-${tenant.id.value}`, {
        secretName: cacheNames.tenantSecret(q, tenant.id.value),
        description: `Cache credentials of tenant ${tenant.id.value}; readable by TenantAccessRole sessions tagged TenantId=${tenant.id.value}`,
        // ElastiCache passwords: 16-128 printable characters; punctuation is left out so no
        // character needs escaping in a connection URL.
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: name }),
          generateStringKey: 'password',
          passwordLength: 40,
          excludePunctuation: true,
        },
      });
      Tags.of(secret).add(TENANT_TAG_KEY, tenant.id.value);
      acknowledgeNoRotation(
        secret,
        'rotating an ElastiCache user password needs a rotation function that calls ModifyUser (two passwords during the switch); ' +
          'not provided yet (docs/cache.md). Choose authentication "iam" for 15-minute tokens instead of stored passwords.',
      );
      this.secrets.set(tenant.id.value, secret);
      authenticationMode = { Type: 'password', Passwords: [secret.secretValueFromJson('password').unsafeUnwrap()] };
    } else {
      authenticationMode = { Type: 'iam' };
    }
    const user = new elasticache.CfnUser(this, `User-${tenant.id.value}`, {
      engine: CACHE_ENGINE,
      userId: name,
      userName: name,
      accessString: tenantAccessString(tenant.id, { enabled: tenant.status === 'active' }),
      authenticationMode,
      tags: [{ key: TENANT_TAG_KEY, value: tenant.id.value }],
    });
    this.users.set(tenant.id.value, user);
  }
}

function acknowledgeNoRotation(secret: secretsmanager.Secret, reason: string): void {
  acknowledgeFindings(secret, [{ id: 'AwsSolutions-SMG4', reason }]);
  // A generated password of the cache user defined next to it is a credential, not tenant data:
  // it goes with its user. Retained, it would outlive the user as an orphaned credential.
  const why = 'a generated password of the ElastiCache user created beside it, not tenant data; deleted with that user (a retained copy would be an orphaned credential)';
  acknowledgeFindings(secret, [{ id: 'TI-RETAIN1[DeletionPolicy::Delete]', reason: why }]);
  acknowledgeFindings(secret, [{ id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]', reason: why }]);
}
