// Spec output, then one closing line `N passed, N failed` that CI reads.
// The line is also written to .tmp/test-summary.txt so that .ci/run can print it
// last, after anything npm prints on failure.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on('pass', () => { passed += 1; });
    runner.on('fail', () => { failed += 1; });
    runner.once('end', () => {
      const line = `${passed} passed, ${failed} failed`;
      const dir = path.join(process.cwd(), '.tmp');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'test-summary.txt'), `${line}\n`);
      process.on('exit', () => { process.stdout.write(`${line}\n`); });
    });
  }
}
module.exports = SummaryReporter;
