/**
 * Webhook deliveries made by a worker for a job: the target URL and the signing secret are looked
 * up by the envelope's tenant (a lookup the caller provides, keyed by TenantId), never taken from
 * the job's payload. A payload is tenant-influenced data; letting it choose where a signed request
 * goes would let one tenant's job send another tenant's events, or this tenant's secret-signed
 * requests, anywhere.
 *
 * - The URL comes only from the lookup. Payload fields that look like delivery settings at the top
 *   level (`url`, `webhookUrl`, `callbackUrl`, `endpoint`, `target`, `secret`, `signingSecret`,
 *   `headers`) are refused loudly; anything deeper is carried as data and ignored for routing.
 * - The endpoint returned by the lookup must be for the same tenant (a lookup bug must not route
 *   one tenant's events to another), and must be HTTPS.
 * - A URL whose host is an IP literal outside public unicast (`https://10.0.0.1`,
 *   `https://2130706433`, `https://[::ffff:169.254.169.254]`) is refused here already
 *   (`checkWebhookUrl`, also for registration forms). Names are resolved and vetted by the sender
 *   (webhook-sender.ts `sendWebhook`), which is the only safe way to send: it connects to the vetted
 *   address, follows no redirect and bounds time and size.
 * - The body is signed with HMAC-SHA256 over `<timestamp>.<body>` with the tenant's secret.
 */
import { createHmac } from 'crypto';
import { isIP } from 'net';
import { classifyAddress } from './webhook-address';
import { TenantId } from '../../../core/tenant-id';
import { JobEnvelope } from './job-envelope';

export interface WebhookEndpoint {
  /** The tenant this endpoint belongs to (checked against the envelope's). */
  readonly tenant: TenantId;
  /** HTTPS URL registered by the tenant. */
  readonly url: string;
  /** Secret shared with the tenant, from a secret store. */
  readonly signingSecret: string;
}

/** Looks up the tenant's registered endpoint; undefined when the tenant has none. */
export type WebhookEndpointLookup = (tenant: TenantId) => WebhookEndpoint | undefined | Promise<WebhookEndpoint | undefined>;

export interface WebhookDelivery {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type WebhookRefusal = 'payload-target' | 'no-endpoint' | 'endpoint-tenant-mismatch' | 'insecure-url' | 'address-refused';

export class WebhookDeliveryError extends Error {
  constructor(
    public readonly reason: WebhookRefusal,
    detail: string,
  ) {
    super(`webhook delivery refused (${reason}): ${detail}`);
    this.name = 'WebhookDeliveryError';
  }
}

/** Top-level payload keys that try to steer a delivery; refused, never used. */
export const DELIVERY_OVERRIDE_KEYS = ['url', 'webhookUrl', 'callbackUrl', 'endpoint', 'target', 'secret', 'signingSecret', 'headers'] as const;

/** Builds the signed HTTP request for a job's webhook. The caller sends it (POST). */
export async function prepareWebhookDelivery(envelope: JobEnvelope, lookup: WebhookEndpointLookup, now: Date = new Date()): Promise<WebhookDelivery> {
  const payload = envelope.payload;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const steering = Object.keys(payload).filter((k) => (DELIVERY_OVERRIDE_KEYS as readonly string[]).includes(k));
    if (steering.length > 0) {
      throw new WebhookDeliveryError(
        'payload-target',
        `payload field(s) ${steering.join(', ')} cannot choose a delivery target or secret; endpoints are registered per tenant`,
      );
    }
  }
  const endpoint = await lookup(envelope.tenantId);
  if (!endpoint) throw new WebhookDeliveryError('no-endpoint', `tenant "${envelope.tenantId.value}" has no registered webhook endpoint`);
  if (!(endpoint.tenant instanceof TenantId) || !endpoint.tenant.equals(envelope.tenantId)) {
    throw new WebhookDeliveryError('endpoint-tenant-mismatch', `the lookup returned an endpoint of "${String(endpoint.tenant)}" for tenant "${envelope.tenantId.value}"`);
  }
  const url = checkWebhookUrl(endpoint.url);

  const body = JSON.stringify({ tenantId: envelope.tenantId.value, type: envelope.type, id: envelope.id, time: envelope.time, payload });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = createHmac('sha256', endpoint.signingSecret).update(`${timestamp}.${body}`).digest('hex');
  return {
    url: url.toString(),
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-id': envelope.id,
      'x-webhook-tenant': envelope.tenantId.value,
      'x-webhook-timestamp': timestamp,
      'x-webhook-signature': `v1=${signature}`,
    },
  };
}

/**
 * Checks a webhook URL a tenant registers (call it in the registration form too): a URL, https,
 * no credentials, and a host that is a name or a PUBLIC IP literal. Node's WHATWG URL parser has
 * already turned `2130706433`, `0x7f.1` and `017700000001` into `127.0.0.1`. A name can still
 * resolve to an internal address at send time: sendWebhook vets every resolved address.
 */
export function checkWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookDeliveryError('insecure-url', `registered URL ${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new WebhookDeliveryError('insecure-url', `registered URL must be https, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new WebhookDeliveryError('insecure-url', 'registered URL must not carry credentials');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0) {
    const verdict = classifyAddress(host);
    if (verdict.refused) {
      throw new WebhookDeliveryError(
        'address-refused',
        `registered URL ${JSON.stringify(raw)} names ${host}${verdict.embedded ? ` (embeds ${verdict.embedded})` : ''}, which is ${verdict.refused}`,
      );
    }
  }
  return url;
}

/** For receivers (and tests): recomputes the signature of a delivery with the tenant's secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
