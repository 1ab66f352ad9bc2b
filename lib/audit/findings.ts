/**
 * Findings as data: the matrix's Allowed requests, classified by the reason the allowing
 * statement gives, and the non-IAM checks (cache access strings, search options).
 */
import { CACHE_ROOT } from '../core/namespace';
import { parseAccessString, redisGlobMatch, unconfinedCommands } from '../core/cache-acl';
import { AuditConfig, EMPTY_CONFIG, TENANT_PLACEHOLDER } from './config';
import { configKeyMatches, Inventory } from './inventory';
import { Leak, MatrixResult } from './matrix';
import { isChained } from './probes/role-chains';
import { EveryTenantReach } from './reach';
import { tagUsedInPattern, TenantModel } from './tenant-model';
import { SourceRef, Statement } from './policy-model';
import { Rule, RULES, Severity } from './rules';
import { tenantClasses } from './tenant-classes';
import { Unresolved } from './intrinsics';
import { IdGrammar } from './id-grammar';

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** The principal (role) ARN, for IAM findings. */
  readonly principal?: string;
  readonly action?: string;
  /** The requested resource ARN, or the resource's ARN/name. */
  readonly resource?: string;
  /** `actingAs` null = an untagged session; `victim` '*' = every tenant at once. */
  readonly tenants?: { readonly actingAs: string | null; readonly victim: string };
  /** How many requests of the matrix share this rule, principal, resource and action. */
  readonly occurrences: number;
  /** Where to fix it: the allowing statement's template, else the resource's. */
  readonly templateFile: string;
  readonly logicalId: string;
  readonly constructPath?: string;
  readonly stack: string;
  readonly statementSid?: string;
  readonly why: string;
}

const TENANT_VAR = /\$\{aws:principaltag\/tenantid\}/i;
const VAR_WITHOUT_DELIMITER = /\$\{aws:principaltag\/tenantid\}(?![/:.])/i;

function failOpen(st: Statement, leak: Leak): boolean {
  return st.conditions.some((c) => {
    const op = c.operator.toLowerCase();
    const absent = !leak.probe.request.context[c.key.toLowerCase()];
    return absent && (op.endsWith('ifexists') || op.startsWith('forallvalues:'));
  });
}

function mentionsTenant(st: Statement): boolean {
  const strings = [...(st.resources ?? []), ...(st.notResources ?? []), ...st.conditions.flatMap((c) => [c.key, ...c.values])];
  return strings.some((s) => TENANT_VAR.test(s) || /tenants\/[a-z]|tenant:[a-z]|tenant-[a-z]|tenantid/i.test(s));
}

function classify(leak: Leak): { rule: Rule; statement?: Statement } {
  const st = leak.allowedBy[0];
  // A chained role's reach counts for the tenant the chain started from: fix the first hop.
  const p = leak.probe.principal;
  if (isChained(p)) return { rule: RULES.roleChain, statement: p.chain.allowedBy[0] ?? st };
  if (leak.probe.actingAs === null) return { rule: RULES.untaggedSession, statement: st };
  if (leak.probe.victim === '*') return { rule: RULES.crossTenantListing, statement: st };
  if (leak.probe.resource.type === 'AWS::IAM::Role') return { rule: RULES.roleChain, statement: st };
  if (!st) return { rule: RULES.crossTenant };
  if (leak.allowedBy.some((s) => failOpen(s, leak))) return { rule: RULES.failOpenCondition, statement: leak.allowedBy.find((s) => failOpen(s, leak)) };
  // Only patterns have a delimiter to miss: a Resource, or a Like / Arn condition value (an exact
  // StringEquals value such as a dynamodb:LeadingKeys of exactly the tenant id needs none).
  const patterns = [...(st.resources ?? []), ...st.conditions.filter((c) => /like|arn/i.test(c.operator)).flatMap((c) => c.values)];
  if (patterns.some((s) => VAR_WITHOUT_DELIMITER.test(s))) return { rule: RULES.missingDelimiter, statement: st };
  if (st.principals || st.notPrincipals) return { rule: RULES.wideResourcePolicy, statement: st };
  if (!mentionsTenant(st)) return { rule: RULES.unscopedGrant, statement: st };
  return { rule: RULES.crossTenant, statement: st };
}

function at(source: SourceRef): Pick<Finding, 'templateFile' | 'logicalId' | 'constructPath' | 'stack'> {
  return {
    templateFile: source.templateFile,
    logicalId: source.logicalId,
    stack: source.stack,
    ...(source.constructPath ? { constructPath: source.constructPath } : {}),
  };
}

