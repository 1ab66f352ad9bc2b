/** TI-SES1: compliant, non-compliant and error cases, each on the smallest stack that shows it. */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SesSendScope } from '../../../lib/nag';
import { TenantEmailAccess } from '../../../lib/boundaries/email/email-access';
import { PRINCIPAL_TENANT } from '../../../lib/core/namespace';
import { describeRule } from '../../nag/support';

const SES = 'arn:aws:ses:eu-west-1:111111111111';
const T = PRINCIPAL_TENANT;

const grant = (sid: string, actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) => (stack: Stack) => {
  new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ sid, actions, resources, conditions })] });
};

describeRule(SesSendScope, [
  {
    name: "Compliance 1: the construct's own grant (TenantEmailAccess)",
    build: (stack) => {
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      new TenantEmailAccess(stack, 'Email', { qualifier: 'tib' }).grantTenantAccess(role);
    },
    expected: [],
  },
  {
    name: 'Compliance 2: identity and configuration set named with the session tag',
    build: grant('Own', ['ses:SendEmail'], [`${SES}:identity/${T}.mail.example.com`, `${SES}:configuration-set/tib-tenant-${T}-email`]),
    expected: [],
  },
  {
    name: 'Compliance 3: Resource * bound by ses:TenantName on the session tag',
    build: grant('ByTenant', ['ses:SendEmail'], ['*'], { StringEquals: { 'ses:TenantName': `tib-tenant-${T}` } }),
    expected: [],
  },
  {
    name: 'Compliance 4: an exact platform identity (one sender, no wildcard)',
    build: grant('Platform', ['ses:SendEmail', 'ses:SendRawEmail'], [`${SES}:identity/notifications.example.com`]),
    expected: [],
  },
  {
    name: 'Compliance 5: an identity wildcard bound by ses:FromAddress of one literal domain',
    build: grant('Acme', ['ses:SendEmail'], [`${SES}:identity/*`], { StringLike: { 'ses:FromAddress': '*@acme.mail.example.com' } }),
    expected: [],
  },
  {
    name: 'Compliance 6: a Deny is not a grant; other SES actions are not sends',
    build: (stack) => {
      new iam.ManagedPolicy(stack, 'Policy', {
        statements: [
          new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['ses:*'], resources: ['*'] }),
          new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }),
        ],
      });
    },
    expected: [],
  },
  { name: 'Noncompliance 1: SendEmail on Resource *', build: grant('Open', ['ses:SendEmail'], ['*']), expected: ['[Open::Resource::*]'] },
  {
    name: 'Noncompliance 2: an identity wildcard and a configuration-set wildcard',
    build: grant('Wild', ['ses:SendRawEmail'], [`${SES}:identity/*`, `${SES}:configuration-set/tib-tenant-*`]),
    expected: [`[Wild::Resource::${SES}:identity/*]`, `[Wild::Resource::${SES}:configuration-set/tib-tenant-*]`],
  },
  {
    name: 'Noncompliance 3: ses:* and ses:Send* reach the send actions',
    build: (stack) => {
      new iam.ManagedPolicy(stack, 'Policy', {
        statements: [
          new iam.PolicyStatement({ sid: 'All', actions: ['ses:*'], resources: [`${SES}:*`] }),
          new iam.PolicyStatement({ sid: 'Send', actions: ['ses:Send*'], resources: [`${SES}:identity/*.mail.example.com`] }),
        ],
      });
    },
    expected: [`[All::Resource::${SES}:*]`, `[Send::Resource::${SES}:identity/*.mail.example.com]`],
  },
  {
    name: 'Noncompliance 4: IfExists does not bind (a request without a tenant passes)',
    build: grant('IfEx', ['ses:SendEmail'], ['*'], { StringEqualsIfExists: { 'ses:TenantName': `tib-tenant-${T}` } }),
    expected: ['[IfEx::Resource::*]'],
  },
  {
    name: 'Noncompliance 5: a ses:TenantName wildcard names every tenant',
    build: grant('AnyTenant', ['ses:SendEmail'], ['*'], { StringLike: { 'ses:TenantName': 'tib-tenant-*' } }),
    expected: ['[AnyTenant::Resource::*]'],
  },
  {
    name: 'Noncompliance 6: NotResource',
    build: (stack) => {
      new iam.ManagedPolicy(stack, 'Policy', {
        statements: [new iam.PolicyStatement({ sid: 'Not', actions: ['ses:SendEmail'], notResources: [`${SES}:identity/platform.example.com`] })],
      });
    },
    expected: ['[Not::NotResource]'],
  },
  {
    name: 'Noncompliance 7: an inline role policy (not only managed policies)',
    build: (stack) => {
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      role.addToPolicy(new iam.PolicyStatement({ sid: 'Inline', actions: ['ses:SendTemplatedEmail'], resources: ['*'] }));
    },
    expected: ['[Inline::Resource::*]'],
  },
  {
    name: 'Error 1: resource from a template parameter',
    build: (stack) => grant('P', ['ses:SendEmail'], [new CfnParameter(stack, 'Arn').valueAsString])(stack),
    expected: 'error',
  },
]);
