/** Decide whether the last Backup is asked for again: its create may have failed, and the status says it was asked for. */

import { buildSnapshotBackup } from './desired.js';
import { inGrace } from './gate.js';
import type { Gate } from './gate.js';
import { backupName } from './names.js';
import { deadlineQuietStart, tickQuietWindow } from './quiet.js';
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

/** The last Backup asked for again, and the instant this sync's answer stops asking (a call-back). */
export interface AskAgain {
  child: DesiredChild;
  until: number;
}

/**
 * decideAskAgain returns the last Backup's desired form while a sync asked for it (`status.lastBackupCreation`) a
 * moment ago and the view lacks it: Metacontroller writes the status even when the create fails, so asking again
 * (AlreadyExists is ignored when the view only lags) keeps a failed create from losing the slot. Only until half the
 * grace before the last Backup's gate opens, so that one created by the last ask is in every view by then (the cache
 * lags by less than half the grace), and only where a tick could start throughout: the other gates open, never into
 * the quiet window before the next tick or the slot's starting deadline; never while paused, nor for a Backup this
 * hook did not name, nor one the status says was asked for later than now (the clock went back: re-living that
 * instant would bring back a Backup a user deleted).
 */
export function decideAskAgain(context: SyncContext, options: AskAgainOptions): AskAgain | null {
  const { observedLast: last, spec, scheduleName, now, staleViewGraceMs } = context;
  const { lastGate } = options;
  if (spec.pause || !options.gate.open || !inGrace(lastGate)) return null;
  if (last.createdAt === null || last.time === null || now < last.createdAt || last.name !== backupName(scheduleName, last.time)) return null;
  const until = lastGate.until - staleViewGraceMs / 2;
  if (now >= until) return null;
  const window = tickQuietWindow(spec.schedule, { now, anchor: options.watermark ?? now, previous: last.time, staleViewGraceMs });
  if (window !== null && until > window.start) return null;
  const { startingDeadlineMs } = spec;
  if (startingDeadlineMs !== null && until > deadlineQuietStart(last.time, { startingDeadlineMs, staleViewGraceMs })) return null;
  return { child: buildSnapshotBackup(context.parent, spec, { slot: last.time, handoverLabelKey: context.handoverLabelKey }), until };
}

/**
 * askAgainStartsAt returns the instant the status says the last Backup was asked for when that is still ahead of this
 * clock (another replica's clock ahead of this one) and {@link decideAskAgain} would ask for it then, else null: the
 * answer asks to be called back then, so that it stays the same until its call-back.
 */
export function askAgainStartsAt(context: SyncContext, options: AskAgainOptions): number | null {
  const { createdAt } = context.observedLast;
  if (createdAt === null || context.now >= createdAt) return null;
  return decideAskAgain({ ...context, now: createdAt }, options) === null ? null : createdAt;
}
