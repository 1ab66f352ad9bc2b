/**
 * TenantMailer: tenant acme tries to send as acme-corp (ids sharing leading letters) and as
 * globex through every field — From, Reply-To, Return-Path, template, raw headers, tags — and is
 * refused with TenantMailerError's specific code before anything reaches SES; its own sends carry
 * its identity, configuration set, SES tenant and TenantId tag. One tenant's throttling and
 * suppressions do not touch another's. A RecordingSesV2Double stands in for SES.
 */
import { TenantMailerError, TenantMailerErrorCode } from '../../../../lib/boundaries/email/runtime/errors';
import { sesV2SenderFromClient, TenantEmailMessage, TenantMailer } from '../../../../lib/boundaries/email/runtime/tenant-mailer';
import { TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { RecordingSesV2Double } from '../../../helpers/recording-sesv2-double';
import { newTestIssuer } from '../../../helpers/token-issuer';

let acme: TenantContext;
let acmeCorp: TenantContext;
let globex: TenantContext;
beforeAll(async () => {
  const issuer = await newTestIssuer();
  acme = await issuer.context('acme');
  acmeCorp = await issuer.context('acme-corp');
  globex = await issuer.context('globex');
});

function mailer(now = () => 1_000_000) {
  const ses = new RecordingSesV2Double();
  return { ses, mail: new TenantMailer({ senders: ses, qualifier: 'tib', now, backoffBaseMs: 1000, backoffMaxMs: 8000 }) };
}
const hello: TenantEmailMessage = { to: ['user@customer.example'], simple: { subject: 'Hi', text: 'Hello' } };

async function refusal(p: Promise<unknown>): Promise<TenantMailerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TenantMailerError) return e;
    throw e;
  }
  throw new Error('expected a TenantMailerError, but the message was sent');
}

describe('own sends carry only the tenant’s identity, configuration set, SES tenant and tag', () => {
  test('simple message', async () => {
    const { ses, mail } = mailer();
    await expect(mail.send(acme, { ...hello, from: 'billing', fromName: 'Acme Billing', tags: { campaign: 'welcome' } })).resolves.toEqual({ messageId: 'double-1' });
    expect(ses.sends).toEqual([
      {
        signedAs: 'acme',
        input: {
          FromEmailAddress: '"Acme Billing" <billing@acme.mail.example.com>',
          Destination: { ToAddresses: ['user@customer.example'] },
          Content: { Simple: { Subject: { Data: 'Hi', Charset: 'UTF-8' }, Body: { Text: { Data: 'Hello', Charset: 'UTF-8' } } } },
          EmailTags: [
            { Name: 'TenantId', Value: 'acme' },
            { Name: 'campaign', Value: 'welcome' },
          ],
          ConfigurationSetName: 'tib-tenant-acme-email',
          TenantName: 'tib-tenant-acme',
        },
      },
    ]);
  });

  test('template by its own name part; Reply-To elsewhere and Return-Path at its domain', async () => {
    const { ses, mail } = mailer();
    await mail.send(acme, { to: ['u@c.example'], template: { name: 'notice', data: { body: 'x' } }, replyTo: ['Support <help@acme.com>'], feedbackAddress: 'bounces' });
    await mail.send(acme, { to: ['u@c.example'], template: { name: 'tib-tenant-acme_notice' } });
    expect(ses.sends.map((s) => s.input.Content)).toEqual([
      { Template: { TemplateName: 'tib-tenant-acme_notice', TemplateData: '{"body":"x"}' } },
      { Template: { TemplateName: 'tib-tenant-acme_notice', TemplateData: '{}' } },
    ]);
    expect(ses.sends[0].input.ReplyToAddresses).toEqual(['help@acme.com']);
    expect(ses.sends[0].input.FeedbackForwardingEmailAddress).toBe('bounces@acme.mail.example.com');
  });

  test('raw message whose headers are the tenant’s', async () => {
    const { ses, mail } = mailer();
    const raw = Buffer.from('From: Acme <no-reply@acme.mail.example.com>\r\nTo: u@c.example\r\nSubject: s\r\n\r\nFrom: not-a-header@globex.mail.example.com\r\n');
    await mail.send(acme, { to: ['u@c.example'], raw });
    expect(ses.sends[0].input.Content).toEqual({ Raw: { Data: raw } });
    expect(ses.sends[0].input.TenantName).toBe('tib-tenant-acme');
  });
});

