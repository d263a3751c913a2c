/**
 * Jest reporter that ends a run with one line per skipped suite. Suites that need a service
 * this run lacks register themselves with describe.skip and the reason in their title,
 * "(skipped: ...)", which Jest's own summary only counts.
 */
class SkippedSuitesReporter {
  onRunComplete(_contexts, results) {
    const skipped = new Set();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const title = test.ancestorTitles[0];
        if (test.status === 'pending' && title && title.includes('(skipped: ')) skipped.add(title);
      }
    }
    if (skipped.size === 0) return;

    const lines = [...skipped].sort().map((title) => `  ${title}`);
    process.stderr.write(`\nSkipped suites (${skipped.size}):\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedSuitesReporter;
