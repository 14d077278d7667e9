/**
 * Upstream's BackupSchedule sync as release-1.x has it (shared/reference/tidb-backupschedule.md §5–§6),
 * snapshot Backups only: gate Complete, Scheduled∧Failed or Invalid; newest missed tick (over 1000 missed:
 * the watermark jump); the Backup is named and timed by `now`; GC by `maxReservedTime` (leading run of
 * finished Backups by commitTs, empty = 0) or `maxBackups` (counts everything); reset when every listed
 * Backup expired and `len > 0`.
 */

import { conditionIsTrue, isLogBackup } from '../../core/backup-state.js';
import { nextTick } from '../../core/schedule.js';
import { formatTime, parseTime } from '../../core/time.js';
import { tsoToMillis } from '../../core/tso.js';
import type { KubeObject } from '../../core/types.js';
import { createAndRecord, resetLastBackup, upstreamSpec } from './build-backup.js';
import type { ReconcileContext } from './operator-loop.js';

/** More missed ticks than this and upstream jumps the watermark instead of creating (#5392). */
const MAX_MISSED_TICKS = 1000;

/** reconcileRelease1x is one sync of release-1.x. */
export function reconcileRelease1x(context: ReconcileContext): 'ok' | 'requeue' {
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
  const backup = last === '' ? undefined : context.getBackup(last);
  if (backup !== undefined) {
    const is = (type: string): boolean => conditionIsTrue(backup, type);
    if (!(is('Complete') || (is('Scheduled') && is('Failed')) || is('Invalid'))) return 'requeue';
  }
  const lastBackupTime = parseTime(status.lastBackupTime);
  const allBackupCleanTime = parseTime(status.allBackupCleanTime);
  const watermark = lastBackupTime ?? allBackupCleanTime ?? parseTime(schedule.metadata.creationTimestamp);
  if (watermark === null || watermark > now) return 'ok';
  let count = 0;
  let first: number | null = null;
  for (let t = nextTick(spec.schedule, { after: watermark, anchor: watermark }); t !== null && t <= now; t = nextTick(spec.schedule, { after: t, anchor: watermark })) {
    first ??= t;
    count += 1;
    if (count > MAX_MISSED_TICKS) break;
  }
  if (count === 0 || first === null) return 'ok';
  if (count > MAX_MISSED_TICKS) {
    if (lastBackupTime === null && allBackupCleanTime !== null) {
      status.allBackupCleanTime = formatTime(now);
      return 'requeue';
    }
    const second = nextTick(spec.schedule, { after: first, anchor: watermark }) ?? first;
    status.lastBackupTime = formatTime(now - (second - first));
    return 'ok';
  }
  return createAndRecord(context, { spec, nameTime: now, recordedTime: now });
}

function collectGarbage(context: ReconcileContext): void {
  const { schedule, now } = context;
  const spec = upstreamSpec(schedule);
  if (spec === null) return;
  const list = context.listBackups();
  let expired: KubeObject[];
  if (spec.maxReservedTimeMs !== null) {
    const cutoff = now - spec.maxReservedTimeMs;
    const candidates = list
      .filter((b) => !isLogBackup(b) && (conditionIsTrue(b, 'Complete') || conditionIsTrue(b, 'Failed') || conditionIsTrue(b, 'Invalid')))
      .sort((a, b) => createdSeconds(a) - createdSeconds(b));
    expired = [];
    for (const backup of candidates) {
      if (commitMs(backup) >= cutoff) break; // the leading run only
      expired.push(backup);
    }
    for (const backup of expired) if (!context.deleteBackup(backup, 'maxReservedTime (upstream, leading run by commitTs)').ok) return;
  } else if (spec.maxBackups !== null) {
    expired = [...list].sort((a, b) => createdSeconds(b) - createdSeconds(a)).slice(spec.maxBackups);
    for (const backup of expired) if (!context.deleteBackup(backup, 'maxBackups (upstream, counts every Backup)').ok) return;
  } else {
    return;
  }
  if (expired.length === list.length && expired.length > 0) resetLastBackup(schedule, now);
}

function createdSeconds(backup: KubeObject): number {
  return Math.floor((parseTime(backup.metadata?.creationTimestamp) ?? 0) / 1000);
}

/** commitMs is the age upstream judges by: `status.commitTs` as TSO, empty = 0 (always old). */
function commitMs(backup: KubeObject): number {
  const commitTs = backup.status?.['commitTs'];
  return typeof commitTs === 'string' && commitTs !== '' ? (tsoToMillis(commitTs) ?? 0) : 0;
}
