/**
 * TI-CACHE2: the `default` user every ElastiCache user group must contain is enabled.
 *
 * A user group must include a user whose UserName is `default` (ElastiCache User Guide,
 * Clusters.RBAC); the built-in user with UserId `default` is `on ~* +@all` with no password, so
 * it must be replaced by a user that is `off` with no keys and no commands.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult, NagRules } from 'cdk-nag';
import { render } from '../../../nag/inspect/template';
import { asList, flattener, requireData } from '../../../nag/inspect/values';
import { TenantIsolationRule } from '../../../nag/rule';
import { parseAccessString } from '../../../core/cache-acl';

function check(node: CfnResource): NagRuleResult {
  const r = render(node);
  if (r.type === 'AWS::ElastiCache::UserGroup') {
    const ids = asList(requireData(node, r.properties.UserIds, 'UserIds') as unknown[]);
    // A reference to a user of this template is checked on that user (below); a literal
    // `default` is the built-in enabled user; any other intrinsic cannot be evaluated (throws).
    const flat = flattener(node);
    const values = ids.map((id, i) => flat(id, `UserIds[${i}]`));
    return values.includes('default') ? ['BuiltInDefaultUser'] : NagRuleCompliance.COMPLIANT;
  }
  if (r.type !== 'AWS::ElastiCache::User') return NagRuleCompliance.NOT_APPLICABLE;
  const userName = NagRules.resolveIfPrimitive(node, r.properties.UserName);
  if (userName !== 'default') return NagRuleCompliance.NOT_APPLICABLE;
  const accessString = NagRules.resolveIfPrimitive(node, r.properties.AccessString);
  const acl = parseAccessString(typeof accessString === 'string' ? accessString : '');
  const findings: string[] = [];
  if (acl.enabled) findings.push('Enabled');
  if (acl.grantsCommands) findings.push('GrantsCommands');
  if (acl.keyPatterns.length > 0 || acl.channelPatterns.length > 0) findings.push('GrantsKeysOrChannels');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const CacheDefaultUser: TenantIsolationRule = {
  id: 'CACHE2',
  area: 'cache',
  info: "An ElastiCache user group's default user is enabled: a user named default whose access string is on or grants commands, keys or channels, or the built-in default user in a group.",
  explanation:
    'Every user group must contain a user named default, and clients that connect without AUTH become that user. The built-in default user is on ~* +@all nopass. ' +
    'Ship a replacement default user with the access string "off -@all" (no keys, no channels). Findings: Enabled, GrantsCommands, GrantsKeysOrChannels, BuiltInDefaultUser.',
  check,
};
