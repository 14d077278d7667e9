/**
 * Invariant 3: the status the hook answers is never behind the request it was sent (lastBackupTime never
 * earlier than the request's or than the newest observed Backup; lastBackup never emptied), and in the store
 * lastBackup, while its Backup exists, comes back within twice the longest lag when an answer to a stale request
 * moved it back or cleared it (Metacontroller replaces the whole status, so a stale input can win for a moment).
 */

import { formatTime, parseTime } from '../../core/time.js';
import { isSuccess } from '../hook.js';
import { recoveryDeadline } from './deadline.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';
import { newestSlot, seenBackups } from './view.js';

/** A regression that must be recovered by a deadline. */
interface Pending {
  since: number;
  deadline: number;
  /** The recorded Backup and slot the status must come back to. */
  name: string;
  slot: number;
}

/** statusCheck compares every answer with its request, and watches the stored status. */
export function statusCheck(context: CheckContext): Check {
  const { world } = context;
  let best: { name: string; slot: number } | null = null;
  let pending: Pending | null = null;
  const recoverMs = 2 * context.maxLagMs + 2 * context.maxLatencyMs + 2000;

  function checkPending(now: number): void {
    if (pending === null || now <= pending.deadline) return;
    if (world.recorder.existingBackup(pending.name) !== undefined) {
      context.report(3, `stored lastBackupTime went back at ${formatTime(pending.since)} and was not recovered to ${pending.name} (${formatTime(pending.slot)}) by ${formatTime(pending.deadline)}`);
    }
    pending = null;
  }

  return {
    onSync(sync) {
      if (!isSuccess(sync.answer)) return;
      const requested = sync.request.parent.status ?? {};
      const answered = sync.answer.body.status ?? {};
      const requestTime = parseTime(requested.lastBackupTime);
      const answerTime = parseTime(answered.lastBackupTime);
      const observed = newestSlot(seenBackups(sync.request));
      const floor = Math.max(requestTime ?? -Infinity, observed ?? -Infinity);
      if (Number.isFinite(floor) && (answerTime === null || answerTime < floor)) {
        context.report(3, `answered lastBackupTime ${answerTime === null ? 'empty' : formatTime(answerTime)} is behind the request (status ${requestTime === null ? 'empty' : formatTime(requestTime)}, newest observed slot ${observed === null ? 'none' : formatTime(observed)})`);
      }
      const requestedLast = typeof requested.lastBackup === 'string' && requested.lastBackup !== '';
      const answeredLast = typeof answered.lastBackup === 'string' && answered.lastBackup !== '';
      if ((requestedLast || observed !== null) && !answeredLast) context.report(3, 'the answer empties lastBackup although the request records or shows one');
    },
    onStoreEvent(event) {
      checkPending(event.at);
      const { object } = event;
      if (object.kind !== 'BackupSchedule' || event.key !== world.parentKey || event.type === 'deleted') return;
      const name = typeof object.status?.['lastBackup'] === 'string' ? object.status['lastBackup'] : '';
      const slot = parseTime(object.status?.['lastBackupTime']);
      if (best !== null && world.recorder.existingBackup(best.name) === undefined) best = null;
      // Cleared or moved back: only an answer to a stale request does that (the answers are checked above never to
      // empty or move back what they were sent), e.g. one sent a status from before the first Backup. Allowed for a
      // moment; the next answers must recover it.
      if (best !== null && (name === '' || slot === null || slot < best.slot)) {
        pending ??= { since: event.at, deadline: recoveryDeadline(world, { from: event.at, recoverMs }), name: best.name, slot: best.slot };
        return;
      }
      if (name === '' || slot === null) return;
      best = { name, slot };
      if (pending !== null && slot >= pending.slot) pending = null;
    },
    onFinish() {
      checkPending(world.end);
    },
  };
}
