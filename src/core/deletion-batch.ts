/** Batch retention's deletions: at most a bounded number per answer, so that a Backup the answer creates is not queued behind them. */

import { compareNames } from './observe.js';
import type { ObservedBackup } from './observe.js';
import type { Deletion, RetentionDecision } from './retention.js';

/**
 * Deletions one answer asks for at most. Metacontroller deletes before it creates, through a client limited to 5
 * requests a second by default and shared by every parent: 1,000 deletions in one answer would hold back a Backup
 * created in the same answer by over three minutes, while the gate counts the stale-view grace from when the Backup
 * was asked for. 50 take about 8 s; the rest follow in the next syncs, which their own deletion events bring.
 */
export const MAX_DELETIONS_PER_SYNC = 50;

/** How soon an answer that leaves deletions for later asks to be called back, should no deletion event come first. */
export const DEFERRED_DELETIONS_CALL_BACK_MS = 10_000;

/** Retention's deletions as one answer asks for them. */
export interface DeletionBatch {
  retention: RetentionDecision;
  compactDeletions: Deletion[];
  /** Deletions left for the next syncs (retention names them again then), 0 when all are asked for now. */
  deferred: number;
}

/**
 * batchDeletions keeps at most `options.max` (a number ≥ 1, else {@link MAX_DELETIONS_PER_SYNC}) of the deletions retention
 * decided, the oldest Backups first, then CompactBackups by name. With any left for later the log is not truncated in
 * this answer: its truncation counts on every deletion it was decided with.
 */
export function batchDeletions(
  decided: { retention: RetentionDecision; compactDeletions: Deletion[] },
  options: { backups: ReadonlyMap<string, ObservedBackup>; max?: number },
): DeletionBatch {
  const { retention, compactDeletions } = decided;
  // Anything but a number ≥ 1 would leave every deletion for later, for ever: the default then.
  const max = typeof options.max === 'number' && options.max >= 1 ? Math.floor(options.max) : MAX_DELETIONS_PER_SYNC;
  const total = retention.deletions.length + compactDeletions.length;
  if (total <= max) return { retention, compactDeletions, deferred: 0 };
  const backups = [...retention.deletions].sort((a, b) => ageOf(a, options.backups) - ageOf(b, options.backups) || compareNames(a.name, b.name)).slice(0, max);
  const compacts = [...compactDeletions].sort((a, b) => compareNames(a.name, b.name)).slice(0, max - backups.length);
  return {
    retention: { ...retention, deletions: backups, truncateUntil: null },
    compactDeletions: compacts,
    deferred: total - backups.length - compacts.length,
  };
}

/** The instant a deleted Backup's age counts from (its commit, else its creation); -Infinity when not a snapshot. */
function ageOf(deletion: Deletion, backups: ReadonlyMap<string, ObservedBackup>): number {
  const backup = backups.get(deletion.name);
  return backup?.role === 'snapshot' ? backup.ageAt : -Infinity;
}
