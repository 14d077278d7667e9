/**
 * Invariant 4: a Backup is deleted only by a retention rule that names it — never the newest Complete one,
 * a running one, the recorded last Backup, or one pinned (`backup-schedule-hook/keep: "true"`) — judged both in the
 * view the hook was sent and in truth (pins in the view only: the hook can know no other).
 */

import { isLogBackup } from '../../core/backup-state.js';
import { decide } from '../../core/sync.js';
import type { SyncReport } from '../../core/sync.js';
import { readSpec } from '../../core/spec.js';
import { logRangeOf } from '../../core/log-backup.js';
import { BACKUP_CHILD_TYPE, KEEP_ANNOTATION, logBackupName } from '../../core/names.js';
import { formatTime } from '../../core/time.js';
import { tsoToMillis } from '../../core/tso.js';
import type { SyncRequest } from '../../core/types.js';
import { FAILED_BACKUPS_KEPT } from '../../core/retention.js';
import { isSuccess } from '../hook.js';
import type { SyncObservation } from '../metacontroller.js';
import type { BackupRecord } from '../recorder.js';
import { USER_DELETION } from '../recorder.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';
import type { SeenBackup } from './view.js';
import { committed, seenBackups } from './view.js';

/** deletionCheck judges every child a 200 answer leaves out. */
export function deletionCheck(context: CheckContext): Check {
  return {
    onSync(sync) {
      if (!isSuccess(sync.answer)) return;
      const desired = new Set((Array.isArray(sync.answer.body.children) ? sync.answer.body.children : []).map((c) => c.metadata.name));
      // The log Backup is invariant 7's (the hook never deletes it); CompactBackups are invariant 9's.
      const dropped = Object.values(sync.request.children[BACKUP_CHILD_TYPE] ?? {}).filter(
        (c) => c.metadata?.deletionTimestamp == null && !desired.has(c.metadata?.name ?? '') && !isLogBackup(c),
      );
      if (dropped.length === 0) return;
      const report = reportOf(sync, context);
      const seen = new Map(seenBackups(sync.request).map((b) => [b.name, b]));
      for (const child of dropped) {
        const name = child.metadata?.name ?? '';
        const reason = report.deletions.find((d) => d.name === name)?.reason;
        // A pin holds against every rule: judged in the request, where the hook saw it (a pin still on its way to
        // the cache cannot save a Backup).
        if (child.metadata?.annotations?.[KEEP_ANNOTATION] === 'true') {
          context.report(4, `${name} is pinned in the view (${KEEP_ANNOTATION}: "true"), yet the answer leaves it out${reason === undefined ? '' : ` for "${reason}"`}`);
          continue;
        }
        if (reason === undefined) {
          context.report(4, `${name} was left out of the answer but no retention rule names it`);
          continue;
        }
        const backup = seen.get(name);
        if (backup === undefined) {
          context.report(4, `${name} is not a snapshot Backup of this schedule, yet "${reason}" deletes it`);
          continue;
        }
        judgeInView(backup, { sync, reason, seen: [...seen.values()], context });
      }
      judgeInTruth(sync, context);
    },
  };
}

function reportOf(sync: SyncObservation, context: CheckContext): SyncReport {
  const answer = sync.answer;
  if ('report' in answer && answer.report !== undefined) return answer.report;
  return decide(sync.request, { now: sync.hookNow, ...context.settings }).report;
}

