/**
 * SigV4SearchTransport behind TenantSearchClient: the request that leaves is signed for service
 * `es` with the tenant session's credentials, and the signature is checked here by an independent
 * computation of Signature Version 4 (node:crypto, the algorithm as the IAM User Guide specifies
 * it), not by calling the signer again. A RecordingFetchDouble stands in for the network (no
 * domain exists here); a refused request never reaches it.
 */
import { createHash, createHmac } from 'crypto';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { SearchGuardError } from '../../../../lib/boundaries/search/runtime/search-request-guard';
import { SearchFetch, SigV4SearchTransport } from '../../../../lib/boundaries/search/runtime/sigv4-search-transport';
import { TenantSearchClient } from '../../../../lib/boundaries/search/runtime/tenant-search-client';
import { newTestIssuer } from '../../../helpers/token-issuer';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  redirect: string;
}

class RecordingFetchDouble {
  public readonly sent: Sent[] = [];
  public readonly fetch: SearchFetch = async (url, init) => {
    this.sent.push({ url, method: init.method, headers: init.headers, body: init.body, redirect: init.redirect });
    return { status: 200, headers: { get: () => null }, text: async () => '{"hits":{"hits":[]}}' };
  };
}

const CREDS = { accessKeyId: 'ASIAACMESESSION', secretAccessKey: 'acme-session-secret', sessionToken: 'acme-session-token' };
const HOST = 'vpc-tib-search-abc.eu-west-1.es.amazonaws.com';

let acme: TenantContext;
beforeAll(async () => {
  acme = await (await newTestIssuer()).context('acme');
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** Signature Version 4, computed independently from the recorded request. */
function expectedSignature(sent: Sent, region: string, service: string): string {
  const amzDate = sent.headers['x-amz-date'];
  const date = amzDate.slice(0, 8);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(sent.headers.authorization)![1].split(';');
  const url = new URL(sent.url);
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const canonical = [
    sent.method,
    url.pathname,
    query,
    ...signedHeaders.map((h) => `${h}:${String(sent.headers[h]).trim()}`),
    '',
    signedHeaders.join(';'),
    sha256(sent.body ?? ''),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDS.secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

test("a search leaves signed for service es with the tenant session's credentials", async () => {
  const net = new RecordingFetchDouble();
  const transport = new SigV4SearchTransport({ endpoint: `https://${HOST}`, region: 'eu-west-1', credentials: async () => CREDS, fetch: net.fetch });
  const search = new TenantSearchClient(acme, transport);
  const res = await search.request('POST', '/tenant-acme.orders/_search?size=5', { query: { match: { title: 'x' } } });
  expect(res).toEqual({ status: 200, body: '{"hits":{"hits":[]}}' });
  expect(net.sent).toHaveLength(1);
  const [sent] = net.sent;
  expect(sent.url).toBe(`https://${HOST}/tenant-acme.orders/_search?size=5`);
  expect(sent.redirect).toBe('error');
  expect(sent.body).toBe('{"query":{"match":{"title":"x"}}}');
  expect(sent.headers['x-amz-security-token']).toBe(CREDS.sessionToken);
  const auth = sent.headers.authorization;
  expect(auth).toMatch(
    new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/\\d{8}/eu-west-1/es/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`),
  );
  expect(auth.split('SignedHeaders=')[1]).toMatch(/(^|;)host(;|,)/);
  expect(auth.split('Signature=')[1]).toBe(expectedSignature(sent, 'eu-west-1', 'es'));
});

test('a request acme may not send never reaches the network', async () => {
  const net = new RecordingFetchDouble();
  const search = new TenantSearchClient(
    acme,
    new SigV4SearchTransport({ endpoint: `https://${HOST}`, region: 'eu-west-1', credentials: async () => CREDS, fetch: net.fetch }),
  );
  await expect(
    search.request('POST', '/tenant-acme.orders/_search/template', { source: '{"query":{"terms":{"u":{"index":"tenant-globex.users","id":"1","path":"p"}}}}' }),
  ).rejects.toBeInstanceOf(SearchGuardError);
  expect(net.sent).toEqual([]);
});

test.each(['http://' + HOST, `https://${HOST}/path`, `https://${HOST}?x=1`, 'not a url'])('endpoint %j is refused', (endpoint) => {
  expect(() => new SigV4SearchTransport({ endpoint, region: 'eu-west-1', credentials: async () => CREDS })).toThrow(TypeError);
});

test('an oversized response is refused', async () => {
  const big: SearchFetch = async () => ({
    status: 200,
    headers: { get: (h: string) => (h === 'content-length' ? String(11 * 1024 * 1024) : null) },
    text: async () => '',
  });
  const transport = new SigV4SearchTransport({ endpoint: `https://${HOST}`, region: 'eu-west-1', credentials: async () => CREDS, fetch: big });
  await expect(transport.send({ method: 'GET', path: '/tenant-acme.x/_search' })).rejects.toThrow(/exceeds 10485760/);
});
