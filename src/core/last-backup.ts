/** Observe: the schedule's last Backup, from its status and from what the children prove. */

import { parseTime } from './time.js';
import type { SnapshotBackup } from './observe.js';
import type { BackupScheduleStatus } from './types.js';

/** The last scheduled Backup: its name and its slot. */
export interface LastBackup {
  name: string | null;
  /** Its slot (epoch ms); for schedules migrated from TiDB Operator, its creation instant. */
  time: number | null;
}

/**
 * lastBackupOf returns `status.lastBackup`/`lastBackupTime`, advanced to the newest observed snapshot Backup
 * when that one has a newer slot. It only ever moves forward: a Backup missing from the view never moves it back.
 */
export function lastBackupOf(status: BackupScheduleStatus, snapshots: readonly SnapshotBackup[]): LastBackup {
  const recorded: LastBackup = {
    name: typeof status.lastBackup === 'string' && status.lastBackup !== '' ? status.lastBackup : null,
    time: parseTime(status.lastBackupTime),
  };
  let newest: SnapshotBackup | null = null;
  for (const backup of snapshots) {
    if (newest === null || backup.slot > newest.slot || (backup.slot === newest.slot && backup.name > newest.name)) newest = backup;
  }
  if (newest === null) return recorded;
  if (recorded.time === null || newest.slot > recorded.time) return { name: newest.name, time: newest.slot };
  return recorded;
}
