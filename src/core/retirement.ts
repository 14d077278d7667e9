/**
 * The "retire" step of a sync: the log backup and its compaction (created once, never deleted by the hook), and
 * retention among the observed snapshot Backups and CompactBackups; the last Backup (as sent, as observed, as
 * created) always stays.
 */

import { decideCompact, latestFailedAttempts, newestCompacted } from './compact.js';
import type { CompactDecision } from './compact.js';
import { batchDeletions } from './deletion-batch.js';
import { decideLogBackup, logRangeOf } from './log-backup.js';
import type { LogBackupDecision } from './log-backup.js';
import type { NextBackup } from './next-backup.js';
import { decideCompactRetention, decideRetention } from './retention.js';
import type { Deletion, RetentionDecision } from './retention.js';
import { decideGfsCompactRetention, decideGfsRetention } from './retention-gfs.js';
import type { ScheduleSpec } from './spec.js';
import { findDeletionStuck } from './stuck.js';
import type { StuckReport } from './stuck.js';
import type { SyncContext } from './sync-context.js';
import { parseTime } from './time.js';
import { millisToTso } from './tso.js';

/** What the sync retires and what it asks of the log backup and compaction. */
export interface Retirement {
  log: LogBackupDecision;
  compact: CompactDecision;
  /** Status fields the log backup and compaction set. */
  fields: Record<string, string>;
  /** Snapshot retention: deletions (this answer's batch), next expiry, log truncation. */
  retention: RetentionDecision;
  compactDeletions: Deletion[];
  /** The next instant `maxReservedTime` would remove another CompactBackup, or null. */
  compactNextExpiry: number | null;
  /** Deletions retention decided that this answer leaves for the next syncs ({@link batchDeletions}). */
  deferredDeletions: number;
  /** Backups whose deletion has not finished in time. */
  deletionStuck: StuckReport;
}

/** decideRetirement decides the log backup, compaction and what retention removes, given the next Backup. */
export function decideRetirement(context: SyncContext, next: NextBackup): Retirement {
  const { parent, spec, previous, observation, snapshots, now } = context;
  const log = decideLogBackup(parent, {
    spec,
    previous,
    backups: context.backups,
    now,
    watermark: next.watermark,
    staleViewGraceMs: context.staleViewGraceMs,
    handoverLabelKey: context.handoverLabelKey,
  });
  const logStatus = { ...previous, ...log.status };
  const furthest = newestCompacted(observation.compacts, logStatus);
  const compact = decideCompact(parent, {
    spec,
    status: logStatus,
    compacts: observation.compacts,
    furthest,
    log: log.observed,
    now,
    handoverLabelKey: context.handoverLabelKey,
  });
  const fields: Record<string, string> = { ...log.status, ...compact.status };

  const recordedLast = typeof previous.lastBackup === 'string' ? previous.lastBackup : null;
  const protectedNames = new Set([recordedLast, context.observedLast.name, next.last.name].filter((n): n is string => n !== null));
  const policy = { maxReservedTimeMs: spec.maxReservedTimeMs, maxBackups: spec.maxBackups };
  const logRetention =
    log.observed === null
      ? {}
      : { log: { range: logRangeOf(log.observed), compactCap: compactCap(spec, fields['lastCompactProgress'] ?? previous.lastCompactProgress) } };
  const decided =
    spec.retention !== null
      ? decideGfsRetention(snapshots, { now, policy: spec.retention, timeZone: spec.timeZone, protectedNames, ...logRetention })
      : decideRetention(snapshots, { now, policy, protectedNames, ...logRetention });
  const progress = parseTime(fields['lastCompactProgress'] ?? previous.lastCompactProgress);
  const lastCompacts = new Set([previous.lastCompact, fields['lastCompact'], furthest?.name, ...latestFailedAttempts(observation.compacts, progress)].filter((n): n is string => typeof n === 'string'));
  const compactDecided =
    spec.retention !== null
      ? { deletions: decideGfsCompactRetention(observation.compacts, { snapshots, deletions: decided.deletions, protectedNames: lastCompacts }), nextExpiry: null }
      : decideCompactRetention(observation.compacts, { now, policy, protectedNames: lastCompacts });
  // At most a batch of deletions per answer: a Backup created in it is not held back behind them (deletion-batch.ts).
  const batch = batchDeletions({ retention: decided, compactDeletions: compactDecided.deletions }, { backups: context.backups, max: context.maxDeletionsPerSync });
  const deletionStuck = findDeletionStuck(observation.backups, { now, afterMs: context.deletionStuckAfterMs });
  return {
    log,
    compact,
    fields,
    retention: batch.retention,
    compactDeletions: batch.compactDeletions,
    compactNextExpiry: compactDecided.nextExpiry,
    deferredDeletions: batch.deferred,
    deletionStuck,
  };
}

/** Compaction's cap on truncation: none without a compact template, else its progress (none yet: no truncation). */
function compactCap(spec: ScheduleSpec, progress: unknown): bigint | null | undefined {
  if (spec.compactBackupTemplate === null) return undefined;
  const at = parseTime(progress);
  return at === null ? null : BigInt(millisToTso(at));
}