export function matrixFindings(m: MatrixResult, inv?: Inventory, grammar?: IdGrammar): Finding[] {
  const isValid = (id: string) => (grammar ? grammar.isValid(id) : /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/.test(id));
  // Resource policies that use the tenant tag in a pattern: a non-id tag value could widen them.
  const resourcePatterns = inv ? tagUsedInPattern(inv.resources.flatMap((r) => r.policy)) : true;
  const groups = new Map<string, { finding: Finding; count: number }>();
  for (const leak of m.leaks) {
    const { rule, statement } = classify(leak);
    const p = leak.probe;
    const chain = isChained(p.principal) ? p.principal.chain : undefined;
    const principal = chain ? chain.origin : p.principal;
    const where = statement?.source ?? p.resource.source;
    const key = [rule.id, principal.arn, p.resource.arn, p.action, where.stack, where.logicalId].join('\u0000');
    const g = groups.get(key);
    if (g) {
      g.count++;
      continue;
    }
    const acting = p.actingAs === null ? 'a session without TenantId tag' : `tenant "${p.actingAs}"${isValid(p.actingAs) ? '' : ' (not a valid tenant id)'}`;
    const victim = p.victim === '*' ? 'every tenant at once' : `tenant "${p.victim}"`;
    const via = statement ? ` via ${statement.sid ? `statement ${statement.sid}` : 'a statement'} of ${statement.source?.logicalId ?? 'a policy'}` : '';
    groups.set(key, {
      count: 1,
      finding: {
        rule: rule.id,
        severity: rule.severity,
        principal: principal.arn,
        action: p.action,
        resource: p.resourceArn,
        tenants: { actingAs: p.actingAs, victim: p.victim },
        occurrences: 1,
        ...at(where),
        ...(statement?.sid ? { statementSid: statement.sid } : {}),
        why: `${chain ? `${chain.path.join(' -> ')} (sts:AssumeRole)` : p.principal.name} acting as ${acting} is allowed ${p.action} on ${victim}'s ${p.resource.source.logicalId}${via}`,
      },
    });
  }
  const out = [...groups.values()].map((g) => ({ ...g.finding, occurrences: g.count }));
  for (const h of m.acceptedHostileTags) {
    // A value whose only foreign characters are non-ASCII letters carries no delimiter; the
    // matrix above already proves what such a session reaches, so it is a note, not a warning.
    // eslint-disable-next-line no-control-regex -- [\x00-\x7f] is any ASCII character, control characters included on purpose.
    const asciiOnlyProblem = /[\x00-\x7f]/.test(h.value.replace(/[a-z0-9-]/g, '')) || h.value.length < 3 || h.value.length > 40;
    // A value that is not an id widens access only where the tag is used in a pattern (an ARN,
    // StringLike); compared with StringEquals it can only equal a value no tenant has, and the
    // matrix above evaluated such sessions anyway.
    const widens = resourcePatterns || tagUsedInPattern([...h.principal.identity, ...(h.principal.boundary ?? [])]);
    out.push({
      rule: RULES.trustTagValue.id,
      severity: asciiOnlyProblem && widens ? RULES.trustTagValue.severity : 'note',
      principal: h.principal.arn,
      action: 'sts:TagSession',
      tenants: { actingAs: h.value, victim: '*' },
      occurrences: 1,
      ...at(h.principal.source),
      why: `trust policy of ${h.principal.name} accepts session tag TenantId=${JSON.stringify(h.value)}, which is not a valid tenant id${widens ? '' : ' (the tag is only compared exactly, so it widens nothing)'}`,
    });
  }
  for (const op of m.unsupportedOperators) {
    out.push({
      rule: RULES.unsupportedOperator.id,
      severity: RULES.unsupportedOperator.severity,
      occurrences: 1,
      templateFile: '',
      logicalId: '',
      stack: '',
      why: `condition operator ${op} is not supported by the builtin engine`,
    });
  }
  return out;
}

