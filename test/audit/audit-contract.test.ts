/**
 * Contracts of the audit package: it reads templates, never our constructs (no import of
 * lib/boundaries or lib/blueprint, only the CDK-free tenant model of lib/core), never imports the AGPL
 * oracle, and its docs list
 * exactly the rules it has.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRulesTable } from '../../lib/audit/rules';

const ROOT = path.join(__dirname, '..', '..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

test('lib/audit imports only lib/core from the project', () => {
  const offending: string[] = [];
  for (const f of files(path.join(ROOT, 'lib', 'audit'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\(|require\()\s*'([^']+)'/g)) {
      const spec = m[1];
      if (spec.startsWith('@cloud-copilot/')) offending.push(`${path.relative(ROOT, f)} -> ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = path.relative(ROOT, path.resolve(path.dirname(f), spec));
      if (target.startsWith(path.join('lib', 'audit'))) continue;
      if (!target.startsWith(path.join('lib', 'core') + path.sep)) {
        offending.push(`${path.relative(ROOT, f)} -> ${target}`);
      }
    }
  }
  expect(offending).toEqual([]);
});

test('docs/audit.md lists exactly the rules of rules.ts', () => {
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'audit.md'), 'utf8')).toContain(renderRulesTable());
});
