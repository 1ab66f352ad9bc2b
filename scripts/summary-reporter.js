/**
 * Jest reporter: prints one closing line CI tools read ("tests: N passed, N failed, N skipped"),
 * and under CI fails the run when any test was skipped or left as todo: in CI nothing is
 * skipped (every real engine is installed by .ci/run). "Under CI": scripts/ci-env.js.
 */
const { isCi } = require('./ci-env');

class SummaryReporter {
  constructor() {
    this.error = undefined;
  }
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (isCi() && skipped > 0) {
      const names = [];
      for (const suite of results.testResults) {
        for (const t of suite.testResults) {
          if (t.status === 'pending' || t.status === 'todo') names.push(`${suite.testFilePath}: ${t.fullName}`);
        }
      }
      this.error = new Error(`CI=${process.env.CI}: ${skipped} test(s) skipped; in CI nothing is skipped:\n  ${names.join('\n  ')}`);
      process.stderr.write(`\n${this.error.message}\n`);
    }
  }
  getLastError() {
    return this.error;
  }
}
module.exports = SummaryReporter;
