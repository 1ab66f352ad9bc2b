/**
 * How many tenants one OpenSearch domain can hold when every tenant gets its own index(es).
 * Pure arithmetic (no aws-cdk-lib), used by the search construct at synth and by the docs.
 *
 * Figures and their sources:
 * - At most 25 shards per GiB of JVM heap, and at most 1,000 shards per data node (Well-Architected
 *   Amazon OpenSearch Service Lens, AOSPERF01-BP01).
 * - Heap is capped at 32 GiB per node (OpenSearch Service Developer Guide, limits: Java process quota).
 * - At most 80 instances per domain by default (Developer Guide, limits: domain and instance quotas;
 *   adjustable to 200 including warm nodes). The plan uses it as the data-node ceiling.
 * - Heap = half of the instance's memory, up to 32 GiB (unverified as an AWS statement; it is the
 *   engine's documented default. Pass `heapGiBPerDataNode` when you know better).
 */

export const SHARDS_PER_HEAP_GIB = 25;
export const MAX_SHARDS_PER_DATA_NODE = 1000;
export const MAX_HEAP_GIB = 32;
export const MAX_DATA_NODES_PER_DOMAIN = 80;

/** Memory (GiB) of the instance types the plan knows; heap is half of it, capped at 32 GiB. */
export const INSTANCE_MEMORY_GIB: Readonly<Record<string, number>> = {
  'm7g.large.search': 8,
  'm7g.xlarge.search': 16,
  'm7g.2xlarge.search': 32,
  'r7g.large.search': 16,
  'r7g.xlarge.search': 32,
  'r7g.2xlarge.search': 64,
  'r7g.4xlarge.search': 128,
};

export interface SearchCapacityInput {
  /** Data node instance type, e.g. `r7g.large.search`. */
  readonly instanceType: string;
  /** JVM heap per data node; derived from INSTANCE_MEMORY_GIB when omitted. */
  readonly heapGiBPerDataNode?: number;
  /** Indexes each tenant gets (`tenant-<id>.<name>`). */
  readonly indexesPerTenant: number;
  /** Primary shards per tenant index. */
  readonly primaryShardsPerIndex: number;
  /** Replicas per primary. */
  readonly replicas: number;
  /** Share of the shard budget kept for system indexes and growth, in percent. */
  readonly reservePercent: number;
  /** Availability zones: the data-node count is a multiple of it. */
  readonly availabilityZones: number;
}

export interface SearchCapacityPlan {
  readonly heapGiBPerDataNode: number;
  readonly shardsPerDataNode: number;
  readonly shardsPerTenant: number;
  /** Data nodes for the tenant count asked for (a multiple of the AZ count, at least one per AZ). */
  readonly dataNodes: number;
  /** Tenants those data nodes can hold. */
  readonly tenantsAtThisSize: number;
  /** Tenants the largest domain of this instance type can hold (MAX_DATA_NODES_PER_DOMAIN nodes). */
  readonly tenantCeiling: number;
}

export class SearchCapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchCapacityError';
  }
}

export function heapGiB(input: SearchCapacityInput): number {
  if (input.heapGiBPerDataNode !== undefined) return Math.min(input.heapGiBPerDataNode, MAX_HEAP_GIB);
  const memory = INSTANCE_MEMORY_GIB[input.instanceType];
  if (memory === undefined) {
    throw new SearchCapacityError(
      `unknown data node instance type ${JSON.stringify(input.instanceType)}: pass heapGiBPerDataNode (known: ${Object.keys(INSTANCE_MEMORY_GIB).join(', ')})`,
    );
  }
  return Math.min(memory / 2, MAX_HEAP_GIB);
}

/** Tenants that `dataNodes` nodes hold under the shard limits and the reserve. */
export function tenantsFor(input: SearchCapacityInput, dataNodes: number): number {
  const perNode = Math.min(Math.floor(SHARDS_PER_HEAP_GIB * heapGiB(input)), MAX_SHARDS_PER_DATA_NODE);
  const usable = Math.floor((dataNodes * perNode * (100 - input.reservePercent)) / 100);
  return Math.floor(usable / shardsPerTenant(input));
}

export function shardsPerTenant(input: SearchCapacityInput): number {
  return input.indexesPerTenant * input.primaryShardsPerIndex * (1 + input.replicas);
}

/**
 * The smallest domain (data nodes, a multiple of the AZ count) that holds `tenants` tenants.
 * Throws a SearchCapacityError naming the ceiling when even MAX_DATA_NODES_PER_DOMAIN nodes cannot.
 */
export function planSearchCapacity(input: SearchCapacityInput, tenants: number): SearchCapacityPlan {
  const problems: string[] = [];
  for (const [name, value, min] of [
    ['indexesPerTenant', input.indexesPerTenant, 1],
    ['primaryShardsPerIndex', input.primaryShardsPerIndex, 1],
    ['replicas', input.replicas, 0],
    ['availabilityZones', input.availabilityZones, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer >= ${min}, got ${value}`);
  }
  if (!(input.reservePercent >= 0 && input.reservePercent < 100)) problems.push(`reservePercent must be in [0, 100), got ${input.reservePercent}`);
  if (problems.length > 0) throw new SearchCapacityError(problems.join('; '));

  const heap = heapGiB(input);
  const perNode = Math.min(Math.floor(SHARDS_PER_HEAP_GIB * heap), MAX_SHARDS_PER_DATA_NODE);
  const az = input.availabilityZones;
  const maxNodes = Math.floor(MAX_DATA_NODES_PER_DOMAIN / az) * az;
  const ceiling = tenantsFor(input, maxNodes);
  if (tenants > ceiling) {
    throw new SearchCapacityError(
      `${tenants} tenants would get search indexes, above the ceiling of one domain: ${ceiling} tenants ` +
        `(${maxNodes} data nodes of ${input.instanceType}, ${perNode} shards per node, ${shardsPerTenant(input)} shards per tenant, ` +
        `${input.reservePercent}% reserved). Use a larger instance type, fewer shards per tenant, a second domain, ` +
        `or a shared index with document-level security (docs/search.md)`,
    );
  }
  let dataNodes = az;
  while (tenantsFor(input, dataNodes) < tenants) dataNodes += az;
  return {
    heapGiBPerDataNode: heap,
    shardsPerDataNode: perNode,
    shardsPerTenant: shardsPerTenant(input),
    dataNodes,
    tenantsAtThisSize: tenantsFor(input, dataNodes),
    tenantCeiling: ceiling,
  };
}
