/**
 * Invariant 11: no hot loop. An answer asks to be called back soon only because something is about to change, and
 * changes the status only because something changed: a run of answers that create, delete and update nothing and
 * each ask to be called back within a minute ends within a few minutes, and so does a run in which every answer
 * writes a new status although it was sent the stored one (each status write is itself a change of the parent, so
 * a status that changes with the clock makes Metacontroller sync again at once). A paused schedule past its slot's starting deadline once asked "again in
 * a second" for as long as the view stayed the same: 1,024,014 syncs in 36 days.
 */

import { formatTime } from '../../core/time.js';
import { isSuccess } from '../hook.js';
import type { SyncObservation } from '../metacontroller.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** A call-back asked for within this many seconds is a short one. */
export const SHORT_CALL_BACK_SECONDS = 60;
/** Longest run of idle answers (short call-backs, or status-only writes), on the world's clock. */
export const LONGEST_IDLE_RUN_MS = 5 * 60_000;
/** Fewest answers in a run that make it a loop: two status writes a quarter of an hour apart are not one. */
export const FEWEST_LOOP_SYNCS = 10;

/** paceCheck follows each run of idle answers and reports one that goes on too long. */
export function paceCheck(context: CheckContext): Check {
  const shortCallBacks = idleRun(context, 'asked to be called back within a minute');
  const statusWrites = idleRun(context, 'each wrote a new status');
  return {
    onSync(sync) {
      // A failed call changes nothing and is retried with backoff, and an answer lost when Metacontroller went down
      // asked for nothing: neither extends nor ends a run.
      if (!isSuccess(sync.answer) || sync.interruptedAt !== null) return;
      const wrote = sync.created.length + sync.deleted.length + sync.updated.length > 0;
      const after = sync.answer.body.resyncAfterSeconds;
      shortCallBacks.step(sync, !wrote && after !== undefined && after < SHORT_CALL_BACK_SECONDS);
      // Sent an older status than the stored one, an answer rewrites what a newer sync wrote (Metacontroller replaces
      // the whole status) until the cache catches up: that is the cache, not the hook, so it neither extends nor
      // ends a run. The hook's own churn shows on the syncs that were sent the stored status.
      if (!sync.staleParent) statusWrites.step(sync, !wrote && sync.statusWritten);
    },
  };
}

/** idleRun tracks one kind of run of idle answers: `step` extends it or ends it, and reports it when too long. */
function idleRun(context: CheckContext, what: string): { step(sync: SyncObservation, idle: boolean): void } {
  let run: { from: number; syncs: number } | null = null;
  return {
    step(sync, idle) {
      if (!idle) {
        run = null;
        return;
      }
      run ??= { from: sync.calledAt, syncs: 0 };
      run.syncs += 1;
      if (sync.calledAt - run.from > LONGEST_IDLE_RUN_MS && run.syncs >= FEWEST_LOOP_SYNCS) {
        context.report(11, `a hot loop: from ${formatTime(run.from)} to ${formatTime(sync.calledAt)} ${run.syncs} answers wrote nothing to the children and ${what}`);
        run = null;
      }
    },
  };
}
