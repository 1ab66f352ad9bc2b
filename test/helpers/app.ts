/**
 * Test support: a CDK App with the same feature flags as `cdk.json` (what `npx cdk synth` uses),
 * so constructs behave in tests exactly as in the real synth.
 */
import { App, AppProps } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';
import { buildBlueprint, Blueprint } from '../../lib/blueprint/app';
import { placeTenantsInCacheCells } from '../../lib/core/placement';
import { parseRegistry, Registry } from '../../lib/core/registry';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
}

export function newTestApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...cdkJsonContext(), ...(props.context ?? {}) } });
}

/**
 * A registry of these entries (as in tenants.json: id, tier, status), parsed and validated, with
 * pool tenants placed in cache cells as the onboard CLI would (placeTenantsInCacheCells).
 */
export function placedRegistry(tenants: ReadonlyArray<Record<string, unknown>>, label = 'test registry'): Registry {
  const registry = parseRegistry(JSON.stringify({ version: 1, tenants }), label);
  return { ...registry, tenants: placeTenantsInCacheCells(registry.tenants) };
}

/**
 * A registry from a compact list: `['acme', 'globex:silo']`. Pool tenants are placed in cache
 * cells as the onboard CLI would (placeTenantsInCacheCells); use parseRegistry for raw entries.
 */
export function testRegistry(entries: string[]): Registry {
  return placedRegistry(
    entries.map((e) => {
      const [id, tier = 'pool'] = e.split(':');
      return { id, tier };
    }),
  );
}

/** The whole blueprint, built on a test app with the real feature flags. */
export function testBlueprint(entries: string[], props: AppProps = {}): { app: App; blueprint: Blueprint } {
  const app = newTestApp(props);
  return { app, blueprint: buildBlueprint(app, { registry: testRegistry(entries) }) };
}
