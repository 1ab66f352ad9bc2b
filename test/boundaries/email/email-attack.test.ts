/**
 * Attack tests for the email boundary: TenantAccessRole sessions of one tenant against another
 * tenant's SES identity, configuration set, templates and suppression list, evaluated on the
 * synthesized identity policies with the iam-simulate oracle (SES has no resource policies in
 * this app). SES checks a send against every resource it names (identity, configuration set,
 * template: Service Authorization Reference, list_amazonsimpleemailservicev2), so each resource
 * is a request of its own here, with the condition keys a real send carries (ses:FromAddress,
 * ses:TenantName, ses:FeedbackAddress). Tenants whose ids share leading letters (acm, acme,
 * acme-corp) are included, and a retired tenant.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { Decision, evaluate, PolicyDocument } from '../../helpers/iam-attack';
import { ACTIVE, attackBlueprint, RETIRED } from '../../helpers/attack-blueprint';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const { blueprint, accessRoleArn, accessIdentity } = attackBlueprint('email attack registry');

const ses = (resource: string) => `arn:${TEST_ENV.partition}:ses:${TEST_ENV.region}:${TEST_ENV.account}:${resource}`;

interface TenantSes {
  domain: string;
  identityArn: string;
  configurationSetArn: string;
  templateArn: string;
  sesTenantName: string;
  /** SES generates the id part of a tenant ARN; any value stands for it. */
  sesTenantArn: string;
}
/** Everything read from the synthesized tenant templates, not from the names module. */
const tenants = new Map<string, TenantSes>();
for (const stack of blueprint.tenants) {
  const t = Template.fromStack(stack).toJSON() as TemplateJson;
  const one = (type: string) => {
    const ids = logicalIdsOfType(t, type);
    expect(ids).toHaveLength(1);
    return t.Resources[ids[0]].Properties as Record<string, unknown>;
  };
  const domain = one('AWS::SES::EmailIdentity').EmailIdentity as string;
  const sesTenantName = one('AWS::SES::Tenant').TenantName as string;
  tenants.set(stack.tenant.id.value, {
    domain,
    identityArn: ses(`identity/${domain}`),
    configurationSetArn: ses(`configuration-set/${one('AWS::SES::ConfigurationSet').Name as string}`),
    templateArn: ses(`template/${(one('AWS::SES::Template').Template as { TemplateName: string }).TemplateName}`),
    sesTenantName,
    sesTenantArn: ses(`tenant/${sesTenantName}/tn-0123456789abcdef`),
  });
}
const of = (tenant: string) => tenants.get(tenant)!;

/** The keys a send of `from`'s address through `through`'s SES tenant carries. */
const sendContext = (from: string, through: string, extra: Record<string, string> = {}) => ({
  'ses:FromAddress': `noreply@${of(from).domain}`,
  'ses:TenantName': of(through).sesTenantName,
  'ses:Recipients': ['someone@customer.example'],
  ...extra,
});

interface Case {
  name: string;
  tenant: string | undefined;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  expected: Decision;
}
const cases: Case[] = [];
const sendResources = (t: string) =>
  [
    ['identity', of(t).identityArn],
    ['configuration set', of(t).configurationSetArn],
    ['template', of(t).templateArn],
  ] as const;