/** Coverage: a tenant-facing principal refused everything on its own tenant's data proves nothing. */
export function coverageFindings(m: MatrixResult, model?: TenantModel): Finding[] {
  // A principal whose only tenant data is a database declared RLS-partitioned has nothing IAM
  // could refuse it: its TI-RLS-PARTITION note says where the proof ends instead.
  const rlsOnly = new Set(model?.rls.flatMap((u) => u.reachedBy.map((x) => x.principal)) ?? []);
  return m.coverage
    .filter((c) => c.ownAllowed === 0 && !(c.ownProbes === 0 && rlsOnly.has(c.principal)))
    .map((c) => ({
      rule: RULES.vacuousProof.id,
      // A role with no Allow at all (an offboarded tenant's) can do nothing: trivially true, a note.
      severity: c.principal.identity.some((st) => st.effect === 'Allow') ? RULES.vacuousProof.severity : ('note' as const),
      principal: c.principal.arn,
      occurrences: 1,
      ...at(c.principal.source),
      why:
        c.ownProbes === 0
          ? `${c.principal.name}: no store of its own tenant was found to probe, so the proof about it is vacuous`
          : `${c.principal.name}: 0 of ${c.ownProbes} own-tenant requests allowed, so the proof about it is vacuous (check the partitions, session policy and tags)`,
    }));
}

/** Stores tenant-facing principals reach without a partition; written by two tenants: cross-tenant. */
export function modelFindings(model: TenantModel): Finding[] {
  const out: Finding[] = [];
  for (const u of model.unclassified) {
    const r = u.store;
    const writers = new Map<string, (typeof u.reachedBy)[number]>();
    for (const x of u.reachedBy) if (x.write && x.principal.owner && !writers.has(x.principal.owner)) writers.set(x.principal.owner, x);
    if (writers.size >= 2) {
      const [a, b] = [...writers.values()];
      out.push({
        rule: RULES.crossTenant.id,
        severity: RULES.crossTenant.severity,
        principal: b.principal.arn,
        action: b.action,
        resource: r.arn,
        tenants: { actingAs: b.principal.owner!, victim: a.principal.owner! },
        occurrences: writers.size,
        ...at(r.source),
        why: `${r.source.logicalId} is written by roles of tenants ${[...writers.keys()].map((t) => `"${t}"`).join(' and ')} (${[...writers.values()].map((w) => `${w.principal.name}: ${w.action}`).join(', ')}) with no partition condition: a shared store`,
      });
      continue;
    }
    out.push({
      rule: RULES.unclassifiedStore.id,
      severity: RULES.unclassifiedStore.severity,
      resource: r.arn,
      occurrences: u.reachedBy.length,
      ...at(r.source),
      why: `${r.source.logicalId} (${r.type}) is reached by ${[...new Set(u.reachedBy.map((x) => x.principal.name))].join(', ')} but no tenant partition is visible: tag it TenantId=<id>, or declare partitions["${r.source.constructPath?.replace(/\/Resource$/, '') ?? r.source.logicalId}"] in the config${/^AWS::RDS::DB(Cluster|Instance)$/.test(r.type) ? ' (a pooled database protected by row-level security: {"rls": {"tenantSetting": "app.tenant_id"}})' : ''}`,
    });
  }
  return out;
}

/** What a regular-expression grammar leaves the proof (regex-ids.ts). */
export function grammarFindings(grammar: IdGrammar): Finding[] {
  return (grammar.analysis?.warnings ?? []).map((why) => ({
    rule: RULES.idGrammar.id,
    severity: RULES.idGrammar.severity,
    occurrences: 1,
    templateFile: '',
    logicalId: 'tenantIdPattern',
    stack: '',
    why,
  }));
}

/** Tenant-facing sessions that reach a pooled database declared RLS-partitioned: where the proof ends. */
export function rlsFindings(model: TenantModel): Finding[] {
  const out: Finding[] = [];
  for (const u of model.rls) {
    const r = u.store;
    const byPrincipal = new Map<string, (typeof u.reachedBy)[number][]>();
    for (const x of u.reachedBy) byPrincipal.set(x.principal.arn, [...(byPrincipal.get(x.principal.arn) ?? []), x]);
    for (const xs of byPrincipal.values()) {
      const p = xs[0].principal;
      const actions = [...new Set(xs.map((x) => x.action))];
      out.push({
        rule: RULES.rlsPartition.id,
        severity: RULES.rlsPartition.severity,
        principal: p.arn,
        action: actions[0],
        resource: r.arn,
        occurrences: xs.length,
        ...at(p.source),
        why: `${p.name} reaches ${r.source.logicalId} (${actions.join(', ')}): pooled, partition: RLS on ${r.rls?.tenantSetting} (config partitions["${r.rls?.key}"].rls); isolation rests on row-level security inside the database, outside the templates' proof — the audit proves who may connect, not which rows a connection sees`,
      });
    }
  }
  return out;
}

