/**
 * TI-CACHE1: a cache user reaches all keys or channels, or keeps keyless/server-wide commands.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult, NagRules } from 'cdk-nag';
import { render } from '../../../nag/inspect/template';
import { patternsWithoutDelimiter } from '../../../nag/inspect/tenant-scope';
import { CACHE_ROOT } from '../../../core/namespace';
import { TenantIsolationRule } from '../../../nag/rule';
import { parseAccessString, unconfinedCommands } from '../../../core/cache-acl';

/** `tenant:<id>:` followed by anything: a pattern inside one tenant's namespace. */
const TENANT_PATTERN = new RegExp(`^${CACHE_ROOT}[a-z][a-z0-9-]*:`);

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ElastiCache::User') return NagRuleCompliance.NOT_APPLICABLE;
  const p = render(node).properties;
  const userName = NagRules.resolveIfPrimitive(node, p.UserName);
  if (userName === 'default') return NagRuleCompliance.NOT_APPLICABLE; // TI-CACHE2
  const accessString = NagRules.resolveIfPrimitive(node, p.AccessString);
  if (typeof accessString !== 'string') return NagRuleCompliance.NOT_APPLICABLE;
  const acl = parseAccessString(accessString);
  const findings = new Set<string>();
  for (const k of acl.keyPatterns) {
    if (k === '*') findings.add('AllKeys');
    else if (patternsWithoutDelimiter(`~${k}`).length > 0 || !TENANT_PATTERN.test(k)) findings.add(`KeyPattern::${k}`);
  }
  for (const c of acl.channelPatterns) {
    if (c === '*') findings.add('AllChannels');
    else if (patternsWithoutDelimiter(`&${c}`).length > 0 || !TENANT_PATTERN.test(c)) findings.add(`ChannelPattern::${c}`);
  }
  for (const cmd of unconfinedCommands(acl)) findings.add(`Command::${cmd}`);
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const CacheUserAccess: TenantIsolationRule = {
  id: 'CACHE1',
  area: 'cache',
  info: 'An ElastiCache user reaches all keys or channels (~*, allkeys, &*, allchannels), a pattern outside tenant:<id>:, or keyless/server-wide commands (+@all, +@dangerous, +@admin, +keys, +scan, +flushall, ...).',
  explanation:
    'Key patterns do not confine commands that declare no keys: a user with ~tenant:a:* +@all can still KEYS, SCAN and FLUSHALL every tenant (valkey-io/valkey#370). ' +
    'Grant data categories and remove every keyless command explicitly (-@dangerous -@admin -keys -scan -randomkey -dbsize -flushall -flushdb -info -pubsub ...); the access string is evaluated in order. Findings: AllKeys, AllChannels, KeyPattern::<p>, ChannelPattern::<p>, Command::<cmd>.',
  check,
};
