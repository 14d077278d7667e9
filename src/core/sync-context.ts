/** The facts every step of a sync reads: the request as observed, the valid spec and the options with defaults. */

import type { LastBackup } from './last-backup.js';
import type { ObservedBackup, Observation, SnapshotBackup } from './observe.js';
import type { ScheduleSpec } from './spec.js';
import type { BackupSchedule, BackupScheduleStatus, ChildMap } from './types.js';

/** What the steps of {@link import('./sync.js').decide} share; built once per sync, never changed. */
export interface SyncContext {
  parent: BackupSchedule;
  spec: ScheduleSpec;
  /** The parent's status as sent (an empty object when it has none). */
  previous: BackupScheduleStatus;
  observation: Observation;
  /** The observed snapshot Backups of this schedule. */
  snapshots: SnapshotBackup[];
  /** Every observed Backup of this schedule by name. */
  backups: ReadonlyMap<string, ObservedBackup>;
  /** The last scheduled Backup as status and observation tell it. */
  observedLast: LastBackup;
  scheduleName: string;
  /** Related objects from the customize hook (sibling schedules of a group), if any. */
  related: Record<string, ChildMap> | undefined;
  now: number;
  staleViewGraceMs: number;
  handoverLabelKey: string;
  deletionStuckAfterMs: number;
  /** Deletions one answer asks for at most (the rest wait for the next syncs). */
  maxDeletionsPerSync: number;
  /** The longest call-back an answer asks for (ms), whatever the decision needs; null: only the decision's. */
  resyncEveryMs: number | null;
}
