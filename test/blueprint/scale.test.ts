/**
 * Regression guard for scale: the whole app synthesizes with a generated 200-tenant registry, no
 * template nears a CloudFormation limit, tenant stacks stay the same size. (The 1,000-tenant run
 * lives in `npm run bench:synth`.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { assemblyTemplateStats, limitProblems } from '../../lib/blueprint/assembly-stats';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { newTestApp } from '../helpers/app';

test('200 tenants synthesize within CloudFormation limits', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-200-'));
  const app = newTestApp({ outdir });
  const blueprint = buildBlueprint(app, { registry: generatedRegistry(200) });
  app.synth();
  const stats = assemblyTemplateStats(outdir);
  // One template per stack, plus nested cache-cell templates (a cell is a nested stack).
  expect(stats.filter((s) => !s.file.includes('.nested.'))).toHaveLength(201);
  expect(blueprint.tenants).toHaveLength(200);
  expect(limitProblems(stats)).toEqual([]);
  // Tenant stacks come in two shapes (pool, silo); neither grows with the tenant count.
  const tenantSizes = new Set(stats.filter((s) => s.file.startsWith('Tenant-')).map((s) => s.resources));
  expect(tenantSizes.size).toBeLessThanOrEqual(2);
  const platform = stats.find((s) => s.file.startsWith('Platform'))!;
  expect(platform.resources).toBeLessThan(500);
  fs.rmSync(outdir, { recursive: true, force: true });
});
