/**
 * Invariant 11: no hot loop. An answer asks to be called back soon only because something is about to change: a
 * run of answers that create, delete and update nothing and each ask to be called back within a minute ends within
 * a few minutes. One that asks "again in a second" for as long as the view stays the same makes Metacontroller call
 * the hook every second (a paused schedule past its slot's starting deadline once did: 1,024,014 syncs in 36 days).
 */

import { formatTime } from '../../core/time.js';
import { isSuccess } from '../hook.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** A call-back asked for within this many seconds is a short one. */
export const SHORT_CALL_BACK_SECONDS = 60;
/** Longest run of short call-backs with nothing written to the children, on the world's clock. */
export const LONGEST_SHORT_RUN_MS = 5 * 60_000;

/** paceCheck follows each run of idle answers asking for short call-backs and reports one that goes on too long. */
export function paceCheck(context: CheckContext): Check {
  let run: { from: number; syncs: number } | null = null;
  return {
    onSync(sync) {
      // A failed call changes nothing and is retried with backoff: it neither extends nor ends a run.
      if (!isSuccess(sync.answer)) return;
      const wrote = sync.created.length + sync.deleted.length + sync.updated.length > 0;
      const after = sync.answer.body.resyncAfterSeconds;
      if (wrote || after === undefined || after >= SHORT_CALL_BACK_SECONDS) {
        run = null;
        return;
      }
      run ??= { from: sync.calledAt, syncs: 0 };
      run.syncs += 1;
      if (sync.calledAt - run.from > LONGEST_SHORT_RUN_MS) {
        context.report(11, `a hot loop: from ${formatTime(run.from)} to ${formatTime(sync.calledAt)} ${run.syncs} answers wrote nothing to the children and asked to be called back within ${SHORT_CALL_BACK_SECONDS} s (the last after ${after} s)`);
        run = null;
      }
    },
  };
}
