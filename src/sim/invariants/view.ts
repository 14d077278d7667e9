/** What a sync request shows of the schedule: its snapshot Backups with slot, state and age, its watermark, its log Backup. */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { backupAge, isLogBackup, snapshotState } from '../../core/backup-state.js';
import type { BackupState } from '../../core/backup-state.js';
import { BACKUP_CHILD_TYPE, SCHEDULE_LABEL, logBackupName } from '../../core/names.js';
import { slotOf } from '../../core/observe.js';
import { parseTime } from '../../core/time.js';
import { parseTso } from '../../core/tso.js';
import type { KubeObject, SyncRequest } from '../../core/types.js';

/** A snapshot Backup of the schedule as the request shows it. */
export interface SeenBackup {
  name: string;
  object: KubeObject;
  slot: number;
  state: BackupState;
  ageAt: number | null;
  deleting: boolean;
  /** A backup-now Backup: its slot is its creation, it never moves lastBackup or the watermark. */
  backupNow: boolean;
}

/** seenBackups lists the request's snapshot Backups of its schedule whose slot can be read. */
export function seenBackups(request: SyncRequest): SeenBackup[] {
  const scheduleName = request.parent.metadata.name ?? '';
  const seen: SeenBackup[] = [];
  for (const [key, object] of Object.entries(request.children[BACKUP_CHILD_TYPE] ?? {})) {
    if (object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName || isLogBackup(object)) continue;
    const name = object.metadata.name ?? key.slice(key.lastIndexOf('/') + 1);
    const slot = slotOf(object, { scheduleName, name });
    if (slot === null) continue;
    const age = backupAge(object);
    seen.push({
      name,
      object,
      slot,
      state: snapshotState(object),
      ageAt: age.ok ? age.at : null,
      deleting: object.metadata.deletionTimestamp != null,
      backupNow: isBackupNowBackup(object),
    });
  }
  return seen;
}

/**
 * committed tells whether a Backup's `status.commitTs` is a TSO: only commits move the point-in-time cutoff (a failed
 * Backup without one has none; upstream reads its empty commitTs as 0).
 */
export function committed(backup: SeenBackup): boolean {
  const commitTs = backup.object.status?.['commitTs'];
  return typeof commitTs === 'string' && parseTso(commitTs) !== null;
}

/** newestSlot returns the greatest slot among the scheduled Backups (not backup-now ones), or null. */
export function newestSlot(backups: readonly SeenBackup[]): number | null {
  let newest: number | null = null;
  for (const b of backups) if (!b.backupNow && (newest === null || b.slot > newest)) newest = b.slot;
  return newest;
}

/** seenLogBackups lists the request's log Backups of its schedule (by mode or by the fixed name). */
export function seenLogBackups(request: SyncRequest): KubeObject[] {
  const scheduleName = request.parent.metadata.name ?? '';
  return Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).filter(
    (object) => object.metadata?.labels?.[SCHEDULE_LABEL] === scheduleName && (isLogBackup(object) || object.metadata.name === logBackupName(scheduleName)),
  );
}

/**
 * watermarkOf is the instant ticks are counted from: the newest recorded or observed slot, else
 * allBackupCleanTime, else creation — raised to `status.lastMissedTime`, a slot the schedule chose not to run.
 */
export function watermarkOf(request: SyncRequest, seen: readonly SeenBackup[]): number | null {
  const status = request.parent.status;
  const recorded = parseTime(status?.lastBackupTime);
  const observed = newestSlot(seen);
  const last = recorded === null ? observed : observed === null ? recorded : Math.max(recorded, observed);
  const watermark = last ?? parseTime(status?.allBackupCleanTime) ?? parseTime(request.parent.metadata.creationTimestamp);
  const missed = parseTime(status?.['lastMissedTime']);
  return watermark === null || missed === null ? watermark : Math.max(watermark, missed);
}
