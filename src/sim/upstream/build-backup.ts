/** The Backup upstream creates for a schedule at an instant: the core's builder, minus this hook's annotation, plus the owner reference. */

import { buildSnapshotBackup } from '../../core/desired.js';
import { SCHEDULED_AT_ANNOTATION } from '../../core/names.js';
import { readSpec } from '../../core/spec.js';
import type { ScheduleSpec } from '../../core/spec.js';
import type { BackupSchedule, KubeObject } from '../../core/types.js';

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
