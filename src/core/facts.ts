/** Facts: a summary of one sync for metrics and logs, built from what the decision already knows. */

import type { BackupState } from './backup-state.js';
import { logBackupFacts } from './log-backup.js';
import type { LogBackupDecision, LogBackupHealth } from './log-backup.js';
import type { SnapshotBackup } from './observe.js';
import type { Deletion } from './retention.js';
import { parseTime } from './time.js';
import type { BackupSchedule, BackupScheduleStatus } from './types.js';

/** The state of a schedule as of one sync. Instants are epoch ms; null means unknown or not applicable. */
export interface ScheduleFacts {
  specValid: boolean;
  paused: boolean;
  /** The schedule's snapshot Backups that stay after this answer (not being deleted, not deleted by it), by state. */
  backups: Record<BackupState, number>;
  /** The schedule's snapshot Backups being deleted or that this answer deletes. */
  deleting: number;
  /** Slot of the last scheduled Backup (including one this answer creates). */
  lastScheduled: number | null;
  /** The next tick (null while paused or invalid). */
  nextScheduled: number | null;
  /** `status.lastSuccessfulTime` of the answer: completion of the newest Complete Backup. */
  lastSuccessfulCompletion: number | null;
  /** `status.lastMissedTime` of the answer: the newest slot the hook decided not to run. */
  lastMissed: number | null;
  /** The schedule's interval around now (null when invalid or it never fires again). */
  expectedIntervalMs: number | null;
  /** The schedule's `metadata.creationTimestamp`. */
  created: number | null;
  /** The log backup's health (conditions LogBackupMissing, LogBackupFailed); null without a log backup in use. */
  logBackup: LogBackupHealth | null;
  /** The observed log Backup's `status.logCheckpointTs` (a TSO, as epoch ms); null while `logBackup` is null or missing. */
  logCheckpoint: number | null;
  /**
   * How far the request's `metadata.generation` is ahead of its `status.observedGeneration` (0 when not ahead; null
   * when either is missing): ahead for one sync after a spec edit, on every sync when each status write changes the
   * generation (the CRD lost its status subresource).
   */
  generationsUnobserved: number | null;
}

/** What the decision found, as input of {@link summarize}. */
export interface FactsInputs {
  specValid: boolean;
  paused: boolean;
  deletions: readonly Deletion[];
  lastScheduled: number | null;
  nextScheduled: number | null;
  expectedIntervalMs: number | null;
  /** The status the answer writes. */
  status: BackupScheduleStatus;
  /** The log backup's decision; absent when the sync did not decide it (invalid spec, parent being deleted). */
  log?: LogBackupDecision;
}

/** summarize counts the schedule's snapshot Backups and collects the decision's instants. */
export function summarize(parent: BackupSchedule, snapshots: readonly SnapshotBackup[], inputs: FactsInputs): ScheduleFacts {
  const removed = new Set(inputs.deletions.map((d) => d.name));
  const backups: Record<BackupState, number> = { complete: 0, failed: 0, invalid: 0, unfinished: 0 };
  let deleting = 0;
  for (const backup of snapshots) {
    if (backup.deleting || removed.has(backup.name)) deleting += 1;
    else backups[backup.state] += 1;
  }
  const log = inputs.log === undefined ? { health: null, checkpoint: null } : logBackupFacts(inputs.log);
  return {
    specValid: inputs.specValid,
    paused: inputs.paused,
    backups,
    deleting,
    lastScheduled: inputs.lastScheduled,
    nextScheduled: inputs.nextScheduled,
    lastSuccessfulCompletion: parseTime(inputs.status.lastSuccessfulTime),
    lastMissed: parseTime(inputs.status.lastMissedTime),
    expectedIntervalMs: inputs.expectedIntervalMs,
    created: parseTime(parent.metadata.creationTimestamp),
    logBackup: log.health,
    logCheckpoint: log.checkpoint,
    generationsUnobserved: generationsUnobserved(parent),
  };
}

function generationsUnobserved(parent: BackupSchedule): number | null {
  const generation = parent.metadata.generation;
  const observed = parent.status?.['observedGeneration'];
  if (typeof generation !== 'number' || typeof observed !== 'number' || !Number.isSafeInteger(generation) || !Number.isSafeInteger(observed)) return null;
  return Math.max(0, generation - observed);
}
