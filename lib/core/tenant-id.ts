/**
 * TenantId: the one value type for a tenant's identity.
 *
 * A TenantId is parsed once at the edge (CLI, registry load, verified token) and is never a raw
 * string afterwards. Its alphabet is the intersection of every namespace a tenant id enters:
 *
 * - ElastiCache user ids: letters, digits and hyphens, starts with a letter, no double hyphen,
 *   no trailing hyphen, at most 40 characters (ElastiCache User Guide, Clusters.RBAC / CreateUser).
 * - OpenSearch index names: lowercase only.
 * - S3 keys, IAM session tag values, SQS queue names, PostgreSQL literals: the alphabet
 *   `[a-z0-9-]` needs no escaping in any of them.
 *
 * The namespace delimiters (`/`, `:` and `.`) are outside that alphabet, so one tenant's prefix
 * can never be a prefix of another tenant's prefix (`tenants/acme/` vs `tenants/acme-corp/`).
 */

/** Shortest accepted id: two letters read as a typo more often than as a customer. */
export const TENANT_ID_MIN_LENGTH = 3;
/** Longest accepted id (ElastiCache user id limit is 40). */
export const TENANT_ID_MAX_LENGTH = 40;

/** The whole rule as one regular expression (used by SQL, docs and tests as the reference). */
export const TENANT_ID_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/**
 * Words refused as tenant ids: they collide with built-in users, roles, index names or
 * "everything" markers in the services a tenant id enters (ElastiCache `default`, OpenSearch
 * `_all`-like names, PostgreSQL roles, our own namespace words).
 */
export const RESERVED_TENANT_IDS: readonly string[] = [
  'admin',
  'administrator',
  'all',
  'any',
  'aws',
  'default',
  'everyone',
  'global',
  'isolation',
  'none',
  'null',
  'platform',
  'postgres',
  'public',
  'root',
  'shared',
  'support',
  'system',
  'tenant',
  'tenants',
  'undefined',
];

/** The rule a refused id broke; stable identifiers for tests and tools. */
export type TenantIdRule = 'type' | 'length' | 'charset' | 'leading-letter' | 'double-hyphen' | 'trailing-hyphen' | 'reserved';

/** A refused tenant id: names the rule it broke and the offending value. */
export class TenantIdError extends Error {
  public readonly rule: TenantIdRule;
  public readonly value: unknown;
  constructor(rule: TenantIdRule, value: unknown, detail: string) {
    super(`invalid tenant id ${JSON.stringify(value)}: ${detail} (rule: ${rule})`);
    this.name = 'TenantIdError';
    this.rule = rule;
    this.value = value;
  }
}

/** A validated tenant id. Construct with `TenantId.parse`; compare with `equals`. */
export class TenantId {
  /** Parses `value` or throws a TenantIdError naming the first rule it breaks. */
  public static parse(value: unknown): TenantId {
    const problem = TenantId.check(value);
    if (problem) throw problem;
    return new TenantId(value as string);
  }

  /** Returns the rule `value` breaks, or undefined when it is a valid tenant id. */
  public static check(value: unknown): TenantIdError | undefined {
    if (typeof value !== 'string') {
      return new TenantIdError('type', value, `expected a string, got ${value === null ? 'null' : typeof value}`);
    }
    if (value.length < TENANT_ID_MIN_LENGTH || value.length > TENANT_ID_MAX_LENGTH) {
      return new TenantIdError('length', value, `must be ${TENANT_ID_MIN_LENGTH} to ${TENANT_ID_MAX_LENGTH} characters, got ${value.length}`);
    }
    const bad = value.match(/[^a-z0-9-]/);
    if (bad) {
      return new TenantIdError('charset', value, `only lowercase letters a-z, digits and hyphens are allowed; found ${JSON.stringify(bad[0])}`);
    }
    if (!/^[a-z]/.test(value)) {
      return new TenantIdError('leading-letter', value, 'must start with a lowercase letter');
    }
    if (value.includes('--')) {
      return new TenantIdError('double-hyphen', value, 'must not contain two consecutive hyphens');
    }
    if (value.endsWith('-')) {
      return new TenantIdError('trailing-hyphen', value, 'must not end with a hyphen');
    }
    if (RESERVED_TENANT_IDS.includes(value)) {
      return new TenantIdError('reserved', value, `"${value}" is a reserved word`);
    }
    return undefined;
  }

  /** True when `value` is a valid tenant id. */
  public static isValid(value: unknown): value is string {
    return TenantId.check(value) === undefined;
  }

  /** Nominal brand: a plain `{ value }` object is not a TenantId. */
  private readonly __brand = 'TenantId' as const;

  private constructor(public readonly value: string) {}

  public equals(other: TenantId): boolean {
    return other.__brand === this.__brand && this.value === other.value;
  }

  public toString(): string {
    return this.value;
  }

  public toJSON(): string {
    return this.value;
  }
}
