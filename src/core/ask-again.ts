/** Decide whether the last Backup is asked for again: its create may have failed, and the status says it was asked for. */

import { buildSnapshotBackup } from './desired.js';
import type { Gate } from './gate.js';
import { backupName } from './names.js';
import { nextTick } from './schedule.js';
import type { SyncContext } from './sync-context.js';
import type { DesiredChild } from './types.js';

/** Options of {@link decideAskAgain}. */
export interface AskAgainOptions {
  /** The last Backup's gate: closed with no blocker while it is missing from the view within the grace. */
  lastGate: Gate;
  /** The other gates a new Backup passes now (group, backup-now, the edit's quiet window, stuck rule). */
  gate: Gate;
  /** The slot plan's watermark (the anchor of `@every`), or null. */
  watermark: number | null;
}

/**
 * decideAskAgain returns the last Backup's desired form while a sync asked for it (`status.lastBackupCreation`) less
 * than the grace ago and the view lacks it: Metacontroller writes the status even when the create fails, so asking
 * again (AlreadyExists is ignored when the view only lags) keeps a failed create from losing the slot. Only where the
 * slot could start throughout, up to the end of that grace (the last gate's call-back, so that the answer does not
 * change before it): the other gates open, never into the quiet window before the next tick or past the slot's
 * starting deadline; never while paused, nor for a Backup this hook did not name, nor one the status says was asked
 * for later than now (the clock went back: re-living that instant would bring back a Backup a user deleted).
 */
export function decideAskAgain(context: SyncContext, options: AskAgainOptions): DesiredChild | null {
  const { observedLast: last, spec, scheduleName, now, staleViewGraceMs } = context;
  const { lastGate } = options;
  if (spec.pause || !options.gate.open || lastGate.open || lastGate.blocker !== null || lastGate.until === null) return null;
  if (last.createdAt === null || last.time === null || now < last.createdAt || last.name !== backupName(scheduleName, last.time)) return null;
  const until = lastGate.until;
  const next = nextTick(spec.schedule, { after: now, anchor: options.watermark ?? now });
  if (next !== null && until > next - Math.min(staleViewGraceMs, (next - last.time) / 2)) return null;
  if (spec.startingDeadlineMs !== null && until > last.time + spec.startingDeadlineMs) return null;
  return buildSnapshotBackup(context.parent, spec, { slot: last.time, handoverLabelKey: context.handoverLabelKey });
}
