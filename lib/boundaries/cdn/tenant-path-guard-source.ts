/**
 * The source of the CDN's CloudFront Function (policies/cdn/tenant-path-guard.js, shipped in the
 * package) with its one setting filled in. No aws-cdk-lib: the construct deploys this text and the
 * tests run this same text in node's `vm`, so what is tested is what is deployed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../lambda-bundles';

/** policies/cdn/tenant-path-guard.js */
export const TENANT_PATH_GUARD_FILE = path.join(packageRoot(), 'policies', 'cdn', 'tenant-path-guard.js');

const PLACEHOLDER = "'__TENANT_HOST_SUFFIX__'";

/**
 * A host suffix for host-based tenancy: `.files.example.com` serves tenant `acme` at
 * `acme.files.example.com`. Lower-case DNS labels (RFC 1035: letters, digits, inner hyphens,
 * ≤ 63 each), at least two, led by a dot. Returns the reason it is invalid, or undefined.
 */
export function tenantHostSuffixProblem(suffix: string): string | undefined {
  if (!/^(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){2,}$/.test(suffix)) {
    return 'a lower-case DNS suffix led by a dot, with at least two labels (e.g. ".files.example.com")';
  }
  if (suffix.length > 200) return 'at most 200 characters (a tenant label must fit before it in a 253-character host name)';
  return undefined;
}

/**
 * The function's source. `tenantHostSuffix` '' (the default) takes the tenant from the path alone
 * (the distribution's own domain); a suffix also requires the host `<id><suffix>` to name the
 * path's tenant.
 */
export function tenantPathGuardSource(tenantHostSuffix = ''): string {
  if (tenantHostSuffix !== '') {
    const problem = tenantHostSuffixProblem(tenantHostSuffix);
    if (problem) throw new Error(`tenantHostSuffix ${JSON.stringify(tenantHostSuffix)}: ${problem}`);
  }
  const source = fs.readFileSync(TENANT_PATH_GUARD_FILE, 'utf8');
  if (source.split(PLACEHOLDER).length !== 2) throw new Error(`${TENANT_PATH_GUARD_FILE}: expected the placeholder ${PLACEHOLDER} exactly once`);
  return source.replace(PLACEHOLDER, JSON.stringify(tenantHostSuffix).replace(/"/g, "'"));
}
