/** Following the call-backs an answer asks for, on an unchanged view: how the no-hot-loop properties probe the core. */

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