for (const attacker of ACTIVE) {
  for (const victim of [...ACTIVE, RETIRED].filter((v) => v !== attacker)) {
    // Sending as the victim: its identity / configuration set / template, in every combination of
    // whose From address and whose SES tenant the request names.
    for (const [which, arn] of sendResources(victim)) {
      for (const [from, through] of [
        [victim, victim],
        [attacker, attacker],
        [victim, attacker],
        [attacker, victim],
      ]) {
        cases.push({
          name: `${attacker} ses:SendEmail with ${victim}'s ${which} (From ${from}, TenantName ${through})`,
          tenant: attacker,
          action: 'ses:SendEmail',
          resource: arn,
          context: sendContext(from, through),
          expected: 'ExplicitlyDenied',
        });
      }
    }
    for (const [which, arn] of sendResources(victim).slice(0, 2)) {
      cases.push({
        name: `${attacker} ses:SendRawEmail with ${victim}'s ${which}`,
        tenant: attacker,
        action: 'ses:SendRawEmail',
        resource: arn,
        context: { 'ses:FromAddress': `noreply@${of(attacker).domain}` },
        expected: 'ExplicitlyDenied',
      });
    }
    // Its own identity, but the victim's From, Return-Path or SES tenant.
    const own = of(attacker).identityArn;
    for (const [what, context] of [
      ['From address', sendContext(victim, attacker)],
      ['feedback (Return-Path) address', sendContext(attacker, attacker, { 'ses:FeedbackAddress': `bounces@${of(victim).domain}` })],
      ['SES tenant', sendContext(attacker, victim)],
    ] as const) {
      // ses:TenantName is a key of SendEmail only (SendRawEmail lists none: Service Authorization
      // Reference); a raw send naming the victim's tenant would be refused by SES itself, because
      // the attacker's identity is not associated with that tenant (SendEmail: TenantName).
      for (const action of what === 'SES tenant' ? ['ses:SendEmail'] : ['ses:SendEmail', 'ses:SendRawEmail']) {
        cases.push({
          name: `${attacker} ${action} from its own identity with ${victim}'s ${what}`,
          tenant: attacker,
          action,
          resource: own,
          context,
          expected: 'ExplicitlyDenied',
        });
      }
    }
    // The victim's suppression list, templates and configuration set.
    for (const action of [
      'ses:GetSuppressedDestination',
      'ses:PutSuppressedDestination',
      'ses:DeleteSuppressedDestination',
      'ses:ListSuppressedDestinations',
      'ses:GetTenant',
    ]) {
      cases.push({ name: `${attacker} ${action} on ${victim}'s SES tenant`, tenant: attacker, action, resource: of(victim).sesTenantArn, expected: 'ExplicitlyDenied' });
    }
    for (const action of ['ses:GetEmailTemplate', 'ses:UpdateEmailTemplate', 'ses:DeleteEmailTemplate']) {
      cases.push({ name: `${attacker} ${action} on ${victim}'s template`, tenant: attacker, action, resource: of(victim).templateArn, expected: 'ExplicitlyDenied' });
    }
    for (const action of [
      'ses:GetConfigurationSet',
      'ses:PutConfigurationSetSendingOptions',
      'ses:PutConfigurationSetSuppressionOptions',
      'ses:UpdateConfigurationSetEventDestination',
      'ses:DeleteConfigurationSet',
    ]) {
      cases.push({
        name: `${attacker} ${action} on ${victim}'s configuration set`,
        tenant: attacker,
        action,
        resource: of(victim).configurationSetArn,
        expected: 'ExplicitlyDenied',
      });
    }
    cases.push({
      name: `${attacker} ses:GetEmailIdentity on ${victim}'s identity`,
      tenant: attacker,
      action: 'ses:GetEmailIdentity',
      resource: of(victim).identityArn,
      expected: 'ExplicitlyDenied',
    });
  }
  // Must-allow: the tenant's own sends and its own suppression list.
  for (const [which, arn] of sendResources(attacker)) {
    cases.push({
      name: `${attacker} ses:SendEmail with its own ${which}`,
      tenant: attacker,
      action: 'ses:SendEmail',
      resource: arn,
      context: sendContext(attacker, attacker),
      expected: 'Allowed',
    });
  }
  cases.push({
    name: `${attacker} ses:SendEmail with its own identity and its own Return-Path`,
    tenant: attacker,
    action: 'ses:SendEmail',
    resource: of(attacker).identityArn,
    context: sendContext(attacker, attacker, { 'ses:FeedbackAddress': `bounces@${of(attacker).domain}` }),
    expected: 'Allowed',
  });
  for (const [which, arn] of sendResources(attacker).slice(0, 2)) {
    cases.push({
      name: `${attacker} ses:SendRawEmail with its own ${which}`,
      tenant: attacker,
      action: 'ses:SendRawEmail',
      resource: arn,
      context: { 'ses:FromAddress': `noreply@${of(attacker).domain}` },
      expected: 'Allowed',
    });
  }
  for (const action of ['ses:GetSuppressedDestination', 'ses:PutSuppressedDestination', 'ses:DeleteSuppressedDestination', 'ses:ListSuppressedDestinations']) {
    cases.push({ name: `${attacker} ${action} on its own SES tenant`, tenant: attacker, action, resource: of(attacker).sesTenantArn, expected: 'Allowed' });
  }
  cases.push({
    name: `${attacker} ses:GetEmailTemplate on its own template`,
    tenant: attacker,
    action: 'ses:GetEmailTemplate',
    resource: of(attacker).templateArn,
    expected: 'Allowed',
  });
  // Least privilege on its own resources: no template edits, no unpausing itself, no sends
  // outside its SES tenant (SendEmail without TenantName).
  for (const [action, resource] of [
    ['ses:UpdateEmailTemplate', of(attacker).templateArn],
    ['ses:DeleteEmailTemplate', of(attacker).templateArn],
    ['ses:PutConfigurationSetSendingOptions', of(attacker).configurationSetArn],
    ['ses:PutConfigurationSetSuppressionOptions', of(attacker).configurationSetArn],
  ] as const) {
    cases.push({ name: `${attacker} ${action} on its own resource (the platform's job)`, tenant: attacker, action, resource, expected: 'ImplicitlyDenied' });
  }
  cases.push({
    name: `${attacker} ses:SendEmail from its own identity without an SES tenant`,
    tenant: attacker,
    action: 'ses:SendEmail',
    resource: of(attacker).identityArn,
    context: { 'ses:FromAddress': `noreply@${of(attacker).domain}` },
    expected: 'ImplicitlyDenied',
  });
}
// Account-level requests (resource `*`): the account suppression list and account settings are
// nobody's to read or change. The oracle accepts a literal `*` only for actions without resource
// types (PutAccountSuppressionAttributes, GetAccount); for the suppression-list actions, whose
// tenant resource is optional, it reads `*` as "any resource like this" and refuses any other
// stand-in (AWS-FACTS.md), so those are covered by the same NotResource Deny, shown here on the
// account-level actions it can simulate.
for (const tenant of ACTIVE) {
  for (const action of ['ses:PutAccountSuppressionAttributes', 'ses:GetAccount', 'ses:PutAccountSendingAttributes']) {
    cases.push({ name: `${tenant} ${action} (account level)`, tenant, action, resource: '*', expected: 'ExplicitlyDenied' });
  }
}
// No tenant tag, or a retired tenant: nothing.
for (const victim of [...ACTIVE, RETIRED]) {
  cases.push({
    name: `untagged session ses:SendEmail with ${victim}'s identity`,
    tenant: undefined,
    action: 'ses:SendEmail',
    resource: of(victim).identityArn,
    context: sendContext(victim, victim),
    expected: 'ExplicitlyDenied',
  });
}
cases.push({
  name: `retired ${RETIRED} ses:SendEmail with its own retained identity`,
  tenant: RETIRED,
  action: 'ses:SendEmail',
  resource: of(RETIRED).identityArn,
  context: sendContext(RETIRED, RETIRED),
  expected: 'ExplicitlyDenied',
});

describe('email boundary under the IAM oracle', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const decision = await evaluate({
      roleArn: accessRoleArn,
      tenant: c.tenant,
      action: c.action,
      resource: c.resource,
      identityPolicies: accessIdentity as PolicyDocument[],
      context: c.context,
    });
    expect(decision).toBe(c.expected);
  });

  test('every tenant has its own identity, configuration set, template and SES tenant', () => {
    for (const field of ['domain', 'configurationSetArn', 'templateArn', 'sesTenantName'] as const) {
      expect(new Set([...tenants.values()].map((t) => t[field])).size).toBe(tenants.size);
    }
    expect(cases.filter((c) => c.expected === 'Allowed').length).toBeGreaterThan(0);
  });
});
