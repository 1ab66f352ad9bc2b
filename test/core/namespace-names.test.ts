/**
 * Per-tenant resource names cannot collide (namespace.ts tenantResourceName): over every pair of
 * many TenantIds (built from pieces that produce the dangerous hyphen splits) and every purpose,
 * the name determines the (tenant, purpose) pair. Before the fix the purpose was any hyphenated
 * string, and ('acme', 'corp-jobs') named the same thing as ('acme-corp', 'jobs').
 */
import { assertPurposesUnambiguous, TENANT_RESOURCE_PURPOSES, tenantResourceName } from '../../lib/core/namespace';
import { jobsDeadLetterQueueName, jobsQueueName } from '../../lib/core/queue-names';
import { TenantId } from '../../lib/core/tenant-id';

const PIECES = ['acme', 'corp', 'jobs', 'dlq', 'analytics', 'a1', 'x'];
const ids: TenantId[] = [];
for (const a of PIECES) {
  for (const b of ['', ...PIECES]) {
    for (const c of ['', ...PIECES]) {
      const raw = [a, b, c].filter((p) => p !== '').join('-');
      if (TenantId.isValid(raw) && !ids.some((t) => t.value === raw)) ids.push(TenantId.parse(raw));
    }
  }
}

describe('tenantResourceName is injective over (tenant, purpose)', () => {
  test(`${ids.length} tenant ids x ${TENANT_RESOURCE_PURPOSES.length} purposes: no two pairs share a name`, () => {
    expect(ids.length).toBeGreaterThan(150);
    const seen = new Map<string, string>();
    const collisions: string[] = [];
    for (const id of ids) {
      for (const purpose of TENANT_RESOURCE_PURPOSES) {
        const name = tenantResourceName(id, purpose);
        const pair = `${id.value} + ${purpose}`;
        const other = seen.get(name);
        if (other !== undefined) collisions.push(`${name}: ${other} / ${pair}`);
        seen.set(name, pair);
      }
    }
    expect(collisions).toEqual([]);
  });

  test("the reported collision is impossible: 'corp-jobs' is not a purpose", () => {
    expect(() => tenantResourceName(TenantId.parse('acme'), 'corp-jobs' as never)).toThrow(/invalid resource purpose "corp-jobs": one of jobs, jobs-dlq, analytics/);
    expect(tenantResourceName(TenantId.parse('acme-corp'), 'jobs')).toBe('tenant-acme-corp-jobs');
  });

  test('a purpose set with a colliding member is refused (the check that runs at module load)', () => {
    expect(() => assertPurposesUnambiguous(['jobs', 'corp-jobs'])).toThrow(/"corp-jobs" and "jobs" collide/);
    expect(() => assertPurposesUnambiguous(['jobs', 'dlq', 'jobs-dlq'])).toThrow(/"jobs-dlq" and "dlq" collide/);
    expect(() => assertPurposesUnambiguous(['Jobs'])).toThrow(/lowercase/);
    expect(() => assertPurposesUnambiguous(TENANT_RESOURCE_PURPOSES)).not.toThrow();
  });

  test('queue names are unchanged (they name retained SQS queues)', () => {
    const acme = TenantId.parse('acme');
    expect([jobsQueueName('tib', acme), jobsDeadLetterQueueName('tib', acme)]).toEqual(['tib-tenant-acme-jobs', 'tib-tenant-acme-jobs-dlq']);
  });
});
