/** Observe: the schedule's last Backup, from its status and from what the children prove. */

import { isBackupNowBackup } from './backup-now.js';
import { isObject } from './spec.js';
import { parseTime } from './time.js';
import type { SnapshotBackup } from './observe.js';
import type { BackupScheduleStatus } from './types.js';

/** The last scheduled Backup: its name and its slot. */
export interface LastBackup {
  name: string | null;
  /** Its slot (epoch ms); for schedules migrated from TiDB Operator, its creation instant. */
  time: number | null;
  /**
   * When it was asked for (epoch ms): as `status.lastBackupCreation` records it (the hook's clock in the sync that
   * asked), else its creationTimestamp when it is in the view; null when neither says.
   */
  createdAt: number | null;
}

/** The status field that records when the last Backup was asked for, as `{name, time}`. */
export const LAST_BACKUP_CREATION = 'lastBackupCreation';

/**
 * lastBackupOf returns `status.lastBackup`/`lastBackupTime`, advanced to the newest observed snapshot Backup
 * when that one has a newer slot. It only ever moves forward: a Backup missing from the view never moves it back.
 * Backup-now Backups have no slot: they never move it.
 */
export function lastBackupOf(status: BackupScheduleStatus, snapshots: readonly SnapshotBackup[]): LastBackup {
  const name = typeof status.lastBackup === 'string' && status.lastBackup !== '' ? status.lastBackup : null;
  const time = parseTime(status.lastBackupTime);
  let newest: SnapshotBackup | null = null;
  let named: SnapshotBackup | null = null;
  for (const backup of snapshots) {
    if (isBackupNowBackup(backup.object)) continue;
    if (newest === null || backup.slot > newest.slot || (backup.slot === newest.slot && backup.name > newest.name)) newest = backup;
    if (backup.name === name) named = backup;
  }
  if (newest !== null && (time === null || newest.slot > time)) return { name: newest.name, time: newest.slot, createdAt: creationOf(newest) };
  if (name === null) return { name, time, createdAt: null };
  return { name, time, createdAt: parseTime(recordedCreationText(status, name)) ?? (named === null ? null : creationOf(named)) };
}

/**
 * watermarkOf is the instant after which a schedule's ticks are due: its last Backup's time, else its last clean-up
 * (`status.allBackupCleanTime`), else its creation.
 */
export function watermarkOf(last: LastBackup, schedule: { status: BackupScheduleStatus; creationTimestamp: unknown }): number | null {
  return last.time ?? parseTime(schedule.status.allBackupCleanTime) ?? parseTime(schedule.creationTimestamp);
}

/** recordedCreationText returns the time `status.lastBackupCreation` records for this Backup, as written, else undefined. */
export function recordedCreationText(status: BackupScheduleStatus, name: string): unknown {
  const recorded = status[LAST_BACKUP_CREATION];
  return isObject(recorded) && recorded['name'] === name ? recorded['time'] : undefined;
}

function creationOf(backup: SnapshotBackup): number | null {
  return parseTime(backup.object.metadata?.creationTimestamp);
}
