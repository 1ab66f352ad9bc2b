/**
 * The tenant registry: `tenants.json`, reviewed in pull requests (GitOps), read by the CDK app at
 * synth and written by the lifecycle CLI.
 *
 * Loading validates every entry and reports every problem at once, each naming the entry.
 * Writing is atomic (temp file in the same folder, fsync, rename), so a crash leaves either the
 * old file or the new one, never a torn one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TenantId } from './tenant-id';
import { Tier, TIERS, isTier } from './tier';

export const REGISTRY_VERSION = 1;
export const DEFAULT_REGISTRY_FILE = 'tenants.json';

/**
 * `active`: deployed with access. `retired` (offboarded): data retained, access removed.
 * `purged`: the tenant's stack is removed and its data deleted by the purge runbook; the id stays
 * here so it is never reused.
 */
export const TENANT_STATUSES = ['active', 'retired', 'purged'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Where a tenant was placed in shared services whose capacity is finite (cache cells, ...). */
export interface TenantPlacement {
  /** The cache cell (user group) the tenant's cache user belongs to. Never changes once set. */
  readonly cacheCell?: number;
}

export interface TenantEntry {
  readonly id: TenantId;
  readonly tier: Tier;
  readonly status: TenantStatus;
  readonly placement?: TenantPlacement;
}

export interface Registry {
  readonly version: number;
  /** Sorted by id. */
  readonly tenants: readonly TenantEntry[];
}

/** A registry that failed validation; `problems` lists every problem found, each naming its entry. */
export class RegistryError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
  ) {
    super(`invalid tenant registry ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegistryError';
  }
}

const ENTRY_KEYS = ['id', 'tier', 'status', 'placement'];
const PLACEMENT_KEYS = ['cacheCell'];

/** Parses and validates registry JSON text. `source` names the file in error messages. */
export function parseRegistry(text: string, source = DEFAULT_REGISTRY_FILE): Registry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(source, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (!isObject(raw)) throw new RegistryError(source, ['top level must be an object with "version" and "tenants"']);
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key !== 'version' && key !== 'tenants') problems.push(`unknown top-level field "${key}"`);
  }
  if (raw.version !== REGISTRY_VERSION) {
    problems.push(`"version" must be ${REGISTRY_VERSION}, got ${JSON.stringify(raw.version)}`);
  }
  if (!Array.isArray(raw.tenants)) {
    problems.push('"tenants" must be an array');
    throw new RegistryError(source, problems);
  }
  const tenants: TenantEntry[] = [];
  const seen = new Map<string, number>();
  raw.tenants.forEach((item: unknown, index: number) => {
    const label = `tenants[${index}]${isObject(item) && typeof item.id === 'string' ? ` (id "${item.id}")` : ''}`;
    const entry = parseEntry(item, label, problems);
    if (!entry) return;
    const first = seen.get(entry.id.value);
    if (first !== undefined) {
      problems.push(`${label}: duplicate tenant id "${entry.id.value}", first defined at tenants[${first}]`);
      return;
    }
    seen.set(entry.id.value, index);
    tenants.push(entry);
  });
  if (problems.length > 0) throw new RegistryError(source, problems);
  return { version: REGISTRY_VERSION, tenants: sortTenants(tenants) };
}

function parseEntry(item: unknown, label: string, problems: string[]): TenantEntry | undefined {
  if (!isObject(item)) {
    problems.push(`${label}: must be an object`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (!ENTRY_KEYS.includes(key)) problems.push(`${label}: unknown field "${key}"`);
  }
  const idProblem = TenantId.check(item.id);
  if (idProblem) problems.push(`${label}: ${idProblem.message}`);
  const tier = item.tier ?? 'pool';
  if (!isTier(tier)) problems.push(`${label}: "tier" must be one of ${TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  const status = item.status ?? 'active';
  if (!(TENANT_STATUSES as readonly unknown[]).includes(status)) {
    problems.push(`${label}: "status" must be one of ${TENANT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  let placement: TenantPlacement | undefined;
  if (item.placement !== undefined) {
    if (!isObject(item.placement)) {
      problems.push(`${label}: "placement" must be an object`);
    } else {
      for (const key of Object.keys(item.placement)) {
        if (!PLACEMENT_KEYS.includes(key)) problems.push(`${label}: unknown placement field "${key}"`);
      }
      const cell = item.placement.cacheCell;
      if (cell !== undefined && !(Number.isInteger(cell) && (cell as number) >= 0)) {
        problems.push(`${label}: "placement.cacheCell" must be a non-negative integer, got ${JSON.stringify(cell)}`);
      }
      placement = { ...(cell !== undefined ? { cacheCell: cell as number } : {}) };
    }
  }
  if (problems.length > before) return undefined;
  return {
    id: TenantId.parse(item.id),
    tier: tier as Tier,
    status: status as TenantStatus,
    ...(placement && Object.keys(placement).length > 0 ? { placement } : {}),
  };
}

/** Reads and validates a registry file. */
export function loadRegistry(file: string): Registry {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new RegistryError(file, [err.code === 'ENOENT' ? 'file not found' : `cannot read: ${err.message}`]);
  }
  return parseRegistry(text, file);
}

/** The canonical text of a registry: sorted by id, stable field order, two-space JSON, final newline. */
export function serializeRegistry(registry: Registry): string {
  const tenants = sortTenants(registry.tenants).map((t) => ({
    id: t.id.value,
    tier: t.tier,
    status: t.status,
    ...(t.placement && Object.keys(t.placement).length > 0 ? { placement: t.placement } : {}),
  }));
  return JSON.stringify({ version: REGISTRY_VERSION, tenants }, null, 2) + '\n';
}

/**
 * Writes a registry atomically: the text goes to a temp file in the same folder (same file
 * system, so rename is atomic), is flushed to disk, then renamed over the target.
 * On any failure the temp file is removed and the old registry is untouched.
 */
export function writeRegistryAtomic(file: string, registry: Registry): void {
  const text = serializeRegistry(registry);
  parseRegistry(text, file); // never write what we could not read back
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    // Persist the rename itself (directory entry); best effort where the platform refuses.
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* some file systems do not allow fsync on a directory */
  }
}

export function sortTenants(tenants: readonly TenantEntry[]): TenantEntry[] {
  return [...tenants].sort((a, b) => (a.id.value < b.id.value ? -1 : a.id.value > b.id.value ? 1 : 0));
}

/** Tenants whose stacks and access exist (retired tenants keep their data but lose access). */
export function activeTenants(registry: Registry): TenantEntry[] {
  return registry.tenants.filter((t) => t.status === 'active');
}

/** Tenants that still have a TenantStack: active ones, and retired ones whose data is retained. */
export function deployedTenants(registry: Registry): TenantEntry[] {
  return registry.tenants.filter((t) => t.status !== 'purged');
}

/** Tenants whose sessions must be refused everywhere: retired and purged. */
export function deniedTenants(registry: Registry): TenantEntry[] {
  return registry.tenants.filter((t) => t.status !== 'active');
}

export function findTenant(registry: Registry, id: string): TenantEntry | undefined {
  return registry.tenants.find((t) => t.id.value === id);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
