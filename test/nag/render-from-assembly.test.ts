/**
 * During `cdk synth`, TenantIsolationChecks reads each resource from the template the synth has
 * just written instead of re-resolving the tree (lib/nag/inspect/template.ts renderFromAssembly).
 * That is only sound if both views are the same: checked here for every resource of the
 * blueprint (pool and silo tenants, the platform and its nested cache cells).
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { withInspectionMemo } from '../../lib/nag/inspect/memo';
import { render, renderNow } from '../../lib/nag/inspect/template';
import { newTestApp } from '../helpers/app';

jest.setTimeout(300_000);

test('every resource read from the synthesized template equals the resource rendered from the tree', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-assembly-'));
  try {
    const app = newTestApp({ outdir, builtinCloudFormationValidation: false });
    buildBlueprint(app, { registry: generatedRegistry(12) });
    app.synth();
    const resources = app.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    expect(resources.length).toBeGreaterThan(200);
    let fromTemplate = 0;
    withInspectionMemo(() => {
      for (const node of resources) {
        const stack = Stack.of(node);
        const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
        if (template.Resources?.[stack.resolve(node.logicalId)]) fromTemplate++;
        expect({ path: node.node.path, ...render(node) }).toEqual({ path: node.node.path, ...renderNow(node) });
      }
    }, [outdir]);
    // Every resource was found in its template (none fell back to re-resolving).
    expect(fromTemplate).toBe(resources.length);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