/** Principals that reach every tenant with their own credentials. */
export function reachFindings(reach: readonly EveryTenantReach[]): Finding[] {
  return reach.map((h) => {
    const p = h.principal;
    const key = p.source.constructPath?.replace(/\/Resource$/, '') ?? p.source.logicalId;
    const st = h.allowedBy[0];
    const what = h.silos
      ? `reaches the tenant-owned stores of ${h.silos.length} tenants with its own credentials (${h.silos.map((x) => `"${x.owner}": ${x.action} on ${x.store.source.stack}/${x.store.source.logicalId}`).join(', ')})`
      : h.via
        ? `${h.via} (the master user bypasses row-level security for every tenant)`
        : h.masterSecret
          ? `may read ${h.store.source.logicalId}, the master credentials of ${h.store.masterSecretOf} (the master user bypasses row-level security for every tenant)`
          : `reaches every tenant's part of ${h.store.source.logicalId} (${h.store.partition?.kind} ${h.store.partition?.template}) with ${h.action} on its own credentials`;
    const base = {
      principal: p.arn,
      action: h.action,
      resource: h.resource,
      tenants: { actingAs: null, victim: '*' },
      occurrences: 1,
      ...at(st?.source ?? p.source),
      ...(st?.sid ? { statementSid: st.sid } : {}),
    };
    if (isChained(p)) {
      // Reached through a role chain that starts at a tenant session: fix the first hop.
      const first = p.chain.allowedBy[0];
      const rest: Record<string, unknown> = { ...base };
      delete rest.statementSid;
      return {
        ...rest,
        principal: p.chain.origin.arn,
        ...at(first?.source ?? p.chain.origin.source),
        ...(first?.sid ? { statementSid: first.sid } : {}),
        rule: RULES.roleChain.id,
        severity: RULES.roleChain.severity,
        why: `${p.chain.path.join(' -> ')} (sts:AssumeRole): ${p.name} ${what}`,
      };
    }
    if (p.platformReason) {
      return {
        ...base,
        rule: RULES.platformPrincipal.id,
        severity: RULES.platformPrincipal.severity,
        why: `${p.name} ${what}; declared platformPrincipals["${p.platformReason.key}"]: ${p.platformReason.reason}`,
      };
    }
    if (p.assumableByAws && !p.abac && !p.owner && !h.masterSecret) {
      return {
        ...base,
        rule: RULES.vendedSessionPolicy.id,
        severity: RULES.vendedSessionPolicy.severity,
        why: `${p.name} is assumed by other principals and ${what}: isolation rests on a session policy built in code the templates do not show; declare it as sessionPolicies["${key}"] (with {{tenant}}) so the audit can prove it, or as platformPrincipals["${key}"] if it reaches every tenant by design`,
      };
    }
    return {
      ...base,
      rule: RULES.allTenants.id,
      severity: RULES.allTenants.severity,
      why: `${p.name} ${what}; give it tenant sessions or declare platformPrincipals["${key}"] with a reason`,
    };
  }) as Finding[];
}

