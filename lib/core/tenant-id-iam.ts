/**
 * The TenantId rule, expressed in what IAM conditions can say.
 *
 * IAM has no regular expressions: `StringLike` knows only `*` and `?`. So a session tag value is
 * held to the TenantId rule by two conditions on `aws:RequestTag/TenantId` in a trust policy:
 *
 * - `StringLike` TENANT_TAG_REQUIRED_PATTERN: present, at least the minimum length;
 * - `StringNotLike` TENANT_TAG_REFUSED_PATTERNS: none of the shapes the rule forbids. For a
 *   single-valued key, `StringNotLike` with several values is true only when no value matches.
 *
 * STS accepts tag values made of Unicode letters, digits, spaces and `_ . : / = + - @`
 * (IAM User Guide, id_session-tags). Every ASCII character of that set outside `[a-z0-9-]` is
 * refused below, and so is every structural rule (leading letter, double or trailing hyphen,
 * length, reserved words). Non-ASCII letters cannot be listed: a value such as `acmé` passes the
 * trust policy, but it names no tenant and, lacking the delimiters, cannot reach into another
 * tenant's namespace. The broker must take the tag from a verified identity (lib/runtime).
 */
import { RESERVED_TENANT_IDS, TENANT_ID_MAX_LENGTH, TENANT_ID_MIN_LENGTH } from './tenant-id';

/** Characters STS allows in tag values that a TenantId may not contain (ASCII part). */
const REFUSED_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), ' ', '_', '.', ':', '/', '=', '+', '@'];

/** `StringLike` pattern every accepted tag value matches: at least TENANT_ID_MIN_LENGTH characters. */
export const TENANT_TAG_REQUIRED_PATTERN = '?'.repeat(TENANT_ID_MIN_LENGTH) + '*';

/** `StringNotLike` patterns: a tag value matching any of them is not a TenantId. */
export const TENANT_TAG_REFUSED_PATTERNS: readonly string[] = [
  ...REFUSED_CHARACTERS.map((c) => `*${c}*`),
  ...'0123456789'.split('').map((d) => `${d}*`), // must start with a letter
  '-*', // must start with a letter
  '*--*', // no double hyphen
  '*-', // no trailing hyphen
  '?'.repeat(TENANT_ID_MAX_LENGTH + 1) + '*', // too long
  ...RESERVED_TENANT_IDS, // exact words (no wildcards)
];

/** IAM `StringLike` semantics (`*` any run, `?` one character, case-sensitive), for tests and the audit. */
export function iamStringLike(value: string, pattern: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

/** True when a tag value passes both trust-policy conditions. */
export function tagValueAcceptedByTrustPolicy(value: string): boolean {
  return iamStringLike(value, TENANT_TAG_REQUIRED_PATTERN) && !TENANT_TAG_REFUSED_PATTERNS.some((p) => iamStringLike(value, p));
}

/** What STS itself accepts as a session tag value (IAM User Guide, id_session-tags): ≤ 256 characters of these. */
export function stsAcceptsTagValue(value: string): boolean {
  return value.length <= 256 && /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value);
}
