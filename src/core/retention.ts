/** Decide retention: which observed snapshot Backups the answer leaves out (Metacontroller then deletes them). */

import type { LogRange } from './log-backup.js';
import type { ObservedCompact, SnapshotBackup } from './observe.js';
import { isPinned } from './pin.js';
import { formatTime } from './time.js';
import { tsoToMillis } from './tso.js';

/** Failed or invalid Backups kept for diagnosis under `maxBackups` (as Kubernetes CronJob splits them). */
export const FAILED_BACKUPS_KEPT = 5;

/** The retention rules of a valid spec. */
export interface RetentionPolicy {
  /** `maxReservedTime` in ms; wins over maxBackups. */
  maxReservedTimeMs: number | null;
  /** `maxBackups` when > 0. */
  maxBackups: number | null;
}

/** The spec field whose rule removes a Backup (a metric label). */
export type DeletionRule = 'maxReservedTime' | 'maxBackups' | 'retention' | 'failedBackupsHistoryLimit';

/** A Backup retention removes, and the rule that names it. */
export interface Deletion {
  name: string;
  /** Which rule, and why, in words. */
  reason: string;
  rule: DeletionRule;
}

/** What retention decided. */
export interface RetentionDecision {
  deletions: Deletion[];
  /** The next instant an age rule would remove another Backup, or null. */
  nextExpiry: number | null;
  /** TSO to truncate the log backup up to (`spec.logTruncateUntil`), or null. */
  truncateUntil: bigint | null;
}

/** The log backup retention must respect: its range, and how far compaction lets it be truncated. */
export interface LogRetention {
  range: LogRange;
  /**
   * Compaction's cap on truncation: undefined without a compact template (no cap); null with a template but no
   * progress yet (no truncation at all, as upstream); else the progress TSO.
   */
  compactCap: bigint | null | undefined;
}

/** Options of {@link decideRetention}. */
export interface RetentionOptions {
  now: number;
  policy: RetentionPolicy;
  /** Names never deleted whatever the rules say (the recorded last Backup). */
  protectedNames: ReadonlySet<string>;
  /** The log backup, when one is observed: point-in-time retention applies. */
  log?: LogRetention;
}

/**
 * decideRetention applies `maxReservedTime` or `maxBackups` to the schedule's snapshot Backups that are not
 * already being deleted. Never removed: unfinished Backups, protected names, pinned ones, and the newest
 * Complete one (pinned or not). Pinned Backups take no place in the `maxBackups` counts.
 */
export function decideRetention(snapshots: readonly SnapshotBackup[], options: RetentionOptions): RetentionDecision {
  const live = snapshots.filter((b) => !b.deleting);
  const newestComplete = newestFirst(live.filter((b) => b.state === 'complete'))[0];
  const deletable = (b: SnapshotBackup): boolean =>
    b.state !== 'unfinished' && b !== newestComplete && !options.protectedNames.has(b.name) && !isPinned(b);

  const { maxReservedTimeMs, maxBackups } = options.policy;
  const { log } = options;
  if (maxReservedTimeMs !== null && log !== undefined) return pointInTimeByAge(live, { maxAgeMs: maxReservedTimeMs, deletable, log });
  if (maxReservedTimeMs !== null) return { ...byAge(live.filter(deletable), { now: options.now, maxAgeMs: maxReservedTimeMs }), truncateUntil: null };
  if (maxBackups !== null) {
    const deletions = byCount(live.filter((b) => !isPinned(b)), { keep: maxBackups, deletable });
    return { deletions, nextExpiry: null, truncateUntil: truncationToOldestKept(live, { deletions, log }) };
  }
  return { deletions: [], nextExpiry: null, truncateUntil: null };
}

/**
 * pointInTimeByAge is upstream's retention with a log backup: the cutoff counts back from the newest of the
 * snapshots' commits and the log's checkpoint; the newest expired Complete snapshot stays as the restore base,
 * and the log is truncated up to it. Each Backup is judged on its own (no "leading run").
 */
function pointInTimeByAge(
  live: readonly SnapshotBackup[],
  options: { maxAgeMs: number; deletable: (b: SnapshotBackup) => boolean; log: LogRetention },
): RetentionDecision {
  const finished = live.filter((b) => b.state !== 'unfinished');
  const checkpoint = options.log.range.checkpointTso === null ? null : tsoToMillis(options.log.range.checkpointTso.toString());
  // Commits only: a finished Backup without status.commitTs (most failed ones) has none, and upstream reads its empty
  // commitTs as 0. Its creation is no restore point: Backups failing while the checkpoint stalls would walk the cutoff.
  // A loop, not Math.max(...ages): a spread of some 200,000 Backups overflows the stack.
  const latest = finished.reduce((max, b) => (b.commitTso === null ? max : Math.max(max, b.ageAt)), checkpoint ?? -Infinity);
  if (!Number.isFinite(latest)) return { deletions: [], nextExpiry: null, truncateUntil: null };
  const cutoff = latest - options.maxAgeMs;
  const expired = finished.filter((b) => b.ageAt <= cutoff);
  const base = newestFirst(expired.filter((b) => b.state === 'complete')).sort((a, b) => b.ageAt - a.ageAt)[0];
  if (base === undefined) return { deletions: [], nextExpiry: null, truncateUntil: null };
  const deletions = expired
    .filter((b) => b !== base && options.deletable(b))
    .map((b) => ({
      name: b.name,
      reason: `maxReservedTime with log backup: committed ${formatTime(b.ageAt)}, before the cutoff ${formatTime(cutoff)}; ${base.name} stays as the restore base`,
      rule: 'maxReservedTime' as const,
    }));
  return { deletions, nextExpiry: null, truncateUntil: truncation(base.commitTso, options.log) };
}

