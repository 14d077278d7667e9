/** Steps both upstream ports share: reading the spec, building and recording the Backup, the reset. */

import { buildSnapshotBackup } from '../../core/desired.js';
import { formatTime } from '../../core/time.js';
import { SCHEDULED_AT_ANNOTATION } from '../../core/names.js';
import { readSpec } from '../../core/spec.js';
import type { ScheduleSpec } from '../../core/spec.js';
import type { BackupSchedule, KubeObject } from '../../core/types.js';
import type { ReconcileContext } from './operator-loop.js';

/** upstreamSpec reads the schedule's spec, or null when upstream would fail on it. */
export function upstreamSpec(schedule: BackupSchedule): ScheduleSpec | null {
  const read = readSpec(schedule);
  return read.ok ? read.spec : null;
}

/** upstreamBackup builds `<schedule>-<time>` with the time in the name and the BR prefix, owned by the schedule. */
export function upstreamBackup(schedule: BackupSchedule, options: { spec: ScheduleSpec; time: number }): KubeObject {
  const backup = buildSnapshotBackup(schedule, options.spec, { slot: options.time, handoverLabelKey: '' }) as KubeObject;
  const annotations = { ...(backup.metadata?.annotations ?? {}) };
  delete annotations[SCHEDULED_AT_ANNOTATION];
  backup.metadata = {
    ...backup.metadata,
    annotations,
    ownerReferences: [
      { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: schedule.metadata.name ?? '', uid: schedule.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
    ],
  };
  return backup;
}

/** createAndRecord creates the Backup named by `nameTime` and, when that works, records it as upstream does: lastBackup, lastBackupTime, no allBackupCleanTime. */
export function createAndRecord(context: ReconcileContext, options: { spec: ScheduleSpec; nameTime: number; recordedTime: number }): 'ok' | 'requeue' {
  const backup = upstreamBackup(context.schedule, { spec: options.spec, time: options.nameTime });
  if (!context.createBackup(backup).ok) return 'requeue';
  const status = (context.schedule.status ??= {});
  status.lastBackup = backup.metadata?.name ?? '';
  status.lastBackupTime = formatTime(options.recordedTime);
  delete status.allBackupCleanTime;
  return 'ok';
}

/** resetLastBackup is upstream's resetLastBackup: the schedule forgets its last Backup and counts from now. */
export function resetLastBackup(schedule: BackupSchedule, now: number): void {
  const status = (schedule.status ??= {});
  delete status.lastBackupTime;
  status.lastBackup = '';
  status.allBackupCleanTime = formatTime(now);
}
