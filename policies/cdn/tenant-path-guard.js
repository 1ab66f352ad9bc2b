// CloudFront Function (runtime cloudfront-js-2.0), viewer request: the tenant at the edge.
//
// Serves `/tenants/<id>/<key>` only, and refuses (403) every request whose tenant cannot be
// derived or whose host and path disagree:
// - the path must be `/tenants/<id>/<key>` with <id> a TenantId (3-40 of a-z 0-9 -, starting with
//   a letter, no `--`, no trailing `-`; lib/core/tenant-id.ts) written exactly, lower case;
// - the key must stay under the tenant: no `.`/`..`/empty segments, no backslash, no control
//   characters, no percent-encoded `/` or `\`, checked on the path as received AND as decoded
//   (browsers and proxies resolve dot segments, RFC 3986 5.2.4, and `%2e%2e` decodes to `..`);
// - with a tenant host suffix (host-based tenancy, `<id>.files.example.com`), the host must be
//   `<id><suffix>` for the same <id> as the path: a host of one tenant with a path of another is
//   refused, and so is any other host.
// The request is passed on unchanged: the URL path carries the tenant into the cache key
// (CloudFront always keys on the path) and to the origin (the object `tenants/<id>/<key>`).
//
// Kept plain ES5 for the CloudFront Functions runtime (CloudFront Developer Guide,
// functions-javascript-runtime-20). The construct replaces the one placeholder below; the tests
// load this file in node's `vm` and call handler(event) with CloudFront event shapes
// (test/boundaries/cdn/tenant-path-guard.test.ts).

var TENANT_HOST_SUFFIX = '__TENANT_HOST_SUFFIX__';
var TENANT_ROOT = '/tenants/';
var TENANT_ID = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
// eslint-disable-next-line no-control-regex
var CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function isTenantId(value) {
  return typeof value === 'string' && TENANT_ID.test(value) && value.indexOf('--') < 0;
}

function refuse(reason) {
  return {
    statusCode: 403,
    statusDescription: 'Forbidden',
    headers: {
      'cache-control': { value: 'no-store' },
      'x-tenant-refusal': { value: reason },
    },
  };
}

function safeSegments(path) {
  if (path === '' || path.indexOf('\\') >= 0 || CONTROL.test(path)) return false;
  var segments = path.split('/');
  for (var i = 0; i < segments.length; i++) {
    var s = segments[i];
    if (s === '' || s === '.' || s === '..') return false;
  }
  return true;
}

function safeKey(raw) {
  if (!safeSegments(raw)) return false;
  var decoded;
  try {
    decoded = decodeURIComponent(raw);
  } catch (e) {
    return false;
  }
  // A percent-encoded `/` makes one raw segment two decoded ones: refused.
  if (decoded.split('/').length !== raw.split('/').length) return false;
  return safeSegments(decoded);
}

function hostTenant(host) {
  if (typeof host !== 'string') return null;
  var h = host.toLowerCase();
  var colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  var suffix = TENANT_HOST_SUFFIX.toLowerCase();
  if (h.length <= suffix.length || h.slice(h.length - suffix.length) !== suffix) return null;
  var id = h.slice(0, h.length - suffix.length);
  return isTenantId(id) ? id : null;
}

// CloudFront calls `handler`; nothing in this file does.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (typeof uri !== 'string' || uri.slice(0, TENANT_ROOT.length) !== TENANT_ROOT) return refuse('no-tenant-path');
  var rest = uri.slice(TENANT_ROOT.length);
  var slash = rest.indexOf('/');
  if (slash <= 0) return refuse('no-tenant-path');
  var tenant = rest.slice(0, slash);
  if (!isTenantId(tenant)) return refuse('bad-tenant-id');
  if (!safeKey(rest.slice(slash + 1))) return refuse('unsafe-path');
  if (TENANT_HOST_SUFFIX !== '') {
    var header = request.headers && request.headers.host;
    var fromHost = hostTenant(header ? header.value : undefined);
    if (fromHost === null) return refuse('unknown-host');
    if (fromHost !== tenant) return refuse('host-path-mismatch');
  }
  return request;
}
