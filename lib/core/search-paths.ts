/**
 * OpenSearch request paths a tenant session must never reach, expressed as IAM resource patterns
 * relative to the domain ARN (`arn:...:es:<region>:<account>:domain/<name>/<path>`).
 *
 * OpenSearch Service authorizes the HTTP API by the request URL: the URL path becomes the
 * resource after `domain/<name>/` (Developer Guide, ac: "Resource-based policies"). URL-based
 * rules miss what a request body names; `rest.action.multi.allow_explicit_index: false` stops
 * `_bulk`/`_mget`/`_msearch` bodies from naming indexes (Developer Guide, ac: "Advanced options
 * and API considerations"). The patterns below close what remains visible in the URL:
 *
 * - `*,*`: a comma-separated multi-target URL (`tenant-acme.x,tenant-acme-corp.x/_search`) has ONE
 *   ARN, `.../tenant-acme.x,tenant-acme-corp.x/_search`, which the tenant's own pattern
 *   `tenant-acme.*` matches because `*` spans the comma. Whether the service authorizes each
 *   target separately is not documented, so the comma is refused outright.
 * - Percent-encoded comma, slash and dot, and `..` segments: the same tricks, encoded (whether the
 *   ARN is built before or after decoding is not documented either).
 * - Alias, clone, split, shrink and rollover: URL-addressed operations on one's own index that
 *   create a name (an alias or a new index) chosen in the path or body, e.g.
 *   `tenant-acme.x/_alias/tenant-acme-corp.y` would plant an alias in another tenant's namespace,
 *   so that tenant's writes to that name would land in acme's index.
 */
export const TENANT_FORBIDDEN_PATHS: readonly string[] = [
  '*,*',
  '*%2C*',
  '*%2c*',
  '*%2F*',
  '*%2f*',
  '*%2E*',
  '*%2e*',
  '*/../*',
  '*/..',
  '*/_alias*',
  '*/_clone/*',
  '*/_split/*',
  '*/_shrink/*',
  '*/_rollover*',
];

/**
 * Search-template endpoints below an index. Their query is a JSON string the server renders with
 * Mustache (`source`), or a stored script named by `id`: IAM sees only the URL, and the index a
 * rendered terms lookup reads is invisible to it. Denied to tenant sessions unless the domain is
 * told the application sends through TenantSearchClient, which reads template strings
 * (`TenantSearchProps.allowSearchTemplates`, docs/search.md "the decision"). `_render/template` and
 * `_scripts` are root paths, denied anyway.
 */
export const SEARCH_TEMPLATE_PATHS: readonly string[] = ['*/_search/template*', '*/_msearch/template*'];

/** HTTP verbs a tenant session may use on its own indexes (`es:ESHttp*` actions). */
export const TENANT_SEARCH_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'] as const;
