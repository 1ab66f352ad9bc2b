/**
 * Attack tests for the search boundary: a TenantAccessRole session of tenant A against tenant B's
 * indexes and against every cross-index path, evaluated on the synthesized identity policies and
 * the domain access policy with the iam-simulate oracle. Ids share leading letters (acm, acme,
 * acme-corp); a session without the tag is included.
 *
 * OpenSearch Service authorizes by URL: `GET /tenant-b.x/_search` is the resource
 * `arn:aws:es:<region>:<account>:domain/<d>/tenant-b.x/_search` (Developer Guide, ac).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, PolicyDocument } from '../../helpers/iam-attack';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const TENANTS = ['acm', 'acme', 'acme-corp', 'globex'];
const { blueprint } = testBlueprint(['acm', 'acme', 'acme-corp', 'globex:silo']);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
const roleArn = arnOf(platform, roleId);
const identity = identityPoliciesOf(platform, roleId);
const domainId = logicalIdsOfType(platform, 'AWS::OpenSearchService::Domain')[0];
const domainPolicy = resolve(platform, platform.Resources[domainId].Properties!.AccessPolicies) as PolicyDocument;
const DOMAIN = `arn:aws:es:${TEST_ENV.region}:${TEST_ENV.account}:domain/tib-search`;

/**
 * The oracle reads a `*` in the REQUESTED resource as a pattern ("is any resource matching this
 * allowed?"); AWS builds the ARN from the URL, where `*` is a literal character that only a
 * policy wildcard can match. Replacing the request's `*` with a character no policy names
 * (U+2217) gives the literal evaluation: policy wildcards still match it, policy literals do not.
 */
const literal = (arn: string) => arn.split('*').join('\u2217');
const path = (p: string) => (p === '' ? DOMAIN : `${DOMAIN}/${p}`);

const VERBS = ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpHead', 'es:ESHttpPatch'];

interface Case {
  name: string;
  tenant: string | undefined;
  action: string;
  resource: string;
  expected: Decision;
}
const cases: Case[] = [];
const add = (tenant: string | undefined, p: string, actions = VERBS, expected: Decision = 'ExplicitlyDenied', resource = literal(path(p))) => {
  for (const action of actions) cases.push({ name: `${tenant ?? 'untagged session'} ${action} ${p === '' ? '/ (domain root)' : p}`, tenant, action, resource, expected });
};

for (const a of TENANTS) {
  // Another tenant's index, by every URL shape.
  for (const b of TENANTS.filter((t) => t !== a)) {
    for (const p of [
      `tenant-${b}.x/_search`,
      `tenant-${b}.x/_doc/1`,
      `tenant-${b}.x`,
      `tenant-${b}.x/`,
      `tenant-${b}.x/_bulk`,
      `tenant-${b}.x/_msearch`,
      `tenant-${b}.x/_mget`,
      `tenant-${b}.x/_mapping`,
      `tenant-${b}.*/_search`,
    ]) {
      add(a, p);
    }
    // Multi-target URLs that start inside the attacker's own prefix.
    for (const p of [
      `tenant-${a}.x,tenant-${b}.x/_search`,
      `tenant-${a}.*,tenant-${b}.x/_search`,
      `tenant-${a}.x,tenant-${b}.x/_doc/1`,
      `tenant-${a}.x%2Ctenant-${b}.x/_search`,
      `tenant-${a}.x%2ctenant-${b}.x/_search`,
      `tenant-${a}.x/../tenant-${b}.x/_search`,
      `tenant-${a}.x/_doc/..%2F..%2Ftenant-${b}.x`,
      `tenant-${a}.x/_alias/tenant-${b}.y`,
      `tenant-${a}.x/_aliases`,
      `tenant-${a}.x/_clone/tenant-${b}.z`,
      `tenant-${a}.x/_split/tenant-${b}.z`,
      `tenant-${a}.x/_shrink/tenant-${b}.z`,
      `tenant-${a}.x/_rollover/tenant-${b}.z`,
    ]) {
      add(a, p);
    }
  }
  // Cross-index and cluster paths: never a tenant's.
  for (const p of [
    '',
    '_all/_search',
    '_all',
    '*/_search',
    '*',
    'tenant-*/_search',
    'tenant-*',
    `tenant-${a}*/_search`, // no delimiter: would match tenant-acme-corp.* for acme
    `tenant-${a}/_search`,
    '_search',
    '_msearch',
    '_mget',
    '_bulk',
    '_count',
    '_field_caps',
    '_search/scroll',
    '_pit',
    '_reindex',
    '_aliases',
    '_alias/tenant-x.y',
    '_cat/indices',
    `_cat/indices/tenant-${a}.*`,
    '_cluster/settings',
    '_cluster/health',
    '_nodes',
    '_tasks',
    '_snapshot',
    '_index_template/t',
    '_template/t',
    '_resolve/index/*',
    '_plugins/_sql',
    '_plugins/_ppl',
    '_plugins/_security/api/roles',
    'other-cluster:tenant-x.y/_search', // cross-cluster search target
    'tenant-%2A/_search', // encoded wildcard
    '.kibana/_search',
    '.opendistro_security/_search',
  ]) {
    add(a, p);
  }
  // Search templates on one's own index: the query is a string IAM cannot read (issue 20 item 1);
  // denied unless the domain is built with allowSearchTemplates (TenantSearchClient then reads it).
  for (const p of [`tenant-${a}.x/_search/template`, `tenant-${a}.x/_msearch/template`, `tenant-${a}.*/_search/template`]) {
    add(a, p);
  }
  // Own index name in another domain (a silo domain added later must be granted explicitly).
  add(
    a,
    `tenant-${a}.x/_search (other domain)`,
    ['es:ESHttpGet'],
    'ExplicitlyDenied',
    `arn:aws:es:${TEST_ENV.region}:${TEST_ENV.account}:domain/other-domain/tenant-${a}.x/_search`,
  );
}
// No tag: nothing, including paths that look like a tenant's own.
for (const p of ['tenant-acme.x/_search', 'tenant-acme.x', 'tenant-.x/_search', '_all/_search', '_cat/indices']) add(undefined, p);

