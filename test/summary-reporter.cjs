// Spec output, then one closing line `N passed, N failed` that CI reads.
'use strict';
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on('pass', () => { passed += 1; });
    runner.on('fail', () => { failed += 1; });
    runner.once('end', () => {
      process.on('exit', () => { process.stdout.write(`${passed} passed, ${failed} failed\n`); });
    });
  }
}
module.exports = SummaryReporter;