export function inventoryFindings(inv: Inventory, unresolved: readonly Unresolved[]): Finding[] {
  const out: Finding[] = [];
  for (const u of inv.unreadable) {
    out.push({
      rule: RULES.unresolved.id,
      severity: RULES.unresolved.severity,
      occurrences: 1,
      ...at(u.source),
      why: `${u.what} could not be read (an unresolved value); it was read in the open direction (true in an Allow, false in a Deny), so the proof does not cover what it restricts`,
    });
  }
  for (const p of inv.principals) {
    if (!(p.owner || p.abac || p.sessionPolicy)) continue;
    for (const ext of p.externalPolicies) {
      out.push({
        rule: RULES.externalPolicy.id,
        severity: RULES.externalPolicy.severity,
        principal: p.arn,
        occurrences: 1,
        ...at(p.source),
        why: `${p.name} has ${ext}, which is not in the assembly and was not evaluated`,
      });
    }
  }
  const policyIds = new Set(inv.unresolvedPolicies.map((s) => `${s.templateFile}\u0000${s.logicalId}`));
  const seen = new Set<string>();
  for (const u of unresolved) {
    const k = `${u.templateFile}\u0000${u.logicalId}\u0000${u.reason}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const inPolicy = policyIds.has(`${u.templateFile}\u0000${u.logicalId}`);
    out.push({
      rule: RULES.unresolved.id,
      severity: inPolicy ? 'warning' : 'note',
      occurrences: 1,
      templateFile: u.templateFile,
      logicalId: u.logicalId,
      stack: u.stack,
      why: `${u.reason}${inPolicy ? ' (inside a policy document)' : ''}`,
    });
  }
  return out;
}

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function cacheFindings(inv: Inventory, grammar?: IdGrammar, config: AuditConfig = EMPTY_CONFIG): Finding[] {
  const out: Finding[] = [];
  for (const u of inv.cacheUsers) {
    // The tenant key prefix: the config's keyPrefix for this user (or every user), else the namespace contract.
    const declared = Object.entries(config.partitions).find(([k, v]) => v.keyPrefix && (k === 'AWS::ElastiCache::User' || configKeyMatches(k, u.source)))?.[1].keyPrefix;
    const [pre, post] = (declared ?? `${CACHE_ROOT}${TENANT_PLACEHOLDER}:`).split(TENANT_PLACEHOLDER);
    const cacheKey = (tenant: string) => `${pre}${tenant}${post}audit-probe`;
    const namedRe = new RegExp(`${escapeRe(pre)}([A-Za-z0-9][A-Za-z0-9_-]*)${escapeRe(post)}`, 'g');
    const acl = parseAccessString(u.accessString);
    const f = (rule: Rule, why: string): Finding => ({
      rule: rule.id,
      severity: rule.severity,
      resource: u.userId,
      occurrences: 1,
      ...at(u.source),
      why: `cache user ${u.userName}: ${why}`,
    });
    if (u.userName === 'default') {
      if (acl.enabled || acl.keyPatterns.length > 0 || acl.channelPatterns.length > 0 || acl.grantsCommands) {
        out.push(f(RULES.cacheDefaultUser, `access string "${u.accessString}" must be "off -@all" with no keys or channels`));
      }
      continue;
    }
    if (acl.unknownTokens.length > 0) {
      out.push({
        rule: RULES.unresolved.id,
        severity: RULES.unresolved.severity,
        resource: u.userId,
        occurrences: 1,
        ...at(u.source),
        why: `cache user ${u.userName}: access string tokens not understood: ${acl.unknownTokens.join(' ')}`,
      });
    }
    if (!acl.enabled) continue;
    // Owner: tag, else the one tenant its key patterns name.
    const named = new Set([...u.accessString.matchAll(namedRe)].map((m) => m[1]).filter((t) => !grammar || grammar.isValid(t)));
    const owner = u.owner ?? (named.size === 1 ? [...named][0] : undefined);
    const classes = tenantClasses(owner ? [owner, ...named] : [...named], grammar);
    const victims = classes.filter((t) => t !== owner);
    for (const p of acl.keyPatterns) {
      const hit = victims.find((v) => redisGlobMatch(p, cacheKey(v)));
      if (hit) out.push(f(RULES.cacheKeys, `key pattern "~${p}" matches ${cacheKey(hit)} of tenant "${hit}"${owner ? ` (user belongs to "${owner}")` : ''}`));
    }
    for (const p of acl.channelPatterns) {
      const hit = victims.find((v) => redisGlobMatch(p, cacheKey(v)));
      if (hit) out.push(f(RULES.cacheChannels, `channel pattern "&${p}" matches ${cacheKey(hit)} of tenant "${hit}"`));
    }
    const keyless = unconfinedCommands(acl);
    if (keyless.length > 0 && (owner || acl.keyPatterns.length > 0)) {
      out.push(f(RULES.cacheKeyless, `may run keyless commands ${keyless.map((c) => c.toUpperCase()).join(', ')}`));
    }
  }
  return out;
}

export const EXPLICIT_INDEX_OPTION = 'rest.action.multi.allow_explicit_index';

export function searchFindings(inv: Inventory): Finding[] {
  return inv.searchDomains
    .filter((d) => String(d.advancedOptions[EXPLICIT_INDEX_OPTION]).toLowerCase() !== 'false')
    .map((d) => ({
      rule: RULES.searchExplicitIndex.id,
      severity: RULES.searchExplicitIndex.severity,
      resource: d.arn,
      occurrences: 1,
      ...at(d.source),
      why: `AdvancedOptions["${EXPLICIT_INDEX_OPTION}"] is ${JSON.stringify(d.advancedOptions[EXPLICIT_INDEX_OPTION] ?? '(unset: defaults to true)')}, must be "false"`,
    }));
}