describe('acme names another tenant: refused with the specific code, nothing sent', () => {
  const cases: Array<[string, TenantEmailMessage, TenantMailerErrorCode]> = [
    ['From at acme-corp', { ...hello, from: 'no-reply@acme-corp.mail.example.com' }, 'foreign-from-address'],
    ['From at globex with a display name', { ...hello, from: 'Globex <no-reply@globex.mail.example.com>' }, 'foreign-from-address'],
    ['From at the bare parent domain', { ...hello, from: 'x@mail.example.com' }, 'foreign-from-address'],
    ['From at a look-alike domain', { ...hello, from: 'x@acme.mail.example.com.evil.example' }, 'foreign-from-address'],
    ['Reply-To at acme-corp', { ...hello, replyTo: ['help@acme-corp.mail.example.com'] }, 'foreign-reply-to'],
    ['Reply-To at the platform domain', { ...hello, replyTo: ['ops@mail.example.com'] }, 'foreign-reply-to'],
    ['Return-Path at globex', { ...hello, feedbackAddress: 'bounces@globex.mail.example.com' }, 'foreign-feedback-address'],
    ['acme-corp’s template', { to: ['u@c.example'], template: { name: 'tib-tenant-acme-corp_notice' } }, 'foreign-template'],
    ['a template ARN', { to: ['u@c.example'], template: { name: 'arn:aws:ses:eu-west-1:111122223333:template/tib-tenant-globex_notice' } }, 'foreign-template'],
    ['a template name that only starts like a tenant’s', { to: ['u@c.example'], template: { name: 'tib-tenant-' } }, 'foreign-template'],
    ['the TenantId tag', { ...hello, tags: { TenantId: 'globex' } }, 'reserved-tag'],
    [
      'a From header in a simple message',
      { to: ['u@c.example'], simple: { subject: 's', text: 't', headers: { From: 'x@globex.mail.example.com' } } },
      'header-not-allowed',
    ],
    ['a Reply-To header in a simple message', { to: ['u@c.example'], simple: { subject: 's', text: 't', headers: { 'reply-to': 'x@acme.com' } } }, 'header-not-allowed'],
    ['raw From at globex', { to: ['u@c.example'], raw: Buffer.from('From: x@globex.mail.example.com\r\n\r\nbody') }, 'foreign-from-address'],
    [
      'raw folded Sender at acme-corp',
      { to: ['u@c.example'], raw: Buffer.from('From: a@acme.mail.example.com\r\nSender:\r\n x@acme-corp.mail.example.com\r\n\r\n') },
      'foreign-from-address',
    ],
    [
      'raw Return-Path at globex',
      { to: ['u@c.example'], raw: Buffer.from('From: a@acme.mail.example.com\r\nReturn-Path: <b@globex.mail.example.com>\r\n\r\n') },
      'foreign-feedback-address',
    ],
    [
      'raw Reply-To at acme-corp',
      { to: ['u@c.example'], raw: Buffer.from('From: a@acme.mail.example.com\r\nReply-To: a@x.example, b@acme-corp.mail.example.com\r\n\r\n') },
      'foreign-reply-to',
    ],
    [
      'raw X-SES-CONFIGURATION-SET',
      { to: ['u@c.example'], raw: Buffer.from('From: a@acme.mail.example.com\r\nX-SES-CONFIGURATION-SET: tib-tenant-globex-email\r\n\r\n') },
      'header-not-allowed',
    ],
    ['raw without From', { to: ['u@c.example'], raw: Buffer.from('Subject: s\r\n\r\n') }, 'invalid-message'],
    ['no recipient', { to: [], simple: { subject: 's', text: 't' } }, 'invalid-message'],
    ['two contents', { ...hello, template: { name: 'notice' } }, 'invalid-message'],
  ];
  test.each(cases)('%s', async (_name, message, code) => {
    const { ses, mail } = mailer();
    const e = await refusal(mail.send(acme, message));
    expect(e.code).toBe(code);
    expect(e.message).toContain('acme');
    expect(ses.sends).toEqual([]);
  });

  test('no context, no mail', async () => {
    const { ses, mail } = mailer();
    await expect(mail.send({ tenant: { value: 'acme' } } as unknown as TenantContext, hello)).rejects.toThrow(TenantContextRequiredError);
    expect(ses.sends).toEqual([]);
  });
});

