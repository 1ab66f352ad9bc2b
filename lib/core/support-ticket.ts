/**
 * The support ticket reference, expressed in what IAM conditions can say.
 *
 * Format: `SUP-<digits>`, 1 to SUPPORT_TICKET_MAX_DIGITS ASCII digits (`SUP-4711`). Every support
 * session carries it as the STS session tag `SupportTicket`, so every CloudTrail event of that
 * session names the ticket that justified it.
 *
 * IAM has no regular expressions (`StringLike` knows only `*` and `?`), so the trust policy holds
 * the value to the format the same way tenant-id-iam.ts does for TenantId: a `StringLike`
 * pattern it must match and `StringNotLike` patterns it must not. Every ASCII character STS allows
 * in a tag value (letters, space, `_ . : / = + - @`; IAM User Guide, id_session-tags) is refused
 * after the prefix. Non-ASCII digits and letters cannot be listed: `SUP-٤٧` passes the trust
 * policy, names no ticket, and reaches no data a well-formed ticket would not.
 */

/** The STS session tag key that carries the ticket reference. */
export const SUPPORT_TICKET_TAG_KEY = 'SupportTicket';
/** Every ticket reference starts with this. */
export const SUPPORT_TICKET_PREFIX = 'SUP-';
/** Longest accepted number part. */
export const SUPPORT_TICKET_MAX_DIGITS = 12;

/** The whole rule as a regular expression: the reference for tests, the CLI and docs. */
export const SUPPORT_TICKET_PATTERN = new RegExp(`^${SUPPORT_TICKET_PREFIX}[0-9]{1,${SUPPORT_TICKET_MAX_DIGITS}}$`);

/** ASCII characters STS allows in tag values that may not follow the prefix. */
const REFUSED_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split(''), ' ', '_', '.', ':', '/', '=', '+', '-', '@'];

/** `StringLike`: the prefix and at least one more character. */
export const SUPPORT_TICKET_REQUIRED_PATTERN = `${SUPPORT_TICKET_PREFIX}?*`;

/**
 * The shape a trust policy checks (`StringNotLike`): no delimiter, no second hyphen, not too long.
 * Letters inside the number are refused by SUPPORT_TICKET_REFUSED_PATTERNS in the role's
 * permission policy instead: the full list costs about 300 characters, and a trust policy must
 * fit IAM's 2,048-character default quota (IAM quotas) together with the TenantId rule and the
 * named principals. A session whose ticket has the right shape but a letter in it is assumed,
 * alerted, and denied every action.
 */
export const SUPPORT_TICKET_SHAPE_REFUSED_PATTERNS: readonly string[] = [
  ...[' ', '_', '.', ':', '/', '=', '+', '@'].map((c) => `*${c}*`),
  `${SUPPORT_TICKET_PREFIX}*-*`,
  SUPPORT_TICKET_PREFIX + '?'.repeat(SUPPORT_TICKET_MAX_DIGITS + 1) + '*',
];

/**
 * `StringNotLike`: a value matching any of these is not a ticket reference. A character that
 * does not occur in the prefix is refused anywhere (`*A*`); one that does (`S`, `U`, `P`, `-`) only
 * after it (`SUP-*S*`). Same meaning, about 230 characters less: the trust policy of
 * SupportAccessRole must fit IAM's 2,048-character default quota (IAM quotas) with room for principals.
 */
export const SUPPORT_TICKET_REFUSED_PATTERNS: readonly string[] = [
  ...REFUSED_CHARACTERS.map((c) => (SUPPORT_TICKET_PREFIX.includes(c) ? `${SUPPORT_TICKET_PREFIX}*${c}*` : `*${c}*`)),
  SUPPORT_TICKET_PREFIX + '?'.repeat(SUPPORT_TICKET_MAX_DIGITS + 1) + '*', // too long
];