// Own access must work, or the denials prove nothing.
const allowed: Case[] = [];
for (const a of TENANTS) {
  for (const [p, actions] of [
    [`tenant-${a}.x`, ['es:ESHttpPut', 'es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpDelete']],
    [`tenant-${a}.x/_search`, ['es:ESHttpGet', 'es:ESHttpPost']],
    [`tenant-${a}.x/_doc/1`, ['es:ESHttpPut', 'es:ESHttpGet', 'es:ESHttpDelete']],
    [`tenant-${a}.x/_update/1`, ['es:ESHttpPost']],
    [`tenant-${a}.x/_bulk`, ['es:ESHttpPost']],
    [`tenant-${a}.x/_msearch`, ['es:ESHttpPost']],
    [`tenant-${a}.x/_mapping`, ['es:ESHttpPut', 'es:ESHttpGet']],
    [`tenant-${a}.orders-2026/_search`, ['es:ESHttpGet']],
    [`tenant-${a}.*/_search`, ['es:ESHttpGet']], // a pattern inside one's own prefix stays inside it
  ] as const) {
    for (const action of actions) allowed.push({ name: `${a} ${action} ${p}`, tenant: a, action, resource: literal(path(p)), expected: 'Allowed' });
  }
}

const run = (c: Case, resourcePolicy: PolicyDocument | undefined = domainPolicy, policies = identity) =>
  evaluate({ roleArn, tenant: c.tenant, action: c.action, resource: c.resource, identityPolicies: policies, resourcePolicy });

describe('search boundary: attacks are denied', () => {
  test(`the attack table is not trivially small (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(1000);
  });
  test.each(cases)('$name -> $expected', async (c) => {
    expect(await run(c)).toBe(c.expected);
  });
});

describe('search boundary: own access is allowed', () => {
  test.each(allowed)('$name', async (c) => {
    expect(await run(c)).toBe('Allowed');
  });
});

describe('each layer on its own', () => {
  const sample = cases.filter((c) => c.tenant === 'acme');
  test('identity policies alone (no domain policy) deny every attack of acme', async () => {
    const results = await Promise.all(sample.map(async (c) => `${c.name}: ${await run(c, undefined)}`));
    expect(results.filter((r) => !r.endsWith('ExplicitlyDenied'))).toEqual([]);
  });

  test('the domain policy alone denies every non-tenant path and multi-target trick, even after a broad es:* grant', async () => {
    const broad: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'es:*', Resource: '*' }] };
    const shapeAttacks = sample.filter((c) => !/^acme es:\S+ tenant-(acm|acme-corp|globex)\./.test(c.name) && !c.name.includes('other domain'));
    expect(shapeAttacks.length).toBeGreaterThan(300);
    const results = await Promise.all(shapeAttacks.map(async (c) => `${c.name}: ${await run(c, domainPolicy, [broad])}`));
    expect(results.filter((r) => !r.endsWith('ExplicitlyDenied'))).toEqual([]);
  });

  test('the domain policy alone cannot tell tenants apart (no aws:PrincipalTag there): the identity policy is the tenant boundary', async () => {
    const broad: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'es:*', Resource: '*' }] };
    const c: Case = { name: 'acme reads acme-corp', tenant: 'acme', action: 'es:ESHttpGet', resource: path('tenant-acme-corp.x/_search'), expected: 'Allowed' };
    expect(await run(c, domainPolicy, [broad])).toBe('Allowed');
    expect(await run(c)).toBe('ExplicitlyDenied');
  });
});

describe('the literal-resource helper keeps the oracle honest', () => {
  const onlyOwn: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'es:ESHttpGet', Resource: `${DOMAIN}/tenant-\${aws:PrincipalTag/TenantId}.*` }],
  };
  const get = (resource: string) => evaluate({ roleArn, tenant: 'acme', action: 'es:ESHttpGet', resource, identityPolicies: [onlyOwn] });
  test('a request naming */_search is read by the oracle as a pattern (some match is allowed), by AWS as a literal ARN', async () => {
    expect(await get(path('*/_search'))).toBe('Allowed');
    expect(await get(literal(path('*/_search')))).toBe('ImplicitlyDenied');
  });
  test('policy wildcards still match the substituted character, policy literals do not', async () => {
    expect(await get(literal(path('tenant-acme.*/_search')))).toBe('Allowed');
    expect(await get(literal(path('tenant-*/_search')))).toBe('ImplicitlyDenied');
  });
});
