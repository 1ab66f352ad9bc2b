/**
 * The audit's config file (`--config FILE`, default `tenant-isolation.json` next to the cloud
 * assembly folder): the parts of the tenant model the templates cannot show. JSON Schema:
 * schemas/tenant-isolation.schema.json; documented in docs/audit.md ("Config file").
 *
 * Every problem is a ConfigError naming the file and the key (exit code 2 at the CLI).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parsePolicyDocument, PolicyFormatError } from './policy-model';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The literal a session policy or partition template writes for the tenant id. */
export const TENANT_PLACEHOLDER = '{{tenant}}';

/** Tenant id grammars by name: this project's TenantId, and the UUIDs many control planes mint. */
export const ID_PATTERN_PRESETS = {
  blueprint: '^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$',
  uuid: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
export type IdPatternPreset = keyof typeof ID_PATTERN_PRESETS;

/** How one data store (or every store of a type) is partitioned by tenant. */
export interface PartitionSpec {
  /** S3: the object key prefix a tenant owns, e.g. `tenants/{{tenant}}/`. */
  readonly objectKey?: string;
  /** DynamoDB: the partition key value (dynamodb:LeadingKeys) of a tenant's items, e.g. `TENANT#{{tenant}}`. */
  readonly partitionKey?: string;
  /** OpenSearch: the index prefix a tenant owns, e.g. `tenant-{{tenant}}.`. */
  readonly indexPrefix?: string;
  /** ElastiCache: the key and channel prefix a tenant owns, e.g. `tenant:{{tenant}}:`. */
  readonly keyPrefix?: string;
  /**
   * SQS, SNS, Secrets Manager, SSM, Kinesis, Firehose, CloudWatch Logs: the name a tenant's own
   * resource has, e.g. `tenant-{{tenant}}-jobs`. Keyed by a store, a store whose name matches
   * belongs to that tenant; keyed by a type, the audit also probes every tenant's name (the
   * resources the app creates per tenant at run time).
   */
  readonly name?: string;
  /**
   * Aurora / RDS: a pooled database whose tables are protected by PostgreSQL row-level security
   * keyed on a session setting (e.g. `app.tenant_id`). The audit then classifies the cluster as
   * pooled (partition: RLS) and names where its proof ends: RLS lives inside the database.
   */
  readonly rls?: RlsPartition;
}

/** Row-level security inside a pooled database (config `partitions[<db>].rls`). */
export interface RlsPartition {
  /** The setting the policies compare with the row's tenant column, e.g. `app.tenant_id` (`current_setting('app.tenant_id')`). */
  readonly tenantSetting: string;
}

export interface AuditConfig {
  /** Where the config came from (for messages); undefined = no config. */
  readonly file?: string;
  /** `blueprint`, `uuid` or a regular expression (anchored by the audit when it is not). */
  readonly tenantIdPattern?: string;
  /** Role logical id or construct path -> the policy document the app passes on AssumeRole. */
  readonly sessionPolicies: Readonly<Record<string, unknown>>;
  /** Store logical id, construct path or CloudFormation type -> its partition. */
  readonly partitions: Readonly<Record<string, PartitionSpec>>;
  /** Principal (role ARN, name, logical id or construct path) -> why it may reach every tenant. */
  readonly platformPrincipals: Readonly<Record<string, string>>;
}

export const EMPTY_CONFIG: AuditConfig = { sessionPolicies: {}, partitions: {}, platformPrincipals: {} };

export const CONFIG_FILE_NAME = 'tenant-isolation.json';

export const CONFIG_KEYS = ['$schema', 'tenantIdPattern', 'sessionPolicies', 'partitions', 'platformPrincipals'];
export const PARTITION_KEYS: ReadonlyArray<keyof PartitionSpec> = ['objectKey', 'partitionKey', 'indexPrefix', 'keyPrefix', 'name', 'rls'];
/** A PostgreSQL setting name (`app.tenant_id`): a custom setting has a dot (PostgreSQL docs, runtime-config-custom). */
const SETTING_RE = /^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): AuditConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const at = (key: string, msg: string) => new ConfigError(`config ${file}: ${key}: ${msg}`);
  if (!isObject(raw)) throw new ConfigError(`config ${file}: top level must be an object`);
  for (const k of Object.keys(raw)) {
    if (!CONFIG_KEYS.includes(k)) throw at(k, `unknown key (allowed: ${CONFIG_KEYS.join(', ')})`);
  }
  let tenantIdPattern: string | undefined;
  if (raw.tenantIdPattern !== undefined) {
    if (typeof raw.tenantIdPattern !== 'string' || raw.tenantIdPattern === '') throw at('tenantIdPattern', 'must be "blueprint", "uuid" or a regular expression');
    tenantIdPattern = raw.tenantIdPattern;
    if (!(tenantIdPattern in ID_PATTERN_PRESETS)) {
      try {
        new RegExp(tenantIdPattern);
      } catch (e) {
        throw at('tenantIdPattern', `not a valid regular expression: ${(e as Error).message}`);
      }
    }
  }
  const record = (key: string): Record<string, unknown> => {
    const v = raw[key as keyof typeof raw];
    if (v === undefined) return {};
    if (!isObject(v)) throw at(key, 'must be an object');
    return v;
  };
  const sessionPolicies = record('sessionPolicies');
  for (const [k, doc] of Object.entries(sessionPolicies)) {
    try {
      if (!isObject(doc)) throw new PolicyFormatError('must be a policy document object ({"Version": ..., "Statement": [...]})');
      // Any tenant id stands in for the placeholder: only the shape is checked here.
      parsePolicyDocument(JSON.parse(JSON.stringify(doc).split(TENANT_PLACEHOLDER).join('acme')), undefined, 'policy');
    } catch (e) {
      if (e instanceof PolicyFormatError) throw at(`sessionPolicies["${k}"]`, `not a policy: ${e.message.replace(/^policy: ?/, '')}`);
      throw e;
    }
  }
  const partitionsRaw = record('partitions');
  const partitions: Record<string, PartitionSpec> = {};
  for (const [k, spec] of Object.entries(partitionsRaw)) {
    const key = `partitions["${k}"]`;
    if (!isObject(spec)) throw at(key, `must be an object with one of ${PARTITION_KEYS.join(', ')}`);
    const out: Record<string, unknown> = {};
    for (const [pk, tv] of Object.entries(spec)) {
      if (!(PARTITION_KEYS as readonly string[]).includes(pk)) throw at(`${key}.${pk}`, `unknown key (allowed: ${PARTITION_KEYS.join(', ')})`);
      if (pk === 'rls') {
        if (!isObject(tv)) throw at(`${key}.rls`, 'must be an object {"tenantSetting": "<setting>"}');
        for (const rk of Object.keys(tv)) if (rk !== 'tenantSetting') throw at(`${key}.rls.${rk}`, 'unknown key (allowed: tenantSetting)');
        if (typeof tv.tenantSetting !== 'string' || !SETTING_RE.test(tv.tenantSetting))
          throw at(`${key}.rls.tenantSetting`, 'must be the PostgreSQL setting the RLS policies read, with a dot (e.g. "app.tenant_id")');
        out.rls = { tenantSetting: tv.tenantSetting };
        continue;
      }
      if (typeof tv !== 'string' || !tv.includes(TENANT_PLACEHOLDER)) throw at(`${key}.${pk}`, `must be a string containing ${TENANT_PLACEHOLDER}`);
      out[pk] = tv;
    }
    if (Object.keys(out).length === 0) throw at(key, `needs one of ${PARTITION_KEYS.join(', ')}`);
    partitions[k] = out as PartitionSpec;
  }
  const platformRaw = record('platformPrincipals');
  const platformPrincipals: Record<string, string> = {};
  for (const [k, reason] of Object.entries(platformRaw)) {
    if (typeof reason !== 'string' || reason.trim() === '')
      throw at(`platformPrincipals["${k}"]`, 'must be a non-empty reason (why this principal may reach every tenant)');
    platformPrincipals[k] = reason;
  }
  return { file, ...(tenantIdPattern ? { tenantIdPattern } : {}), sessionPolicies, partitions, platformPrincipals };
}

/**
 * Loads the config: `explicit` when given (it must exist), else `tenant-isolation.json` in the
 * folder that holds the assembly folder, when present.
 */
export function loadConfig(assemblyDir: string, explicit?: string): AuditConfig {
  const file = explicit ?? path.join(path.dirname(path.resolve(assemblyDir)), CONFIG_FILE_NAME);
  if (!explicit && !fs.existsSync(file)) return EMPTY_CONFIG;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`config ${file}: cannot be read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
  }
  return parseConfig(text, explicit ?? path.relative(process.cwd(), file));
}

/** The tenant id regular expression a config selects (preset or its own). */
export function idPatternOf(config: AuditConfig): { readonly name: string; readonly regex: RegExp } | undefined {
  const p = config.tenantIdPattern;
  if (!p) return undefined;
  const src = p in ID_PATTERN_PRESETS ? ID_PATTERN_PRESETS[p as IdPatternPreset] : p;
  const anchored = `${src.startsWith('^') ? '' : '^'}${src}${src.endsWith('$') ? '' : '$'}`;
  return { name: p, regex: new RegExp(anchored) };
}
