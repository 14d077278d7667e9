/**
 * Metacontroller restarts (fault `metacontroller-restart`) for the properties and the soak, added to a third of the
 * runs of any scenario arbitrary. The draws come after the scenario's own, so a run without restarts is the very
 * scenario the arbitrary drew before restarts existed (a seed's other runs replay as they did). Three restarts in four
 * land just after a tick of the schedule, in the sync that starts the tick's Backup (latencies of 1–50 ms) or moments
 * after it, so that crashes in flight — the answer lost, or the Backup created and the status not written — happen,
 * and first LISTs of the new process that lack the tick's Backup or its status, not only restarts between syncs.
 */

import fc from 'fast-check';

import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';
import { placeInRun } from './fault-placement.js';
import type { DrawnPlace } from './fault-placement.js';

const SECOND = 1000;
const MINUTE = 60_000;

/** A restart before its place in the run is known. */
interface RawRestart extends DrawnPlace {
  forMs: number;
}

/**
 * restartArb draws one restart. Half are a pod rescheduled at once (down 0–30 s) 0–5 s after a tick: in the sync that
 * starts the tick's Backup (1–50 ms) or just after it, while the watch events of the new Backup and of the status
 * naming it may still be on their way, so the new process's first LIST (which may trail the store within the lag
 * ranges, `cache.ts` `FirstListLag`) may lack them. The other half as before: three in four down up to 5 minutes, one
 * in four up to `longestMs` (a crash loop, a broken upgrade); half of them 0–40 ms after a tick, the rest on a whole
 * minute.
 */
function restartArb(longestMs: number): fc.Arbitrary<RawRestart> {
  const afterTick = fc.record({
    at: evenDouble({ min: 0, max: 0.8 }),
    forMs: fc.integer({ min: 0, max: 30 * SECOND }),
    onTick: fc.constant(true),
    offsetMs: fc.integer({ min: 0, max: 5 * SECOND }),
  });
  const anywhere = fc.record({
    at: evenDouble({ min: 0, max: 0.8 }),
    forMs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 5 * MINUTE }) }, { weight: 1, arbitrary: fc.integer({ min: 5 * MINUTE, max: longestMs }) }),
    onTick: fc.boolean(),
    offsetMs: fc.integer({ min: 0, max: 40 }),
  });
  return fc.oneof(afterTick, anywhere);
}

/** placeRestart turns a drawn restart into a fault of the scenario: on a whole minute, or just after a tick of its schedule. */
function placeRestart(scenario: Scenario, raw: RawRestart): Fault {
  return { kind: 'metacontroller-restart', atMs: placeInRun(scenario, raw), forMs: raw.forMs };
}

/** withRestarts adds one or two Metacontroller restarts of up to `longestMs` to a third of the arbitrary's scenarios. */
export function withRestarts(arbitrary: fc.Arbitrary<Scenario>, options: { longestMs: number }): fc.Arbitrary<Scenario> {
  const restarts = fc.oneof({ weight: 2, arbitrary: fc.constant<RawRestart[]>([]) }, { weight: 1, arbitrary: fc.array(restartArb(options.longestMs), { minLength: 1, maxLength: 2 }) });
  return fc.tuple(arbitrary, restarts).map(([scenario, raws]) => (raws.length === 0 ? scenario : { ...scenario, faults: [...scenario.faults, ...raws.map((raw) => placeRestart(scenario, raw))] }));
}
