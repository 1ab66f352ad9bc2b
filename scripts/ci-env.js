/**
 * Whether this process runs in CI, where every real engine must be installed and nothing may be
 * skipped. CI systems set `CI` to different values (GitHub Actions, GitLab and CircleCI `true`;
 * Travis `true`; some runners `1`, `yes` or the system's name), so any non-empty value other than
 * `false` or `0` (case-insensitive, surrounding spaces ignored) counts as CI. Written once: the
 * jest reporter (summary-reporter.js) and the engine helper (test/helpers/engines.ts) both use it.
 *
 * @param {Record<string, string | undefined>} [env] the environment (default: process.env)
 * @returns {boolean}
 */
function isCi(env = process.env) {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
}
module.exports = { isCi };
