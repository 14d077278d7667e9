/**
 * Stuck Backups. With `spec.backupTimeout`, a snapshot Backup still unfinished that long after its creation
 * is stuck: reported (condition BackupStuck), kept for inspection, and no longer holding the schedule back;
 * the schedule proceeds past one stuck Backup, never past two, so a broken cluster collects at most two
 * unfinished Backups. Independently, a Backup whose deletion has not finished after a threshold is
 * reported (condition DeletionStuck): that is how the seed's clean pods piled up unnoticed.
 */

import type { Gate } from './gate.js';
import type { ObservedBackup, SnapshotBackup } from './observe.js';
import type { Finding } from './status.js';
import { formatTime, parseTime } from './time.js';
import type { KubeObject } from './types.js';

/** Condition type reporting snapshot Backups running longer than `spec.backupTimeout`. */
export const BACKUP_STUCK_CONDITION = 'BackupStuck';
/** Condition type reporting Backups whose deletion has not finished in time. */
export const DELETION_STUCK_CONDITION = 'DeletionStuck';
/** Default time after its deletionTimestamp that a Backup still present counts as stuck in deletion. */
export const DEFAULT_DELETION_STUCK_AFTER_MS = 60 * 60_000;
/** Stuck Backups named in a message before the rest are counted. */
const NAMED = 5;

/** A Backup found stuck, and since when it counts from. */
export interface StuckBackup {
  name: string;
  /** Its creationTimestamp (running) or deletionTimestamp (deleting), epoch ms. */
  since: number;
}

/** What a stuck check found. */
export interface StuckReport {
  stuck: StuckBackup[];
  /** The next instant another Backup becomes stuck by time alone, or null. */
  nextDeadline: number | null;
}

/** findStuck returns the unfinished snapshot Backups created at least `timeoutMs` ago, oldest first (none without a timeout). */
export function findStuck(snapshots: readonly SnapshotBackup[], options: { now: number; timeoutMs: number | null }): StuckReport {
  const { timeoutMs } = options;
  if (timeoutMs === null) return { stuck: [], nextDeadline: null };
  const running = snapshots.filter((b) => b.state === 'unfinished' && !b.deleting);
  return overdue(running, { now: options.now, afterMs: timeoutMs, since: (b) => parseTime(b.object.metadata?.creationTimestamp) });
}

/**
 * stuckFrom is the instant from which an unfinished Backup counts as stuck by {@link findStuck}'s measure: its creation
 * plus `timeoutMs`; null without a timeout, or without a readable creationTimestamp (never stuck).
 */
export function stuckFrom(backup: KubeObject, timeoutMs: number | null): number | null {
  if (timeoutMs === null) return null;
  const created = parseTime(backup.metadata?.creationTimestamp);
  return created === null ? null : created + timeoutMs;
}

/** findDeletionStuck returns the Backups being deleted for at least `afterMs`, oldest first. */
export function findDeletionStuck(backups: readonly ObservedBackup[], options: { now: number; afterMs: number }): StuckReport {
  const deleting = backups.filter((b) => b.deleting);
  return overdue(deleting, { ...options, since: (b) => parseTime(b.object.metadata?.deletionTimestamp) });
}

function overdue<T extends { name: string }>(
  backups: readonly T[],
  options: { now: number; afterMs: number; since: (b: T) => number | null },
): StuckReport {
  const stuck: StuckBackup[] = [];
  let nextDeadline: number | null = null;
  for (const backup of backups) {
    const since = options.since(backup);
    if (since === null) continue; // no readable time: never judged stuck
    const deadline = since + options.afterMs;
    if (deadline <= options.now) stuck.push({ name: backup.name, since });
    else if (nextDeadline === null || deadline < nextDeadline) nextDeadline = deadline;
  }
  stuck.sort((a, b) => a.since - b.since || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { stuck, nextDeadline };
}

/**
 * passStuck combines the gates: the first closed one wins, except that a gate closed by a stuck Backup lets
 * the schedule pass. Two or more stuck Backups close it whatever the other gates say.
 */
export function passStuck(gates: readonly Gate[], report: StuckReport): Gate {
  if (report.stuck.length >= 2) {
    return {
      open: false,
      message: `${nameList(report.stuck)} have not finished within spec.backupTimeout; no new Backup starts until one of them finishes or is deleted`,
      until: null,
      blocker: null,
    };
  }
  for (const gate of gates) {
    if (holds(gate, report)) return gate;
  }
  return { open: true };
}

/** holds tells whether a gate keeps a new Backup back past one stuck Backup: closed, and not by a stuck Backup. */
function holds(gate: Gate, report: StuckReport): boolean {
  return !gate.open && (gate.blocker === null || !report.stuck.some((b) => b.name === gate.blocker));
}

/** backupStuckFinding is the BackupStuck condition's finding, or null when no Backup is stuck. */
export function backupStuckFinding(report: StuckReport, timeoutText: string): Finding | null {
  if (report.stuck.length === 0) return null;
  const since = report.stuck.map((b) => `${b.name} (created ${formatTime(b.since)})`);
  if (report.stuck.length === 1) {
    return {
      reason: 'BackupTimedOut',
      message:
        `Backup ${since.join('')} has not finished within spec.backupTimeout ${timeoutText}; the schedule no longer waits ` +
        'for it and keeps it for inspection: check its Job and pod, then delete it',
    };
  }
  return {
    reason: 'TooManyStuckBackups',
    message:
      `Backups ${listed(since)} have not finished within spec.backupTimeout ${timeoutText}; ` +
      'no new Backup starts until one of them finishes or is deleted: check their Jobs and pods',
  };
}

/** What BackupStuck says once no Backup is stuck. */
export const BACKUP_STUCK_RESOLVED: Finding = { reason: 'NoneStuck', message: 'no Backup runs longer than spec.backupTimeout' };

/** deletionStuckFinding is the DeletionStuck condition's finding, or null when no deletion is overdue. */
export function deletionStuckFinding(report: StuckReport, afterMs: number): Finding | null {
  if (report.stuck.length === 0) return null;
  const since = listed(report.stuck.map((b) => `${b.name} (since ${formatTime(b.since)})`));
  const one = report.stuck.length === 1;
  return {
    reason: 'DeletionNotFinished',
    message:
      `${one ? `Backup ${since} has` : `Backups ${since} have`} been deleting for more than ${afterMs / 60_000}m: check ` +
      `${one ? 'its clean Job and pod' : 'their clean Jobs and pods'}, the finalizer tidb.pingcap.com/backup-protection and the storage credentials`,
  };
}

/** What DeletionStuck says once no deletion is overdue. */
export const DELETION_STUCK_RESOLVED: Finding = { reason: 'NoneStuck', message: 'every deletion finished in time' };

function nameList(stuck: readonly StuckBackup[]): string {
  return `Backups ${listed(stuck.map((b) => b.name))}`;
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, NAMED);
  const rest = items.length - shown.length;
  const head = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}` : (shown[0] ?? '');
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : head;
}
