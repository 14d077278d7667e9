/**
 * The six invariants of issue 5 over random schedules, retention, executor behaviour, cache lag and faults,
 * one simulated year per run (fast-check, seeded, shrinking). A failure prints the shrunk scenario as a
 * replayable fixture. Longer runs: `npm run sim:soak`.
 */

import { checkSimProperty } from './support/property-run.js';
import { YEAR_MS, scenarioArb } from './support/scenario-arbitrary.js';

/** Runs of the stale-view property in `npm test` (the outage property runs half as many); override with SIM_RUNS. */
const RUNS = Number(process.env['SIM_RUNS'] ?? 6);
const SEED = Number(process.env['SIM_SEED'] ?? 20_240_501);

function report(size: { runs: number; syncs: number; simulatedMs: number }): void {
  console.log(`      ${size.runs} runs, ${(size.simulatedMs / YEAR_MS).toFixed(0)} simulated years, ${size.syncs} syncs`);
}

describe('simulator: invariants over a simulated year per run (fast-check)', function () {
  this.timeout(0);

  it(`stale views within the grace and the interval: invariants 1–6 hold (${RUNS} runs)`, async () => {
    const size = await checkSimProperty({ name: 'stale-views', arbitrary: scenarioArb('stale'), invariants: [1, 2, 3, 4, 5, 6], seed: SEED, numRuns: RUNS });
    report(size);
  });

  it(`outages beyond the grace and the interval: invariants 1, 3 and 6 hold (${Math.ceil(RUNS / 2)} runs)`, async () => {
    const size = await checkSimProperty({ name: 'outages', arbitrary: scenarioArb('outage'), invariants: [1, 3, 6], seed: SEED + 1, numRuns: Math.ceil(RUNS / 2) });
    report(size);
  });
});
