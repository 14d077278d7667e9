/** Following the call-backs an answer asks for, on an unchanged view: how the no-hot-loop properties probe the core. */

import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';

import { decide } from '../../src/core/sync.js';
import type { SyncRequest } from '../../src/core/types.js';
import { SHORT_CALL_BACK_SECONDS } from '../../src/sim/invariants/pace.js';

/** Call-backs within a minute in a row, on an unchanged view, that count as a hot loop. */
export const SHORT_CALL_BACKS_IN_A_ROW = 4;

/**
 * endlessShortCallBacks follows the call-backs the answer to `request` at `now` asks for, feeding each answered
 * status back as Metacontroller would store it and keeping the children as they are. It returns the waits asked for
 * when {@link SHORT_CALL_BACKS_IN_A_ROW} short ones come in a row (a hot loop), or null when the run ends: an answer
 * that creates or deletes a child, asks for no call-back, or waits a minute or more.
 */
export function endlessShortCallBacks(request: SyncRequest, now: number): number[] | null {
  const observed = namesOf(Object.values(request.children).flatMap((byKey) => Object.values(byKey)));
  const view = structuredClone(request);
  const asked: number[] = [];
  let at = now;
  while (asked.length < SHORT_CALL_BACKS_IN_A_ROW) {
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

/** Where between an answer and its call-back the second decision is made: [0, 1). */
export const FRACTION = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** How far ahead an answer that asks for no call-back is probed: it must hold at least this long. */
const NO_CALL_BACK_HORIZON_MS = 30 * 86_400_000;

/**
 * changeBeforeCallBack decides `request` at `now` with the status it answers fed back (as Metacontroller stores it),
 * then again at `fraction` of the way to the call-back it asks for; it returns what differs, or null when the second
 * answer is the first (call-back aside). Every timed change must be a call-back: a status that churns with the clock
 * would loop parent updates, and a change before the call-back would wait for the resync period.
 */
export function changeBeforeCallBack(request: SyncRequest, options: { now: number; fraction: number }): string | null {
  const { now, fraction } = options;
  const view = structuredClone(request);
  view.parent.status = decide(structuredClone(request), { now }).response.status;
  const { resyncAfterSeconds: asked, ...first } = decide(structuredClone(view), { now }).response;
  const later = now + Math.floor(fraction * (asked === undefined ? NO_CALL_BACK_HORIZON_MS : asked * 1000));
  const { resyncAfterSeconds: _again, ...second } = decide(structuredClone(view), { now: later }).response;
  if (isDeepStrictEqual(first, second)) return null;
  return `asked at ${new Date(now).toISOString()} to be called back after ${asked ?? 'never'} s, the answer changed by ${new Date(later).toISOString()}: ${JSON.stringify(first).slice(0, 400)} became ${JSON.stringify(second).slice(0, 400)}`;
}
