/**
 * The CI predicate (scripts/ci-env.js): real-engine suites must not skip under any CI system's
 * spelling of CI, and a developer's `CI=false` / `CI=0` / unset still means "not CI".
 */
import { isCi } from '../../scripts/ci-env';

describe('isCi: any non-empty CI other than false/0 is CI', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['1', true],
    ['yes', true],
    ['woodpecker', true],
    [' true ', true],
    ['false', false],
    ['FALSE', false],
    [' False ', false],
    ['0', false],
    ['', false],
    ['   ', false],
  ])('CI=%j -> %s', (value, expected) => {
    expect(isCi({ CI: value })).toBe(expected);
  });
  test('CI unset is not CI', () => {
    expect(isCi({})).toBe(false);
  });
  test('defaults to process.env', () => {
    const before = process.env.CI;
    try {
      process.env.CI = '1';
      expect(isCi()).toBe(true);
      process.env.CI = 'false';
      expect(isCi()).toBe(false);
    } finally {
      if (before === undefined) delete process.env.CI;
      else process.env.CI = before;
    }
  });
});
