/**
 * Test support: CloudFrontSignedPolicyVerifier MODELS the check CloudFront makes on a request to a
 * cache behaviour with trusted key groups (no CloudFront here to ask). What it models, from the
 * CloudFront Developer Guide (private-content-creating-signed-url-custom-policy,
 * private-content-creating-signed-url-canned-policy, private-content-setting-signed-cookie-custom-policy):
 *
 * - the signature travels as `Signature` + `Key-Pair-Id` query parameters with `Policy` (custom)
 *   or `Expires` (canned), or as the cookies `CloudFront-Signature`, `CloudFront-Key-Pair-Id`,
 *   `CloudFront-Policy` / `CloudFront-Expires`; a signed URL wins over cookies;
 * - values are CloudFront's URL-safe base64 (`-` `_` `~` for `+` `=` `/`); the signature is
 *   RSA-SHA1 over the policy bytes exactly as sent (canned: the canned policy CloudFront rebuilds
 *   from the URL and `Expires`), checked with the public key of `Key-Pair-Id` in the key group;
 * - the policy has exactly one statement; its Resource is matched against the request URL
 *   without the signing parameters, `*` matching any characters (`/` included) and `?` exactly
 *   one; `DateLessThan` is required and the request must come before it; `DateGreaterThan`, when
 *   present, must be past. `IpAddress` is not modelled (a policy with it is refused here loudly).
 *
 * It does NOT model what happens after the check (path normalisation, the function, the origin).
 */
import { createPublicKey, createVerify, KeyObject } from 'crypto';

export type SignedRequestDecision =
  | { readonly allowed: true; readonly resource: string }
  | {
      readonly allowed: false;
      readonly reason: 'missing-signature' | 'unknown-key' | 'bad-signature' | 'malformed-policy' | 'resource-mismatch' | 'expired' | 'not-yet-valid';
    };

const SIGNING_PARAMS = ['Policy', 'Signature', 'Key-Pair-Id', 'Expires'];

function fromCloudFrontBase64(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/** CloudFront's Resource wildcard match: `*` any characters, `?` exactly one, the rest literal. */
export function cloudFrontWildcardMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(value);
}

export class CloudFrontSignedPolicyVerifier {
  private readonly keys: Map<string, KeyObject>;

  /** `keys`: the key group's public keys by id (PEM). */
  constructor(keys: Readonly<Record<string, string>>) {
    this.keys = new Map(Object.entries(keys).map(([id, pem]) => [id, createPublicKey(pem)]));
  }

  /** Decides a GET of `requestUrl` (with any signing query parameters) and the viewer's cookies, at `nowMs`. */
  public check(requestUrl: string, nowMs: number, cookies: Readonly<Record<string, string>> = {}): SignedRequestDecision {
    const url = new URL(requestUrl);
    const q = (k: string) => url.searchParams.get(k) ?? undefined;
    const fromUrl = q('Signature') !== undefined;
    const signature = fromUrl ? q('Signature') : cookies['CloudFront-Signature'];
    const keyId = fromUrl ? q('Key-Pair-Id') : cookies['CloudFront-Key-Pair-Id'];
    const encodedPolicy = fromUrl ? q('Policy') : cookies['CloudFront-Policy'];
    const expires = fromUrl ? q('Expires') : cookies['CloudFront-Expires'];
    if (signature === undefined || keyId === undefined || (encodedPolicy === undefined && expires === undefined)) return { allowed: false, reason: 'missing-signature' };
    const key = this.keys.get(keyId);
    if (!key) return { allowed: false, reason: 'unknown-key' };

    // The URL CloudFront compares: the request URL without the signing parameters, as sent.
    const raw = requestUrl.split('?');
    const kept = (raw[1] ?? '')
      .split('&')
      .filter((p) => p !== '' && !SIGNING_PARAMS.includes(p.split('=')[0]))
      .join('&');
    const compared = kept ? `${raw[0]}?${kept}` : raw[0];

    let policyText: string;
    if (encodedPolicy !== undefined) policyText = fromCloudFrontBase64(encodedPolicy).toString('utf8');
    else {
      if (!/^\d+$/.test(expires!)) return { allowed: false, reason: 'malformed-policy' };
      policyText = JSON.stringify({ Statement: [{ Resource: compared, Condition: { DateLessThan: { 'AWS:EpochTime': Number(expires) } } }] });
    }
    const verified = createVerify('RSA-SHA1').update(policyText).verify(key, fromCloudFrontBase64(signature));
    if (!verified) return { allowed: false, reason: 'bad-signature' };

    let policy: { Statement?: Array<{ Resource?: unknown; Condition?: Record<string, Record<string, unknown>> }> };
    try {
      policy = JSON.parse(policyText);
    } catch {
      return { allowed: false, reason: 'malformed-policy' };
    }
    const statements = policy.Statement;
    if (!Array.isArray(statements) || statements.length !== 1) return { allowed: false, reason: 'malformed-policy' };
    const [st] = statements;
    const condition = st.Condition ?? {};
    if (condition.IpAddress) throw new Error('CloudFrontSignedPolicyVerifier does not model IpAddress conditions');
    const lessThan = condition.DateLessThan?.['AWS:EpochTime'];
    if (typeof st.Resource !== 'string' || typeof lessThan !== 'number') return { allowed: false, reason: 'malformed-policy' };
    const now = Math.floor(nowMs / 1000);
    if (!(now < lessThan)) return { allowed: false, reason: 'expired' };
    const greaterThan = condition.DateGreaterThan?.['AWS:EpochTime'];
    if (typeof greaterThan === 'number' && !(now > greaterThan)) return { allowed: false, reason: 'not-yet-valid' };
    if (!cloudFrontWildcardMatch(st.Resource, compared)) return { allowed: false, reason: 'resource-mismatch' };
    return { allowed: true, resource: st.Resource };
  }
}
