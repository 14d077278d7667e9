/**
 * Upstream's BackupSchedule sync as the seed describes the older release: the gate lets a Scheduled Backup
 * pass, `lastBackupTime` is the tick, expiry is by `creationTimestamp` over every listed Backup, and the
 * status is reset when `deleteCount == len(list)` (no `> 0` guard).
 */

import { conditionIsTrue } from '../../core/backup-state.js';
import { nextTick } from '../../core/schedule.js';
import { parseTime } from '../../core/time.js';
import type { KubeObject } from '../../core/types.js';
import { createAndRecord, resetLastBackup, upstreamSpec } from './build-backup.js';
import type { ReconcileContext } from './operator-loop.js';

/** reconcileSeedEra is one sync of the older release. */
export function reconcileSeedEra(context: ReconcileContext): 'ok' | 'requeue' {
  const result = createIfDue(context);
  collectGarbage(context);
  return result;
}

function createIfDue(context: ReconcileContext): 'ok' | 'requeue' {
  const { schedule, now } = context;
  const spec = upstreamSpec(schedule);
  if (spec === null || spec.pause) return 'ok';
  const status = (schedule.status ??= {});
  const last = typeof status.lastBackup === 'string' ? status.lastBackup : '';
  if (last !== '') {
    const backup = context.getBackup(last);
    // Complete, Scheduled or Failed let the next one start; NotFound too.
    if (backup !== undefined && !['Complete', 'Scheduled', 'Failed'].some((type) => conditionIsTrue(backup, type))) return 'requeue';
  }
  const earliest = parseTime(status.lastBackupTime) ?? parseTime(status.allBackupCleanTime) ?? parseTime(schedule.metadata.creationTimestamp);
  if (earliest === null) return 'ok';
  let tick: number | null = null;
  for (let t = nextTick(spec.schedule, { after: earliest, anchor: earliest }); t !== null && t <= now; t = nextTick(spec.schedule, { after: t, anchor: earliest })) {
    tick = t;
  }
  if (tick === null) return 'ok';
  return createAndRecord(context, { spec, nameTime: tick, recordedTime: tick });
}

function collectGarbage(context: ReconcileContext): void {
  const { schedule, now } = context;
  const spec = upstreamSpec(schedule);
  if (spec === null) return;
  const list = context.listBackups();
  let deleteCount = 0;
  if (spec.maxReservedTimeMs !== null) {
    for (const backup of list) {
      const created = parseTime(backup.metadata?.creationTimestamp) ?? 0;
      if (created + spec.maxReservedTimeMs > now) continue;
      if (!context.deleteBackup(backup, 'maxReservedTime (upstream, by creationTimestamp)').ok) return;
      deleteCount += 1;
    }
  } else if (spec.maxBackups !== null) {
    const newestFirst = [...list].sort((a, b) => creation(b) - creation(a));
    for (const backup of newestFirst.slice(spec.maxBackups)) {
      if (!context.deleteBackup(backup, 'maxBackups (upstream, counts every Backup)').ok) return;
      deleteCount += 1;
    }
  } else {
    return;
  }
  // "All backups have been deleted": the reset that forgets the Backup this very sync created.
  if (deleteCount === list.length) resetLastBackup(schedule, now);
}

function creation(backup: KubeObject): number {
  return parseTime(backup.metadata?.creationTimestamp) ?? 0;
}
