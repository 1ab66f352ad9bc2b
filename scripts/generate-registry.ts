/**
 * Writes a registry of N generated tenants (every tenth one silo), for benchmarks and scale tests:
 *   npx ts-node --transpile-only scripts/generate-registry.ts 1000 /tmp/tenants-1000.json
 */
import { generatedRegistry } from '../lib/core/generated-registry';
import { writeRegistryAtomic } from '../lib/core/registry';

const [count, file] = process.argv.slice(2);
if (!count || !file || !/^\d+$/.test(count)) {
  process.stderr.write('usage: generate-registry.ts <count> <file>\n');
  process.exit(2);
}
writeRegistryAtomic(file, generatedRegistry(Number(count)));
process.stdout.write(`wrote ${count} tenants to ${file}\n`);
