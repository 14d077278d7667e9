/** Decide the gate: may a new snapshot Backup start, or may the last one still be running? */

import { snapshotState } from './backup-state.js';
import { formatTime } from './time.js';
import { nextTick } from './schedule.js';
import type { Schedule } from './schedule.js';
import type { LastBackup } from './last-backup.js';
import type { ObservedBackup, SnapshotBackup } from './observe.js';

/** The gate's verdict. */
export type Gate =
  | { open: true }
  | {
      open: false;
      /** Why, in words a user can act on. */
      message: string;
      /** When the verdict changes by time alone (end of the stale-view grace), or null. */
      until: number | null;
      /** The observed unfinished Backup that closes the gate, or null (stuck.ts may let it pass). */
      blocker: string | null;
    };

/** Options of {@link decideGate}. */
export interface GateOptions {
  now: number;
  schedule: Schedule;
  /** How long after it was asked for (else after the tick that follows its slot) a missing last Backup still counts as in flight. */
  staleViewGraceMs: number;
}

/**
 * decideGate opens when the last Backup is finished (Complete, Failed or Invalid condition True), being
 * deleted, or gone. A last Backup missing from the view counts as in flight (it may have been created a
 * moment ago and not be in Metacontroller's cache yet) until a grace after it was asked for (`last.createdAt`),
 * or, when that is unknown, after the tick that follows its slot.
 */
export function decideGate(last: LastBackup, options: GateOptions & { backups: ReadonlyMap<string, ObservedBackup> }): Gate {
  if (last.name === null) return { open: true };
  const observed = options.backups.get(last.name);
  if (observed !== undefined) {
    if (observed.deleting) return { open: true };
    const state = observed.role === 'snapshot' ? observed.state : snapshotState(observed.object);
    if (state !== 'unfinished') return { open: true };
    return { open: false, message: `waiting for Backup ${last.name} to finish (Complete, Failed or Invalid)`, until: null, blocker: last.name };
  }
  if (last.time === null) return { open: true };
  const following = nextTick(options.schedule, { after: last.time, anchor: last.time });
  if (following === null) return { open: true };
  // The grace counts from when it was asked for, if the status says (a Backup a user deleted then frees the following
  // tick), else from that tick; never from later (a clock far ahead when it was asked for cannot hold the gate longer;
  // after an edit, where the new schedule's following tick can come first, the edit rule runs no tick before it).
  const until = inFlightUntil(Math.min(last.createdAt ?? following, following), options);
  if (until === null) return { open: true };
  return {
    open: false,
    message: `Backup ${last.name} is not in the view yet; it counts as running until ${formatTime(until)} (stale-view grace)`,
    until,
    blocker: null,
  };
}

/** inGrace tells whether a last Backup's gate is closed because the view lacks the Backup within the stale-view grace. */
export function inGrace(gate: Gate): gate is Extract<Gate, { open: false }> & { blocker: null; until: number } {
  return !gate.open && gate.blocker === null && gate.until !== null;
}

/**
 * inFlightUntil is when a Backup asked for at `askedAt` and missing from the view stops counting as running (a
 * stale-view grace later: it may exist and not have reached Metacontroller's cache yet), or null once it has, or when
 * it is not known when it was asked for.
 */
export function inFlightUntil(askedAt: number | null, options: { now: number; staleViewGraceMs: number }): number | null {
  if (askedAt === null) return null;
  const until = askedAt + options.staleViewGraceMs;
  return options.now < until ? until : null;
}

/**
 * decideRunningGate closes while a snapshot Backup of the schedule other than the last one runs (unfinished, not being
 * deleted): one an earlier controller left running (TiDB Operator's overlapping Backups), or an older one still running
 * after the newer last one was deleted. Its blocker is such a Backup the stuck rule does not pass, if any (`stuck`:
 * the names past `spec.backupTimeout`), so that rule lets a tick pass one stuck Backup and never more.
 */
export function decideRunningGate(snapshots: readonly SnapshotBackup[], options: { last: string | null; stuck: ReadonlySet<string> }): Gate {
  const running = snapshots.filter((b) => b.name !== options.last && !b.deleting && b.state === 'unfinished');
  const blocker = running.find((b) => !options.stuck.has(b.name)) ?? running[0];
  if (blocker === undefined) return { open: true };
  return { open: false, message: `waiting for Backup ${blocker.name}, still running, to finish (Complete, Failed or Invalid)`, until: null, blocker: blocker.name };
}
