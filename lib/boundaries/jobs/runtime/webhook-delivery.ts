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
 * - The body is signed with HMAC-SHA256 over `<timestamp>.<body>` with the tenant's secret.
 */
import { createHmac } from 'crypto';
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

export type WebhookRefusal = 'payload-target' | 'no-endpoint' | 'endpoint-tenant-mismatch' | 'insecure-url';

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
export async function prepareWebhookDelivery(
  envelope: JobEnvelope,
  lookup: WebhookEndpointLookup,
  now: Date = new Date(),
): Promise<WebhookDelivery> {
  const payload = envelope.payload;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const steering = Object.keys(payload).filter((k) => (DELIVERY_OVERRIDE_KEYS as readonly string[]).includes(k));
    if (steering.length > 0) {
      throw new WebhookDeliveryError('payload-target', `payload field(s) ${steering.join(', ')} cannot choose a delivery target or secret; endpoints are registered per tenant`);
    }
  }
  const endpoint = await lookup(envelope.tenantId);
  if (!endpoint) throw new WebhookDeliveryError('no-endpoint', `tenant "${envelope.tenantId.value}" has no registered webhook endpoint`);
  if (!(endpoint.tenant instanceof TenantId) || !endpoint.tenant.equals(envelope.tenantId)) {
    throw new WebhookDeliveryError('endpoint-tenant-mismatch', `the lookup returned an endpoint of "${String(endpoint.tenant)}" for tenant "${envelope.tenantId.value}"`);
  }
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new WebhookDeliveryError('insecure-url', `registered URL ${JSON.stringify(endpoint.url)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new WebhookDeliveryError('insecure-url', `registered URL must be https, got ${url.protocol}`);

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

/** For receivers (and tests): recomputes the signature of a delivery with the tenant's secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
