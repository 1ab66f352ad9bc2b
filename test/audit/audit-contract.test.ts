/**
 * Contracts of the audit package: its docs list exactly the rules it has. What it may import
 * (only lib/audit and lib/core from the project, never the AGPL oracle @cloud-copilot/*, no CDK)
 * is checked by dependency-cruiser (.dependency-cruiser.cjs, `npm run deps:check`,
 * test/architecture/import-direction.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRulesTable } from '../../lib/audit/rules';

const ROOT = path.join(__dirname, '..', '..');

test('docs/audit.md lists exactly the rules of rules.ts', () => {
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'audit.md'), 'utf8')).toContain(renderRulesTable());
});