function judgeInView(backup: SeenBackup, facts: { sync: SyncObservation; reason: string; seen: SeenBackup[]; context: CheckContext }): void {
  const { sync, reason, seen, context } = facts;
  const says = `${backup.name} (deleted for "${reason}")`;
  if (backup.state === 'unfinished') context.report(4, `${says} is unfinished in the view`);
  const recorded = [sync.request.parent.status?.lastBackup, isSuccess(sync.answer) ? sync.answer.body.status.lastBackup : undefined];
  if (recorded.includes(backup.name)) context.report(4, `${says} is the recorded last Backup`);
  const live = seen.filter((b) => !b.deleting);
  const newestComplete = live.filter((b) => b.state === 'complete').sort((a, b) => b.slot - a.slot)[0];
  if (newestComplete?.name === backup.name) context.report(4, `${says} is the newest Complete Backup in the view`);
  const read = readSpec(sync.request.parent);
  if (!read.ok) {
    context.report(4, `${says} under an invalid spec`);
    return;
  }
  const { maxReservedTimeMs, maxBackups } = read.spec;
  // spec.retention (GFS buckets, issue 9): the report names the rule; the bucket arithmetic is its own module's tests'.
  if (read.spec.retention !== null) return;
  if (maxReservedTimeMs !== null) {
    // With a log Backup the age counts to the newest of its checkpoint and the finished snapshots' commits (cluster
    // time, as upstream: a Backup without a commitTs has none); without, to the hook's clock.
    const latest = pointInTimeLatest(sync.request, seen);
    const clock = latest ?? sync.hookNow;
    if (backup.ageAt === null || backup.ageAt + maxReservedTimeMs > clock) {
      context.report(4, `${says} has not reached maxReservedTime at ${formatTime(clock)}${latest === null ? '' : " (the newest of the log's checkpoint and the snapshots' commits)"}`);
    }
    return;
  }
  if (maxBackups === null) {
    context.report(4, `${says} although the spec sets no retention`);
    return;
  }
  const sameKind = (b: SeenBackup): boolean => (backup.state === 'complete' ? b.state === 'complete' : b.state === 'failed' || b.state === 'invalid');
  const keep = backup.state === 'complete' ? maxBackups : FAILED_BACKUPS_KEPT;
  // Pinned Backups take no place in the counts: the kept ones are as many besides them.
  const newer = live.filter((b) => b !== backup && !isPinned(b) && sameKind(b) && (b.slot > backup.slot || (b.slot === backup.slot && b.name > backup.name))).length;
  if (newer < keep) context.report(4, `${says} has only ${newer} newer ${backup.state} Backups in the view besides pinned ones; ${keep} are kept`);
}

/** isPinned tells whether the view shows a Backup pinned (`backup-schedule-hook/keep: "true"`). */
function isPinned(backup: SeenBackup): boolean {
  return backup.object.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
}

/** pointInTimeLatest is what point-in-time retention counts ages to when the view holds the schedule's log Backup, else null. */
function pointInTimeLatest(request: SyncRequest, seen: readonly SeenBackup[]): number | null {
  const name = logBackupName(request.parent.metadata.name ?? '');
  const log = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).find((c) => c.metadata?.name === name && c.metadata.deletionTimestamp == null);
  if (log === undefined) return null;
  const checkpoint = logRangeOf(log).checkpointTso;
  const ages = seen.filter((b) => !b.deleting && b.state !== 'unfinished' && b.ageAt !== null && committed(b)).map((b) => b.ageAt as number);
  return Math.max((checkpoint === null ? null : tsoToMillis(checkpoint.toString())) ?? -Infinity, ...ages);
}

/**
 * judgeInTruth checks the store right after the deletes: nothing unfinished, never the newest Complete (a newer one
 * a user deleted while the view still showed it counts as newer).
 */
function judgeInTruth(sync: SyncObservation, context: CheckContext): void {
  const { recorder } = context.world;
  const deleted = new Set(sync.deleted);
  const uids = new Map(Object.values(sync.request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => [c.metadata?.name ?? '', c.metadata?.uid ?? '']));
  const existing = [...recorder.live()];
  for (const name of deleted) {
    const record = recorder.backups.get(uids.get(name) ?? '');
    if (record === undefined) continue;
    if (record.state === 'unfinished') context.report(4, `${name} was deleted while it is unfinished in truth`);
    if (!existing.includes(record)) existing.push(record);
  }
  // A Backup a user deleted that the view still showed counts as the newer one it was: the hook could not know.
  const deletedByUser = new Set<BackupRecord>();
  for (const uid of uids.values()) {
    const record = recorder.backups.get(uid);
    if (record?.deletionReason === USER_DELETION) deletedByUser.add(record);
  }
  existing.push(...[...deletedByUser].filter((r) => !existing.includes(r)));
  const complete = existing.filter((b) => b.state === 'complete' && (b.deletingAt === null || deleted.has(b.name) || deletedByUser.has(b)) && b.slot !== null);
  const newest = complete.sort((a, b) => (b.slot ?? 0) - (a.slot ?? 0))[0];
  if (newest !== undefined && deleted.has(newest.name)) context.report(4, `${newest.name} was deleted although it is the newest Complete Backup in truth`);
}
