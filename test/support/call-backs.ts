/** Following the call-backs an answer asks for, on an unchanged view: how the no-hot-loop properties probe the core. */

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';

import { CALL_BACK_FLOOR_SECONDS } from '../../src/core/answer.js';
import { decide } from '../../src/core/sync.js';
import type { SyncRequest } from '../../src/core/types.js';
import { SHORT_CALL_BACK_SECONDS } from '../../src/sim/invariants/pace.js';
import { evenDouble } from './even-double.js';
import { propertyRuns } from './property-runs.js';

/** Call-backs within a minute in a row, on an unchanged view, that count as a hot loop. */
export const SHORT_CALL_BACKS_IN_A_ROW = 4;

/**
 * endlessShortCallBacks follows the call-backs the answer to `request` at `now` asks for, feeding each answered
 * status back as Metacontroller would store it and keeping the children as they are. It returns the waits asked for
 * when {@link SHORT_CALL_BACKS_IN_A_ROW} short ones come in a row (a hot loop), or null when the run ends: an answer
 * that creates or deletes a child, asks for no call-back, or waits a minute or more.
 */
export function endlessShortCallBacks(request: SyncRequest, options: { now: number; inARow?: number | undefined }): number[] | null {
  const { now, inARow = SHORT_CALL_BACKS_IN_A_ROW } = options;
  const observed = namesOf(Object.values(request.children).flatMap((byKey) => Object.values(byKey)));
  const view = structuredClone(request);
  const asked: number[] = [];
  let at = now;
  while (asked.length < inARow) {
    const { response } = decide(structuredClone(view), { now: at });
    if (namesOf(response.children) !== observed) return null;
    const after = response.resyncAfterSeconds;
    if (after === undefined || after >= SHORT_CALL_BACK_SECONDS) return null;
    asked.push(after);
    view.parent.status = response.status;
    at += after * 1000;
  }
  return asked;
}

function namesOf(children: ReadonlyArray<{ kind?: string; metadata?: { name?: string } }>): string {
  return JSON.stringify(children.map((c) => `${c.kind ?? ''}/${c.metadata?.name ?? ''}`).sort());
}

/**
 * Where between an answer and its call-back the second decision is made: [0, 1). Half the draws are the last
 * millisecond before the call-back, where any change in between shows (an answer is a step function of the clock);
 * the rest are spread evenly by value (`fc.double` would put nine in ten below 1e-6: a probe at the answer's instant).
 */
export const FRACTION = fc.oneof(fc.constant(1 - 1e-12), evenDouble({ min: 0, max: 1, maxExcluded: true }));

/** How far ahead an answer that asks for no call-back is probed: it must hold at least this long. */
const NO_CALL_BACK_HORIZON_MS = 30 * 86_400_000;

/**
 * changeBeforeCallBack decides `request` at `now` with the status it answers fed back (as Metacontroller stores it),
 * then again at `fraction` of the way to the call-back it asks for; it returns what differs, or null when the second
 * answer is the first (call-back aside) or the call-back is at the floor ({@link CALL_BACK_FLOOR_SECONDS}: a change
 * due sooner is found by that call-back, up to a second late, so before it the answer may change). Every timed change
 * must be a call-back: a status that churns with the clock would loop parent updates, and a change before the
 * call-back would wait for the resync period.
 */
export function changeBeforeCallBack(request: SyncRequest, options: { now: number; fraction: number }): string | null {
  const { now, fraction } = options;
  const view = settled(request, now);
  const { resyncAfterSeconds: asked, ...first } = decide(structuredClone(view), { now }).response;
  const later = now + Math.floor(fraction * (asked === undefined ? NO_CALL_BACK_HORIZON_MS : asked * 1000));
  const { resyncAfterSeconds: _again, ...second } = decide(structuredClone(view), { now: later }).response;
  if (isDeepStrictEqual(first, second)) return null;
  if (asked === CALL_BACK_FLOOR_SECONDS) return null;
  return `asked at ${new Date(now).toISOString()} to be called back after ${asked ?? 'never'} s, the answer changed by ${new Date(later).toISOString()}: ${JSON.stringify(first).slice(0, 400)} became ${JSON.stringify(second).slice(0, 400)}`;
}

/** Answers fed back at one instant before the status must stop changing: a sync records what it sees, then holds it. */
const SETTLING_SYNCS = 3;

/**
 * settled is `request` with the status its answers at `now` settle on, each fed back as Metacontroller stores it: a
 * sync can record a first sighting that only the status it writes makes visible to the next (a schedule of a group
 * that creates its Backup, then, no longer due, gives an overdue sibling its turn, `seenAt` now). A status still
 * changing after {@link SETTLING_SYNCS} answers at the same instant is a loop of status writes, and fails.
 */
function settled(request: SyncRequest, now: number): SyncRequest {
  const view = structuredClone(request);
  for (let i = 0; i < SETTLING_SYNCS; i++) {
    const { status } = decide(structuredClone(view), { now }).response;
    if (i > 0 && isDeepStrictEqual(status, view.parent.status)) return view;
    view.parent.status = status;
  }
  assert.deepEqual(decide(structuredClone(view), { now }).response.status, view.parent.status, `the status still changes after ${SETTLING_SYNCS} answers at ${new Date(now).toISOString()}`);
  return view;
}

/** What {@link itKeepsItsCallBacks} draws requests from. */
export interface CallBackScenarios<S> {
  arbitrary: fc.Arbitrary<S>;
  build(scenario: S): { req: SyncRequest; now: number };
  /** Two seeds follow it; runs per property (both as PROPERTY_SEED and PROPERTY_RUNS vary them, test/support/property-runs.ts). */
  seed: number;
  numRuns: number;
  /** Short call-backs in a row that count as a hot loop (default {@link SHORT_CALL_BACKS_IN_A_ROW}). */
  shortInARow?: number | undefined;
}

/**
 * itKeepsItsCallBacks registers the two call-back properties over a scenario family: the answer stays the same until
 * the call-back it asks for, and on an unchanged view the short call-backs end (no hot loop).
 */
export function itKeepsItsCallBacks<S>(scenarios: CallBackScenarios<S>): void {
  const { arbitrary, build, seed, numRuns } = scenarios;
  it('answers the same until the instant it asks to be called back: nothing changes with the clock in between', () => {
    // Every timed change (a tick, a gate or window ending, an expiry, a deadline) is a call-back; between them the
    // same view gets the same answer, so the status never churns with the clock and no change waits for the resync.
    fc.assert(
      fc.property(arbitrary, FRACTION, (s, fraction) => {
        const { req, now } = build(s);
        assert.equal(changeBeforeCallBack(req, { now, fraction }), null);
      }),
      propertyRuns({ seed, numRuns }),
    );
  });

  it('asks to be called back soon only towards a change: on an unchanged view the short call-backs end', () => {
    // One that asks "again in a second" for ever is a hot loop: Metacontroller would call the hook every second for
    // as long as the view stays as it is.
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 0, max: 59_999 }), (s, offsetMs) => {
        const { req, now } = build(s);
        const asked = endlessShortCallBacks(req, { now: now + offsetMs, inARow: scenarios.shortInARow });
        assert.equal(asked, null, `on an unchanged view the hook asked to be called back after ${asked?.join(', ')} s, from ${new Date(now + offsetMs).toISOString()}`);
      }),
      propertyRuns({ seed: seed + 1, numRuns }),
    );
  });
}