describe('one tenant’s failures and suppressions stay its own', () => {
  test('throttling backs off acme only, exponentially, and recovers', async () => {
    let now = 1_000_000;
    const { ses, mail } = mailer(() => now);
    ses.failNext('acme', 'TooManyRequestsException');
    await expect(mail.send(acme, hello)).rejects.toThrow(/TooManyRequestsException/);
    const backingOff = await refusal(mail.send(acme, hello));
    expect(backingOff.code).toBe('tenant-backing-off');
    expect(backingOff.retryAfterMs).toBe(1000);
    // acme-corp and globex send meanwhile.
    await mail.send(acmeCorp, hello);
    await mail.send(globex, hello);
    expect(ses.sends.map((s) => s.signedAs)).toEqual(['acme-corp', 'globex']);
    now += 1000;
    ses.failNext('acme', 'SendingPausedException');
    await expect(mail.send(acme, hello)).rejects.toThrow(/SendingPausedException/);
    expect((await refusal(mail.send(acme, hello))).retryAfterMs).toBe(2000);
    now += 2000;
    await mail.send(acme, hello);
    expect(ses.sends.map((s) => s.signedAs)).toEqual(['acme-corp', 'globex', 'acme']);
    // Recovered: the next error starts from the base delay again.
    ses.failNext('acme', 'LimitExceededException');
    await expect(mail.send(acme, hello)).rejects.toThrow(/LimitExceededException/);
    expect((await refusal(mail.send(acme, hello))).retryAfterMs).toBe(1000);
  });

  test('other SES errors do not back off', async () => {
    const { ses, mail } = mailer();
    ses.failNext('acme', 'MessageRejected');
    await expect(mail.send(acme, hello)).rejects.toThrow(/MessageRejected/);
    await mail.send(acme, hello);
    expect(ses.sends).toHaveLength(1);
  });

  test('an address bounced for acme is suppressed for acme, not for acme-corp', async () => {
    const { ses, mail } = mailer();
    const bounce = {
      eventType: 'Bounce',
      mail: { tags: { TenantId: ['acme'], 'ses:configuration-set': ['tib-tenant-acme-email'] } },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'User@Customer.example' }] },
    };
    expect(mail.recordEvent(acme, JSON.stringify(bounce))).toEqual(['user@customer.example']);
    expect(mail.isSuppressed(acme, 'user@customer.example')).toBe(true);
    expect(mail.isSuppressed(acmeCorp, 'user@customer.example')).toBe(false);
    expect((await refusal(mail.send(acme, hello))).code).toBe('recipient-suppressed');
    await mail.send(acmeCorp, hello);
    expect(ses.sends.map((s) => s.signedAs)).toEqual(['acme-corp']);
  });

  test('a transient bounce suppresses nothing; a complaint does', () => {
    const { mail } = mailer();
    const tags = { TenantId: ['acme'] };
    expect(
      mail.recordEvent(acme, { eventType: 'Bounce', mail: { tags }, bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.example' }] } }),
    ).toEqual([]);
    expect(mail.recordEvent(acme, { eventType: 'Complaint', mail: { tags }, complaint: { complainedRecipients: [{ emailAddress: 'b@x.example' }] } })).toEqual([
      'b@x.example',
    ]);
  });

  test("acme-corp's event is never applied to acme", () => {
    const { mail } = mailer();
    const event = { eventType: 'Complaint', mail: { tags: { TenantId: ['acme-corp'] } }, complaint: { complainedRecipients: [{ emailAddress: 'b@x.example' }] } };
    let e: unknown;
    try {
      mail.recordEvent(acme, event);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(TenantMailerError);
    expect((e as TenantMailerError).code).toBe('foreign-event');
    expect(mail.isSuppressed(acme, 'b@x.example')).toBe(false);
    expect(mail.recordEvent(acmeCorp, event)).toEqual(['b@x.example']);
  });
});

test('sesV2SenderFromClient sends a SendEmailCommand through the client', async () => {
  const sent: unknown[] = [];
  class SendEmailCommand {
    constructor(public readonly input: unknown) {}
  }
  const sender = sesV2SenderFromClient({ send: async (c: never) => (sent.push(c), { MessageId: 'm-1' }) }, SendEmailCommand);
  const input = new TenantMailer({ senders: { sesv2: () => sender }, qualifier: 'tib' }).build(acme, hello);
  await expect(sender.sendEmail(input)).resolves.toEqual({ MessageId: 'm-1' });
  expect(sent).toEqual([new SendEmailCommand(input)]);
});
