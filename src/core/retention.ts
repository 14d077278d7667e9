/** Decide retention: which observed snapshot Backups the answer leaves out (Metacontroller then deletes them). */

import { formatTime } from './time.js';
import type { SnapshotBackup } from './observe.js';

/** Failed or invalid Backups kept for diagnosis under `maxBackups` (as Kubernetes CronJob splits them). */
export const FAILED_BACKUPS_KEPT = 5;

/** The retention rules of a valid spec. */
export interface RetentionPolicy {
  /** `maxReservedTime` in ms; wins over maxBackups. */
  maxReservedTimeMs: number | null;
  /** `maxBackups` when > 0. */
  maxBackups: number | null;
}

/** A Backup retention removes, and the rule that names it. */
export interface Deletion {
  name: string;
  reason: string;
}

/** What retention decided. */
export interface RetentionDecision {
  deletions: Deletion[];
  /** The next instant an age rule would remove another Backup, or null. */
  nextExpiry: number | null;
}

/** Options of {@link decideRetention}. */
export interface RetentionOptions {
  now: number;
  policy: RetentionPolicy;
  /** Names never deleted whatever the rules say (the recorded last Backup). */
  protectedNames: ReadonlySet<string>;
}

/**
 * decideRetention applies `maxReservedTime` or `maxBackups` to the schedule's snapshot Backups that are not
 * already being deleted. Never removed: unfinished Backups, protected names, and the newest Complete one.
 */
export function decideRetention(snapshots: readonly SnapshotBackup[], options: RetentionOptions): RetentionDecision {
  const live = snapshots.filter((b) => !b.deleting);
  const newestComplete = newestFirst(live.filter((b) => b.state === 'complete'))[0];
  const deletable = (b: SnapshotBackup): boolean =>
    b.state !== 'unfinished' && b !== newestComplete && !options.protectedNames.has(b.name);

  const { maxReservedTimeMs, maxBackups } = options.policy;
  if (maxReservedTimeMs !== null) return byAge(live.filter(deletable), { now: options.now, maxAgeMs: maxReservedTimeMs });
  if (maxBackups !== null) return { deletions: byCount(live, { keep: maxBackups, deletable }), nextExpiry: null };
  return { deletions: [], nextExpiry: null };
}

function byAge(candidates: readonly SnapshotBackup[], options: { now: number; maxAgeMs: number }): RetentionDecision {
  const deletions: Deletion[] = [];
  let nextExpiry: number | null = null;
  for (const backup of candidates) {
    const expiresAt = backup.ageAt + options.maxAgeMs;
    if (expiresAt <= options.now) {
      deletions.push({ name: backup.name, reason: `maxReservedTime: ${backup.state} at ${formatTime(backup.ageAt)}, expired at ${formatTime(expiresAt)}` });
    } else if (nextExpiry === null || expiresAt < nextExpiry) {
      nextExpiry = expiresAt;
    }
  }
  return { deletions, nextExpiry };
}

function byCount(
  live: readonly SnapshotBackup[],
  options: { keep: number; deletable: (b: SnapshotBackup) => boolean },
): Deletion[] {
  const deletions: Deletion[] = [];
  const complete = newestFirst(live.filter((b) => b.state === 'complete'));
  for (const backup of complete.slice(options.keep)) {
    if (options.deletable(backup)) deletions.push({ name: backup.name, reason: `maxBackups: beyond the newest ${options.keep} Complete` });
  }
  const failed = newestFirst(live.filter((b) => b.state === 'failed' || b.state === 'invalid'));
  for (const backup of failed.slice(FAILED_BACKUPS_KEPT)) {
    if (options.deletable(backup)) deletions.push({ name: backup.name, reason: `maxBackups: beyond the newest ${FAILED_BACKUPS_KEPT} failed or invalid` });
  }
  return deletions;
}

/** newestFirst sorts by slot, newest first; names break ties so the order never depends on the input's. */
export function newestFirst(backups: readonly SnapshotBackup[]): SnapshotBackup[] {
  return [...backups].sort((a, b) => b.slot - a.slot || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}
