/**
 * Writes the TenantIsolationChecks rules table into a Markdown file, between
 * `<!-- BEGIN nag-rules -->` and `<!-- END nag-rules -->`.
 *
 *   ts-node scripts/nag-rules-table.ts README.md              # update the file
 *   ts-node scripts/nag-rules-table.ts --check README.md      # exit 1 if the file is out of date (CI)
 *   ts-node scripts/nag-rules-table.ts --print               # print the table
 */
import * as fs from 'fs';
import { rulesTable, withRulesTable } from '../lib/nag/rules-table';

export function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  if (argv.includes('--print')) {
    process.stdout.write(`${rulesTable()}\n`);
    return 0;
  }
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length !== 1) {
    process.stderr.write('usage: nag-rules-table.ts [--check] <markdown file> | --print\n');
    return 2;
  }
  const file = files[0];
  let current: string;
  let updated: string;
  try {
    current = fs.readFileSync(file, 'utf8');
    updated = withRulesTable(current);
  } catch (e) {
    process.stderr.write(`${file}: ${(e as Error).message}\n`);
    return 2;
  }
  if (check) {
    if (updated !== current) {
      process.stderr.write(`${file}: the nag rules table is out of date; run npm run nag:table\n`);
      return 1;
    }
    return 0;
  }
  if (updated !== current) fs.writeFileSync(file, updated);
  process.stdout.write(`${file}: nag rules table ${updated === current ? 'already up to date' : 'updated'}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
