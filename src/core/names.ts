/** Names, labels and annotations that tie Backups to their BackupSchedule. */

import { formatSlotStamp, parseSlotStamp } from './time.js';

/** Annotation on every Backup the hook creates: its slot, RFC 3339 UTC. */
export const SCHEDULED_AT_ANNOTATION = 'backup-schedule-hook/scheduled-at';

/** Annotation that pins a Backup: `"true"` means no retention rule ever deletes it. */
export const KEEP_ANNOTATION = 'backup-schedule-hook/keep';

/**
 * Annotation asking for one extra snapshot Backup now (on the schedule, value: a token); the Backup it
 * creates carries it too, which is how a backup-now Backup is told from a scheduled one.
 */
export const BACKUP_NOW_ANNOTATION = 'backup-schedule-hook/backup-now';

/** Annotation written by Metacontroller on children it created: the object it applied, as JSON. */
export const LAST_APPLIED_ANNOTATION = 'metacontroller.k8s.io/last-applied-configuration';

/** The label Metacontroller's `generateSelector: true` selects children by (it sets `controller-uid=<parent uid>`). */
export const CONTROLLER_UID_LABEL = 'controller-uid';

/** Upstream's label naming the schedule a Backup belongs to (also part of upstream's GC selector). */
export const SCHEDULE_LABEL = 'tidb.pingcap.com/backup-schedule';

/** Longest schedule name: TiDB Operator names the Job `backup-<schedule>-<20-char stamp>`, at most 63. */
export const MAX_SCHEDULE_NAME_LENGTH = 36;

/** The children map key of the child type the hook manages. */
export const BACKUP_CHILD_TYPE = 'Backup.pingcap.com/v1alpha1';

/** The children map key of CompactBackups (TiDB Operator >= 1.6). */
export const COMPACT_CHILD_TYPE = 'CompactBackup.pingcap.com/v1alpha1';

/** API version of Backups and BackupSchedules. */
export const PINGCAP_API_VERSION = 'pingcap.com/v1alpha1';

/** scheduleLabels returns upstream's four labels that every child of a schedule carries. */
export function scheduleLabels(scheduleName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'backup-schedule',
    'app.kubernetes.io/managed-by': 'backup-schedule-operator',
    'app.kubernetes.io/instance': scheduleName,
    [SCHEDULE_LABEL]: scheduleName,
  };
}

/** backupName returns the deterministic name of the snapshot Backup for a slot. */
export function backupName(scheduleName: string, slot: number): string {
  return `${scheduleName}-${formatSlotStamp(slot)}`;
}

/** backupNowName returns the deterministic name of the Backup a backup-now token asks for. */
export function backupNowName(scheduleName: string, token: string): string {
  return `${scheduleName}-manual-${token}`;
}

/** slotFromBackupName reads the slot back from a name made by {@link backupName}, or null. */
export function slotFromBackupName(scheduleName: string, name: string): number | null {
  const prefix = `${scheduleName}-`;
  if (!name.startsWith(prefix)) return null;
  return parseSlotStamp(name.slice(prefix.length));
}

/** logBackupName returns the fixed name of a schedule's log Backup. */
export function logBackupName(scheduleName: string): string {
  return `log-${scheduleName}`;
}

/** compactBackupName returns the deterministic name of the CompactBackup whose window starts at `start`. */
export function compactBackupName(scheduleName: string, start: number): string {
  return `compact-${scheduleName}-${formatSlotStamp(start)}`;
}

/** compactRetryName names the `attempt`-th retry (1, 2, …) of a window whose CompactBackup failed: `<name>-r<attempt>`. */
export function compactRetryName(name: string, attempt: number): string {
  return `${name}-r${attempt}`;
}
