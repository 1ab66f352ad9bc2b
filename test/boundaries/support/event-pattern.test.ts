/**
 * The test-support EventBridge matcher (test/helpers/event-pattern.ts) against the rules of the
 * EventBridge User Guide (eb-event-patterns, eb-create-pattern-operators), table-driven: each
 * case says whether EventBridge would match. The alert tests trust it only because of these.
 */
import { applyInputTransformer, matchesEventPattern, valueAtPath } from '../../helpers/event-pattern';

const event = {
  source: 'aws.sts',
  detail: { eventName: 'AssumeRole', requestParameters: { roleArn: 'arn:aws:iam::1:role/p/Name', tags: ['a', 'b'] }, n: 5, nothing: null },
};

const cases: Array<[string, unknown, boolean]> = [
  ['exact value', { source: ['aws.sts'] }, true],
  ['exact value, other', { source: ['aws.iam'] }, false],
  ['OR of values', { source: ['aws.iam', 'aws.sts'] }, true],
  ['AND of fields', { source: ['aws.sts'], detail: { eventName: ['GetCallerIdentity'] } }, false],
  ['nested object', { detail: { requestParameters: { roleArn: ['arn:aws:iam::1:role/p/Name'] } } }, true],
  ['exact is case-sensitive', { detail: { eventName: ['assumerole'] } }, false],
  ['equals-ignore-case', { detail: { eventName: [{ 'equals-ignore-case': 'assumerole' }] } }, true],
  ['prefix', { detail: { eventName: [{ prefix: 'Assume' }] } }, true],
  ['prefix, no', { detail: { eventName: [{ prefix: 'Get' }] } }, false],
  ['suffix', { detail: { requestParameters: { roleArn: [{ suffix: '/Name' }] } } }, true],
  ['suffix is case-sensitive', { detail: { requestParameters: { roleArn: [{ suffix: '/name' }] } } }, false],
  ['suffix ignoring case', { detail: { requestParameters: { roleArn: [{ suffix: { 'equals-ignore-case': '/NAME' } }] } } }, true],
  ['array in the event: any element', { detail: { requestParameters: { tags: ['b'] } } }, true],
  ['array in the event: none', { detail: { requestParameters: { tags: ['c'] } } }, false],
  ['exists true', { detail: { eventName: [{ exists: true }] } }, true],
  ['exists true on a missing field', { detail: { errorCode: [{ exists: true }] } }, false],
  ['exists false on a missing field', { detail: { errorCode: [{ exists: false }] } }, true],
  ['a missing field never equals a value', { detail: { errorCode: ['AccessDenied'] } }, false],
  ['a number', { detail: { n: [5] } }, true],
  ['null', { detail: { nothing: [null] } }, true],
  ['a missing object', { detail: { missing: { x: ['y'] } } }, false],
];

describe('EventBridge matcher (test support)', () => {
  test.each(cases)('%s -> %s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern as never, event)).toBe(expected);
  });
  test('valueAtPath reads dot paths and refuses bracket notation', () => {
    expect(valueAtPath(event, '$.detail.requestParameters.roleArn')).toBe('arn:aws:iam::1:role/p/Name');
    expect(valueAtPath(event, '$.detail.missing.x')).toBeUndefined();
    expect(() => valueAtPath(event, '$.detail[0]')).toThrow(/unsupported JSON path segment/);
  });
  test('the input transformer inserts JSON values and refuses unknown placeholders', () => {
    expect(applyInputTransformer({ t: '$.detail.requestParameters.tags' }, '{"tags":<t>}', event)).toEqual({ tags: ['a', 'b'] });
    expect(() => applyInputTransformer({}, '{"x":<y>}', event)).toThrow(/has no InputPathsMap entry/);
  });
});
