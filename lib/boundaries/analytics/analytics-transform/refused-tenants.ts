/**
 * The offboarded-tenant list of the analytics transformation: a JSON array of TenantIds written
 * next to the bundled handler at synth (TenantAnalytics), read once per cold start. Tests that run
 * the source unbundled set `TI_REFUSED_TENANTS` instead. A missing or unreadable list throws: it
 * must never silently refuse nobody.
 */
import * as fs from 'fs';
import * as path from 'path';

export const REFUSED_TENANTS_FILE = 'refused-tenants.json';

/** The list's text: the environment override, else the file beside the handler, else undefined. */
export function refusedTenantsText(dir: string = __dirname): string | undefined {
  if (process.env.TI_REFUSED_TENANTS !== undefined) return process.env.TI_REFUSED_TENANTS;
  const file = path.join(dir, REFUSED_TENANTS_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
