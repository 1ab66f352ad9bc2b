/**
 * RecordingSearchTransportDouble: a stand-in for the signed HTTP transport to an OpenSearch
 * Service domain (no domain exists here). It records every request that reaches it and answers
 * 200 with an empty JSON object. It decides nothing: a test uses it to prove that a refused
 * request never reached the wire, and that an accepted one was sent exactly as checked.
 */
import type { SearchHttpRequest, SearchHttpResponse, SearchTransport } from '../../lib/boundaries/search/runtime/tenant-search-client';

export class RecordingSearchTransportDouble implements SearchTransport {
  /** Every request that reached the transport, in order. */
  public readonly sent: SearchHttpRequest[] = [];

  public async send(request: SearchHttpRequest): Promise<SearchHttpResponse> {
    this.sent.push(request);
    return { status: 200, body: '{}' };
  }
}
