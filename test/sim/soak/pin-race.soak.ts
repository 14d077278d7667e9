/**
 * The pin-race hunt (`npm run sim:soak -- --grep "pin race"`): worlds of `support/pin-race-arbitrary.ts`, each run
 * once, then again after each step that pins or unpins a Backup around the instant retention lets it go
 * (`support/pin-race.ts`), every run under invariants 1–9 and 11. Sizes from the environment: SIM_SOAK_RUNS (worlds
 * are three times that, default 60), SIM_SEED, SIM_VERBOSE=1 (a line per world). A world with a violation is written to `.tmp/sim-failures/` and the
 * hunt goes on; the test fails at the end, after printing the counts.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import type { InvariantNumber } from '../../../src/sim/invariants/types.js';
import { pinRaceCaseArb } from '../support/pin-race-arbitrary.js';
import { huntPinRaces, ruleOf } from '../support/pin-race.js';
import { FAILURE_DIR, describeViolations } from '../support/property-run.js';

const RUNS = Number(process.env['SIM_SOAK_RUNS'] ?? 20);
const SEED = Number(process.env['SIM_SEED'] ?? Date.now() % 2 ** 31);
const INVARIANTS: InvariantNumber[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11];
/** SIM_VERBOSE=1 prints each world's schedule, runs, time and outcomes. */
const VERBOSE = process.env['SIM_VERBOSE'] === '1';

/** count adds one to a tally. */
function count(tally: Map<string, number>, key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

function show(tally: Map<string, number>): string {
  return [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}

describe(`simulator soak: pin race (seed ${SEED}, ${RUNS * 3} worlds)`, function () {
  this.timeout(0);

  it('pin race: pins and unpins from −2× to +1× the lag around the sync that retires a Backup: invariants 1–9 and 11', async () => {
    const cases = fc.sample(pinRaceCaseArb(), { seed: SEED, numRuns: RUNS * 3 });
    let syncs = 0;
    let runs = 0;
    let failing = 0;
    const kinds = new Map<string, number>();
    const outcomes = new Map<string, number>();
    const windows = new Map<string, number>();
    const rules = new Map<string, number>();
    const phases = new Map<string, number>();
    const started = Date.now();
    for (const [index, { world, steps }] of cases.entries()) {
      const worldStarted = Date.now();
      const hunt = await huntPinRaces(world, steps, { invariants: INVARIANTS, lastShare: 0.7 });
      if (VERBOSE) console.log(`      world ${index}: ${String(world.schedule.spec['schedule'])}, ${hunt.runs.length} runs, ${Date.now() - worldStarted} ms: ${hunt.outcomes.join(', ')}`);
      runs += hunt.runs.length;
      syncs += hunt.runs.reduce((sum, run) => sum + run.syncs, 0);
      const lagMs = world.lag.childChangedMs[1];
      for (const [i, placed] of hunt.placed.entries()) {
        const outcome = hunt.outcomes[i] ?? 'no-op';
        count(kinds, `${placed.kind}${placed.pin ? '' : ' (unpin)'}`);
        count(outcomes, `${placed.pin ? 'pin' : 'unpin'} ${outcome}`);
        const offset = placed.writtenAt - placed.targetReadAt;
        if (!(placed.kind === 'unpin' && placed.pin)) count(windows, offset < -lagMs ? 'before the window' : offset <= 0 ? 'in the window (≤ a lag before the call)' : 'after the call');
        count(rules, ruleOf(placed.reason));
        if (placed.phase !== '') count(phases, placed.phase);
      }
      const bad = hunt.runs.findIndex((run) => run.violations.length > 0);
      if (bad >= 0) {
        failing += 1;
        const file = join(FAILURE_DIR, `pin-race-seed${SEED}-world${index}.json`);
        mkdirSync(FAILURE_DIR, { recursive: true });
        const run = hunt.runs[bad] as (typeof hunt.runs)[number];
        writeFileSync(file, `${JSON.stringify({ invariants: INVARIANTS, scenario: run.scenario }, null, 2)}\n`);
        console.log(`      world ${index}: run ${bad} of ${hunt.runs.length}, written to ${file}`);
        for (const line of describeViolations(run.violations).slice(0, 5)) console.log(`      ${line}`);
      }
    }
    console.log(`      ${cases.length} worlds, ${runs} runs, ${syncs} syncs, ${Math.round((Date.now() - started) / 1000)} s`);
    console.log(`      placed: ${show(kinds)}`);
    console.log(`      offsets against the call placed at: ${show(windows)}`);
    console.log(`      outcomes: ${show(outcomes)}`);
    console.log(`      retirements placed against: ${show(rules)}; phases ${show(phases)}`);
    assert.equal(failing, 0, `${failing} worlds with violations`);
  });
});
