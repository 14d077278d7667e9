/** Run a scenario under the invariant checks: what the property tests, the soak and `simulate` call. */

import { maxLagMs } from '../lag.js';
import { longestDelayMs } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { runScenario } from '../world.js';
import type { RunOptions, World } from '../world.js';
import { WORLD_INVARIANTS, createInvariantChecker } from './checker.js';
import type { InvariantNumber, Violation } from './types.js';

/** A saved scenario with the invariants it must satisfy: a replayable fixture. */
export interface ScenarioFixture {
  invariants: InvariantNumber[];
  scenario: Scenario;
}

/** The outcome of a checked run. */
export interface CheckedRun {
  world: World;
  violations: Violation[];
}

/** How a checked run judges. */
export interface CheckedOptions {
  /**
   * Whether the checks count a stuck watch cache (fault `cache-stuck`) as lag: true (the default) lets every excuse
   * and recovery time that allows the longest lag allow the changes the cache held back too ({@link checkedLagMs});
   * false judges by the scenario's lag ranges alone, as if the cache never stuck. Without the fault both are the same.
   */
  stuckAsLag?: boolean;
}

/** checkedLagMs is the longest lag the checks allow: the lag ranges' longest, plus what stuck windows hold back. */
export function checkedLagMs(scenario: Scenario, options: CheckedOptions = {}): number {
  return options.stuckAsLag === false ? maxLagMs(scenario.lag) : longestDelayMs(scenario);
}

/**
 * runChecked runs the scenario and checks the invariants on the way: the per-schedule ones for the schedule and for
 * each sibling, the group one once; `observers` watch the run too.
 */
export async function runChecked(fixture: ScenarioFixture, options: Pick<RunOptions, 'hook' | 'observers' | 'firstList'> & CheckedOptions = {}): Promise<CheckedRun> {
  const { scenario } = fixture;
  const common = { settings: scenario.hook, maxLagMs: checkedLagMs(scenario, options), maxLatencyMs: Math.max(scenario.transport.latencyMs[1], 1) };
  const checkers = [
    createInvariantChecker({ ...common, invariants: fixture.invariants }),
    ...(scenario.siblings ?? []).map((sibling) =>
      createInvariantChecker({ ...common, invariants: fixture.invariants.filter((n) => !WORLD_INVARIANTS.has(n)), schedule: sibling.name }),
    ),
  ];
  const { stuckAsLag: _judged, ...runOptions } = options;
  const world = await runScenario(scenario, { ...runOptions, observers: [...checkers, ...(options.observers ?? [])] });
  return { world, violations: checkers.flatMap((checker) => checker.violations).sort((a, b) => a.at - b.at) };
}
