/** Runs a simulator property with fast-check and, on failure, prints the shrunk scenario as a replayable fixture. */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { runChecked } from '../../../src/sim/invariants/run.js';
import type { ScenarioFixture } from '../../../src/sim/invariants/run.js';
import type { InvariantNumber, Violation } from '../../../src/sim/invariants/types.js';
import { INVARIANT_TITLES } from '../../../src/sim/invariants/types.js';
import type { Scenario } from '../../../src/sim/scenario.js';
import type { WorldObserver } from '../../../src/sim/world.js';

/** How long a property (its shrinking included) may take before fast-check stops it. */
const SHRINK_LIMIT_MS = Number(process.env['SIM_TIME_LIMIT_MS'] ?? 15 * 60_000);

/** Where failing fixtures are written. */
export const FAILURE_DIR = join(process.cwd(), '.tmp', 'sim-failures');

/** Options of {@link checkSimProperty}. */
export interface SimPropertyOptions {
  name: string;
  arbitrary: fc.Arbitrary<Scenario>;
  invariants: InvariantNumber[];
  seed: number;
  numRuns: number;
  /** Time limit of the runs and the shrinking together (default SIM_TIME_LIMIT_MS, else 15 minutes). */
  timeLimitMs?: number;
  /** Observers of each run besides the checks (e.g. counts for the soak's report). */
  observers?(scenario: Scenario): WorldObserver[];
}

/** checkSimProperty asserts that no run of the arbitrary violates the invariants. */
export async function checkSimProperty(options: SimPropertyOptions): Promise<{ runs: number; syncs: number; simulatedMs: number }> {
  let syncs = 0;
  let simulatedMs = 0;
  const property = fc.asyncProperty(options.arbitrary, async (scenario) => {
    const { world, violations } = await runChecked({ invariants: options.invariants, scenario }, { observers: options.observers?.(scenario) ?? [] });
    syncs += world.syncs;
    simulatedMs += scenario.durationMs;
    if (violations.length > 0) throw new InvariantError(violations);
  });
  // Shrinking replays whole years; past the limit fast-check reports the smallest failure found so far.
  const limitMs = options.timeLimitMs ?? SHRINK_LIMIT_MS;
  const details = await fc.check(property, { seed: options.seed, numRuns: options.numRuns, interruptAfterTimeLimit: limitMs });
  if (!details.failed) {
    assert.equal(details.numRuns, options.numRuns, `property ${options.name} was interrupted after ${details.numRuns} runs (time limit ${limitMs} ms)`);
    return { runs: details.numRuns, syncs, simulatedMs };
  }
  const scenario = details.counterexample?.[0];
  if (scenario === undefined) assert.fail(`property ${options.name} failed without a counterexample: ${String(details.errorInstance)}`);
  const fixture: ScenarioFixture = { invariants: options.invariants, scenario };
  mkdirSync(FAILURE_DIR, { recursive: true });
  const file = join(FAILURE_DIR, `${options.name}-seed${options.seed}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  const rerun = await runChecked(fixture);
  assert.fail(
    [
      `property "${options.name}" failed (fast-check seed ${details.seed}, path ${details.counterexamplePath ?? ''}, ${details.numShrinks} shrinks).`,
      'Violations of the shrunk scenario:',
      ...describeViolations(rerun.violations),
      `Replayable fixture (also written to ${file}; copy it into test/fixtures/sim/ to keep it as a regression test,`,
      `or run: npx tsx src/cli/main.ts simulate -f ${file}):`,
      JSON.stringify(fixture),
    ].join('\n'),
  );
}

/** describeViolations renders violations one per line with the invariant's title. */
export function describeViolations(violations: readonly Violation[]): string[] {
  return violations.map((v) => `  [${v.invariant}: ${INVARIANT_TITLES[v.invariant]}] ${new Date(v.at).toISOString()} ${v.message}`);
}

class InvariantError extends Error {
  constructor(readonly violations: Violation[]) {
    super(describeViolations(violations).join('\n'));
  }
}
