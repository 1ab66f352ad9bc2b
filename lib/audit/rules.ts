/**
 * The audit's rules: stable ids, severity, a one-line `info` and an `explanation`. Reports,
 * SARIF rule metadata and the docs table are generated from this list.
 */
export type Severity = 'error' | 'warning' | 'note';

export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly info: string;
  readonly explanation: string;
}

export const RULES = {
  crossTenant: {
    id: 'TI-CROSS-TENANT',
    severity: 'error',
    info: "A principal acting as one tenant is allowed to act on another tenant's resource.",
    explanation: 'The policies grant a session of tenant A access to data of tenant B. Scope the grant to the session tag or the owning tenant.',
  },
  unscopedGrant: {
    id: 'TI-UNSCOPED-GRANT',
    severity: 'error',
    info: "An Allow that names no tenant reaches another tenant's data.",
    explanation:
      "The allowing statement mentions neither ${aws:PrincipalTag/TenantId} nor a tenant id, so every tenant it applies to gets every tenant's data. Put the tenant in the resource ARN or a condition.",
  },
  missingDelimiter: {
    id: 'TI-MISSING-DELIMITER',
    severity: 'error',
    info: 'A tenant pattern lacks its delimiter, so tenant `acme` also matches `acme-corp`.',
    explanation:
      "A pattern such as tenants/${aws:PrincipalTag/TenantId}* matches every tenant whose id starts with the caller's. End the tenant part with its delimiter: tenants/${aws:PrincipalTag/TenantId}/*.",
  },
  failOpenCondition: {
    id: 'TI-FAIL-OPEN-CONDITION',
    severity: 'error',
    info: 'An Allow condition is true because the key it tests is absent (IfExists / ForAllValues).',
    explanation:
      '...IfExists operators and ForAllValues: are true when the request lacks the key (IAM User Guide, condition operators). Use the plain operator, or pair ForAllValues with a Null: false condition.',
  },
  wideResourcePolicy: {
    id: 'TI-WIDE-RESOURCE-POLICY',
    severity: 'error',
    info: "A resource policy grants another tenant's session access.",
    explanation:
      'Within one account a resource policy that names a principal (or "*") grants access without any identity policy. Scope it to the owning tenant\'s sessions (aws:PrincipalTag/TenantId) or deny the others.',
  },
  untaggedSession: {
    id: 'TI-UNTAGGED-SESSION',
    severity: 'error',
    info: 'A session without a TenantId tag reaches tenant data.',
    explanation:
      'A missing policy variable makes negated and IfExists conditions true. Add an explicit Deny with Null: {aws:PrincipalTag/TenantId: true}, and require the tag in the trust policy.',
  },
  crossTenantListing: {
    id: 'TI-CROSS-TENANT-LISTING',
    severity: 'error',
    info: 'A tenant session can list or search across every tenant of a pooled resource.',
    explanation:
      "Listing a bucket root, or searching _all / * indexes, returns every tenant's names or documents. Allow listing only with an s3:prefix under the tenant, and index access only by tenant index ARNs.",
  },
  roleChain: {
    id: 'TI-ROLE-CHAIN',
    severity: 'error',
    info: "A tenant's session can assume a role as another tenant (another tenant's role, or an ABAC role with another tag).",
    explanation:
      "Trust policies decide who may become whom. A tenant session must not be able to call sts:AssumeRole / sts:TagSession on another tenant's role or re-enter an ABAC role with a different TenantId tag.",
  },
  trustTagValue: {
    id: 'TI-TRUST-TAG-VALUE',
    severity: 'warning',
    info: 'The trust policy accepts a TenantId session tag value that is not a valid tenant id.',
    explanation:
      'STS accepts tag values such as "acme/" or "ACME". Constrain aws:RequestTag/TenantId in the trust policy (lib/core/tenant-id-iam.ts) so no session can carry a delimiter or a reserved word.',
  },
  externalPolicy: {
    id: 'TI-EXTERNAL-POLICY',
    severity: 'warning',
    info: 'A tenant-scoped principal has a policy the assembly does not contain; it was not evaluated.',
    explanation:
      'AWS managed policies and policies from other stacks outside the assembly cannot be read from templates. Review them, or use the aws engine against a real account.',
  },
  unresolved: {
    id: 'TI-UNRESOLVED',
    severity: 'warning',
    info: 'A policy value could not be resolved from the templates; the proof does not cover it.',
    explanation:
      'The audit resolves intrinsics symbolically. A value it cannot resolve (a parameter without default, an import nobody exports, an undecidable Fn::If) matches nothing, which could hide an Allow.',
  },
  unsupportedOperator: {
    id: 'TI-UNSUPPORTED-OPERATOR',
    severity: 'warning',
    info: 'A condition operator the builtin engine does not know was assumed true in Allows and false in Denies.',
    explanation: 'The builtin engine treats unknown operators in the open direction so it over-reports rather than misses a leak.',
  },
  allTenants: {
    id: 'TI-ALL-TENANTS',
    severity: 'error',
    info: "A principal reaches every tenant's part of a pooled store (or a database's master credentials) with its own credentials.",
    explanation:
      'Its isolation rests on application code choosing the right tenant for each request. Give it tenant sessions (session tags or a session policy), or declare it in platformPrincipals with the reason it may reach every tenant.',
  },
  vendedSessionPolicy: {
    id: 'TI-VENDED-SESSION-POLICY',
    severity: 'warning',
    info: 'A role vended to tenants reaches every tenant; the session policy that narrows it is built in code the templates do not show.',
    explanation:
      'Declare the session policy the application passes on AssumeRole in the config (sessionPolicies, with {{tenant}} for the tenant id); the audit then evaluates the role intersected with that policy for every adversarial tenant.',
  },
  platformPrincipal: {
    id: 'TI-PLATFORM-PRINCIPAL',
    severity: 'note',
    info: 'A principal declared in platformPrincipals reaches every tenant; reported with its reason.',
    explanation: 'The config says this principal was reviewed as reaching every tenant by design. Keep the list short and the reasons true.',
  },
  rlsPartition: {
    id: 'TI-RLS-PARTITION',
    severity: 'note',
    info: 'A tenant-facing principal reaches a pooled database declared RLS-partitioned; isolation rests on row-level security, outside the templates.',
    explanation:
      "IAM decides only who may connect (Data API, rds-db:connect); which rows a session sees is decided by PostgreSQL row-level security inside the database. The proof ends there: test the RLS policies against a real engine (policies/rls, test/boundaries/database), connect as a role that is neither the table owner nor BYPASSRLS, and set the tenant setting from the session's tenant. The master secret still reaches every tenant (TI-ALL-TENANTS).",
  },
  idGrammar: {
    id: 'TI-ID-GRAMMAR',
    severity: 'warning',
    info: 'The tenantIdPattern regex admits IAM-significant characters or delimiters, is too wide to derive a prefix-colliding pair, or cannot be analyzed.',
    explanation:
      'The finite-set proof needs the ids of every relation between two tenants (regex-ids.ts derives them from the expression). Ids containing *, ?, $ or a namespace delimiter (/ : . # |) change what policies match; an expression the audit cannot analyze leaves its ids unproven. Narrow the pattern to the ids the control plane really mints.',
  },
  unclassifiedStore: {
    id: 'TI-UNCLASSIFIED-STORE',
    severity: 'warning',
    info: 'Tenant-facing principals reach a data store whose tenant partition the audit cannot see.',
    explanation:
      'Tag it TenantId=<id> if one tenant owns it, or declare its partition in the config (partitions: objectKey, partitionKey, indexPrefix, keyPrefix or name with {{tenant}}); otherwise the proof does not cover it.',
  },
  vacuousProof: {
    id: 'TI-VACUOUS-PROOF',
    severity: 'warning',
    info: "A tenant-facing principal is refused everything on its own tenant's data, so the proof about it is vacuous.",
    explanation:
      'Denying every request also denies every cross-tenant request. A principal that should work for its tenant but is refused all of it means the model (partition, session policy, tags) does not match how the app addresses tenant data.',
  },
  cacheKeys: {
    id: 'TI-CACHE-KEYS',
    severity: 'error',
    info: "A cache user's key patterns reach another tenant's keys.",
    explanation: 'Access strings must allow only ~tenant:<id>:* (with the delimiter). ~* or allkeys, or a pattern without the trailing colon, reaches other tenants.',
  },
  cacheChannels: {
    id: 'TI-CACHE-CHANNELS',
    severity: 'error',
    info: "A cache user's channel patterns reach another tenant's pub/sub channels.",
    explanation: "Allow only &tenant:<id>:* channels; &* or allchannels lets a tenant read every tenant's messages.",
  },
  cacheKeyless: {
    id: 'TI-CACHE-KEYLESS',
    severity: 'error',
    info: 'A tenant cache user may run commands that declare no keys (KEYS, SCAN, FLUSHALL, ...).',
    explanation:
      "Key patterns do not restrict keyless commands (valkey-io/valkey#370, redis/redis#8152): +@all lets a tenant list or erase every tenant's keys. Remove @keyspace/@dangerous/@admin and the listed commands.",
  },
  cacheDefaultUser: {
    id: 'TI-CACHE-DEFAULT-USER',
    severity: 'error',
    info: 'The mandatory cache user "default" is enabled or has permissions.',
    explanation:
      'Every ElastiCache user group contains a user named default; anyone who connects without credentials acts as it. Ship it "off -@all" with no keys or channels.',
  },
  searchExplicitIndex: {
    id: 'TI-SEARCH-EXPLICIT-INDEX',
    severity: 'error',
    info: 'OpenSearch allows explicit indexes in multi-requests (_bulk, _mget, _msearch).',
    explanation:
      'Request bodies name indexes that index-level access policies never see unless rest.action.multi.allow_explicit_index is "false" (OpenSearch Service Developer Guide, ac).',
  },
} as const satisfies Record<string, Rule>;

export const ALL_RULES: readonly Rule[] = Object.values(RULES);

/** The rules as a Markdown table (docs/audit.md embeds this output; a test keeps them equal). */
export function renderRulesTable(): string {
  return ['| rule | severity | what it means |', '|---|---|---|', ...ALL_RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.info.replace(/\|/g, '\\|')} |`)].join(
    '\n',
  );
}
