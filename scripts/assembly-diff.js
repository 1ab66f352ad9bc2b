#!/usr/bin/env node
// Normalized diff of two cloud assemblies, asset hashes aside: every template is written with
// sorted keys and blanked asset hashes, then compared with `diff -u`.
// Usage: node scripts/assembly-diff.js <before cdk.out> <after cdk.out>
// Exit 0 when every template is identical up to asset hashes, 1 when any differs, 2 on bad input.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [before, after] = process.argv.slice(2);
for (const dir of [before, after]) {
  if (!dir || !fs.existsSync(path.join(dir, 'manifest.json'))) {
    console.error(`usage: node scripts/assembly-diff.js <before cdk.out> <after cdk.out> (${dir ?? 'missing'} is not a cloud assembly)`);
    process.exit(2);
  }
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}
function normalizeInto(dir, out) {
  fs.mkdirSync(out);
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.template.json'))) {
    const t = sortKeys(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    fs.writeFileSync(path.join(out, f), JSON.stringify(t, null, 1).replace(/[0-9a-f]{64}/g, '<asset-hash>') + '\n');
  }
  return fs.readdirSync(out).length;
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-diff-'));
const count = normalizeInto(before, path.join(tmp, 'before'));
normalizeInto(after, path.join(tmp, 'after'));
const r = spawnSync('diff', ['-ru', 'before', 'after'], { cwd: tmp, encoding: 'utf8' });
fs.rmSync(tmp, { recursive: true, force: true });
process.stdout.write(r.stdout);
console.log(r.status === 0 ? `identical: ${count} templates (asset hashes aside)` : 'templates differ (above)');
process.exit(r.status === 0 ? 0 : 1);