/**
 * truncationToOldestKept truncates the log up to the oldest Complete snapshot the rules keep (pinned ones aside, see
 * {@link earliestKeptComplete}), as the count rules do: upstream never truncates the log under maxBackups (#6068).
 */
export function truncationToOldestKept(live: readonly SnapshotBackup[], facts: { deletions: readonly Deletion[]; log: LogRetention | undefined }): bigint | null {
  if (facts.log === undefined) return null; // no log to truncate: no walk over the kept Backups
  const oldestKept = earliestKeptComplete(live, new Set(facts.deletions.map((d) => d.name)));
  return oldestKept === undefined ? null : truncation(oldestKept.commitTso, facts.log);
}

/**
 * earliestKeptComplete is the Complete snapshot that stays with the earliest commit (else creation), whatever the
 * slots say: a tick's slot is read on the hook's clock, a backup-now Backup's is its creation on the cluster's, so
 * with the two clocks apart the oldest slot need not be the oldest data. Pinned ones aside: a pin keeps a snapshot, not
 * the log and compactions from it (as under maxReservedTime), else a pin forgotten a year ago would keep a year of log.
 */
export function earliestKeptComplete(live: readonly SnapshotBackup[], removed: ReadonlySet<string>): SnapshotBackup | undefined {
  let earliest: SnapshotBackup | undefined;
  for (const b of live) {
    if (b.state !== 'complete' || b.deleting || removed.has(b.name) || isPinned(b)) continue;
    if (earliest === undefined || b.ageAt < earliest.ageAt || (b.ageAt === earliest.ageAt && b.name < earliest.name)) earliest = b;
  }
  return earliest;
}

/** truncation returns a snapshot's commit TSO when it lies in (log start, checkpoint], capped by compaction; else null. */
function truncation(commitTso: bigint | null, log: LogRetention): bigint | null {
  const { startTso, checkpointTso } = log.range;
  if (commitTso === null || startTso === null || checkpointTso === null) return null;
  if (!(startTso < commitTso && commitTso <= checkpointTso)) return null;
  if (log.compactCap === null) return null;
  const capped = log.compactCap !== undefined && log.compactCap < commitTso ? log.compactCap : commitTso;
  return capped > startTso ? capped : null;
}

/** What retention decided for CompactBackups: deletions, and the next instant an age rule would remove another (or null). */
export interface CompactRetentionDecision {
  deletions: Deletion[];
  nextExpiry: number | null;
}

/** decideCompactRetention applies the same policy to finished CompactBackups (by window end, or by count). */
export function decideCompactRetention(
  compacts: readonly ObservedCompact[],
  options: { now: number; policy: RetentionPolicy; protectedNames: ReadonlySet<string> },
): CompactRetentionDecision {
  const finished = compacts
    .filter((c) => !c.deleting && c.state !== 'unfinished' && c.endAt !== null && !options.protectedNames.has(c.name))
    .sort((a, b) => (b.endAt ?? 0) - (a.endAt ?? 0) || (a.name < b.name ? 1 : -1));
  const { maxReservedTimeMs, maxBackups } = options.policy;
  if (maxReservedTimeMs !== null) {
    const deletions: Deletion[] = [];
    let nextExpiry: number | null = null;
    for (const c of finished) {
      const expiresAt = (c.endAt ?? 0) + maxReservedTimeMs;
      if (expiresAt <= options.now) deletions.push({ name: c.name, reason: `maxReservedTime: CompactBackup window ended ${formatTime(c.endAt ?? 0)}`, rule: 'maxReservedTime' });
      else if (nextExpiry === null || expiresAt < nextExpiry) nextExpiry = expiresAt;
    }
    return { deletions, nextExpiry };
  }
  if (maxBackups !== null) {
    return { deletions: finished.slice(maxBackups).map((c) => ({ name: c.name, reason: `maxBackups: beyond the newest ${maxBackups} CompactBackups`, rule: 'maxBackups' as const })), nextExpiry: null };
  }
  return { deletions: [], nextExpiry: null };
}

function byAge(candidates: readonly SnapshotBackup[], options: { now: number; maxAgeMs: number }): Omit<RetentionDecision, 'truncateUntil'> {
  const deletions: Deletion[] = [];
  let nextExpiry: number | null = null;
  for (const backup of candidates) {
    const expiresAt = backup.ageAt + options.maxAgeMs;
    if (expiresAt <= options.now) {
      const reason = `maxReservedTime: ${backup.state} at ${formatTime(backup.ageAt)}, expired at ${formatTime(expiresAt)}`;
      deletions.push({ name: backup.name, reason, rule: 'maxReservedTime' });
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
    if (options.deletable(backup)) deletions.push({ name: backup.name, reason: `maxBackups: beyond the newest ${options.keep} Complete`, rule: 'maxBackups' });
  }
  const failed = newestFirst(live.filter((b) => b.state === 'failed' || b.state === 'invalid'));
  for (const backup of failed.slice(FAILED_BACKUPS_KEPT)) {
    if (options.deletable(backup)) {
      deletions.push({ name: backup.name, reason: `maxBackups: beyond the newest ${FAILED_BACKUPS_KEPT} failed or invalid`, rule: 'maxBackups' });
    }
  }
  return deletions;
}

/** newestFirst sorts by slot, newest first; names break ties so the order never depends on the input's. */
export function newestFirst(backups: readonly SnapshotBackup[]): SnapshotBackup[] {
  return [...backups].sort((a, b) => b.slot - a.slot || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}
