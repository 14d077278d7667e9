/**
 * Stuck watch caches (fault `cache-stuck`, kubernetes#97294) for the hunts and the stuck-cache property: one or two
 * windows of a minute to `longestMs` (past the lag bound the hook is built for), holding back the children, the
 * parents or both, added to every run of any scenario arbitrary. The draws come after the scenario's own, so the rest
 * of a run is the scenario the arbitrary drew. Half of the windows start just after a tick of the schedule (0–60 s),
 * while the tick's Backup and the status naming it are on their way, so the stuck view lacks them; the others on a
 * whole minute anywhere in the first 80 % of the run.
 */

import fc from 'fast-check';

import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { placeInRun } from './fault-placement.js';
import type { DrawnPlace } from './fault-placement.js';

const MINUTE = 60_000;

/** A stuck window before its place in the run is known. */
interface RawStuck extends DrawnPlace {
  forMs: number;
  which: 'children' | 'parents' | 'all';
}

/**
 * stuckArb draws one window, its length log-uniform in whole minutes from one to `longestMs` (as many from 1 to 10
 * minutes as from 10 to 100), unbiased: fast-check's first runs would otherwise draw the shortest ones.
 */
function stuckArb(longestMs: number): fc.Arbitrary<RawStuck> {
  const longestMinutes = Math.max(1, Math.floor(longestMs / MINUTE));
  return fc.record({
    // fc.double draws uniformly over the representable doubles, most of them tiny: draw per mille instead.
    at: fc.noBias(fc.integer({ min: 0, max: 800 })).map((permille) => permille / 1000),
    forMs: fc.noBias(fc.integer({ min: 0, max: 1000 })).map((permille) => Math.round(longestMinutes ** (permille / 1000)) * MINUTE),
    which: fc.noBias(fc.constantFrom('children' as const, 'parents' as const, 'all' as const)),
    onTick: fc.boolean(),
    offsetMs: fc.noBias(fc.integer({ min: 0, max: MINUTE })),
  });
}

/** placeStuck turns a drawn window into a fault of the scenario: on a whole minute, or just after a tick. */
function placeStuck(scenario: Scenario, raw: RawStuck): Fault {
  return { kind: 'cache-stuck', atMs: placeInRun(scenario, raw), forMs: raw.forMs, which: raw.which };
}

/** withStuckCache adds one or two stuck windows of a minute to `longestMs` to every scenario of the arbitrary. */
export function withStuckCache(arbitrary: fc.Arbitrary<Scenario>, options: { longestMs: number }): fc.Arbitrary<Scenario> {
  return fc
    .tuple(arbitrary, fc.array(stuckArb(options.longestMs), { minLength: 1, maxLength: 2 }))
    .map(([scenario, raws]) => ({ ...scenario, faults: [...scenario.faults, ...raws.map((raw) => placeStuck(scenario, raw))] }));
}
