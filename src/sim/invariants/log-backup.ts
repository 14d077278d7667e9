/**
 * Invariant 7: the schedule has at most one log Backup at a time, named `log-<schedule>`, and the hook never deletes
 * it (no answer leaves out an observed one). When it is missing from the view, the hook asks for it (first time),
 * keeps asking for the same one within the stale-view grace after `status.logBackupCreationTime` (else
 * `status.logBackupStartTs`), and past the grace
 * reports `LogBackupMissing` and asks again with a new start. In truth: once a log Backup is gone, a new one exists
 * within the grace plus lags (unless the schedule is paused or its template removed meanwhile).
 */

import { isLogBackup } from '../../core/backup-state.js';
import { SCHEDULE_LABEL, logBackupName } from '../../core/names.js';
import { readSpec } from '../../core/spec.js';
import { formatTime, parseTime } from '../../core/time.js';
import type { BackupSchedule, Condition, DesiredChild } from '../../core/types.js';
import { isSuccess } from '../hook.js';
import type { SyncObservation } from '../metacontroller.js';
import { pausedDuring, recoveryDeadline } from './deadline.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';
import { seenLogBackups } from './view.js';

/** The condition the hook reports a missing log Backup with. */
const MISSING_CONDITION = 'LogBackupMissing';

/** logBackupCheck watches the store's log Backups and judges every answer about them. */
export function logBackupCheck(context: CheckContext): Check {
  const { world } = context;
  const scheduleName = world.scenario.schedule.name;
  const expectedName = logBackupName(scheduleName);
  const existing = new Map<string, string>();
  const recoverMs = context.settings.staleViewGraceMs + 2 * context.maxLagMs + 2 * context.maxLatencyMs + 2000;
  let gone: { name: string; since: number; deadline: number } | null = null;

  function checkGone(now: number): void {
    if (gone === null || now <= gone.deadline) return;
    const parent = world.store.get(world.parentKey) as BackupSchedule | undefined;
    const read = parent === undefined ? null : readSpec(parent);
    const stillWanted = read?.ok === true && read.spec.logBackupTemplate !== null && !read.spec.pause;
    if (stillWanted && !pausedDuring(world, { from: gone.since, to: gone.deadline })) {
      context.report(7, `log Backup ${gone.name} is gone since ${formatTime(gone.since)} and no new one was created by ${formatTime(gone.deadline)}`);
    }
    gone = null;
  }

  return {
    onStoreEvent(event) {
      checkGone(event.at);
      const { object } = event;
      if (object.kind !== 'Backup' || object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName || !isLogBackup(object)) return;
      const name = object.metadata.name ?? '';
      if (event.type === 'added') {
        if (existing.size > 0) context.report(7, `log Backup ${name} was created while ${[...existing.values()].join(', ')} exists`);
        if (name !== expectedName) context.report(7, `log Backup ${name} is not named ${expectedName}`);
        existing.set(event.key, name);
        gone = null;
      } else if (event.type === 'deleted') {
        existing.delete(event.key);
        if (existing.size === 0) gone = { name, since: event.at, deadline: recoveryDeadline(world, { from: event.at, recoverMs }) };
      }
    },
    onSync(sync) {
      if (isSuccess(sync.answer)) judgeAnswer(sync, { context, expectedName });
    },
    onFinish() {
      checkGone(world.end);
    },
  };
}

/** judgeAnswer checks one 200 answer: the observed log Backup kept, a missing one asked for as the rules say. */
function judgeAnswer(sync: SyncObservation, facts: { context: CheckContext; expectedName: string }): void {
  const { context, expectedName } = facts;
  if (!isSuccess(sync.answer)) return;
  const body = sync.answer.body;
  const desired: DesiredChild[] = Array.isArray(body.children) ? body.children : [];
  const desiredLogs = desired.filter((c) => c.kind === 'Backup' && (c.metadata.name === expectedName || (c.spec as Record<string, unknown> | undefined)?.['backupMode'] === 'log'));
  for (const child of desiredLogs) if (child.metadata.name !== expectedName) context.report(7, `the answer asks for a log Backup named ${child.metadata.name}, not ${expectedName}`);
  const live = seenLogBackups(sync.request).filter((b) => b.metadata?.deletionTimestamp == null);
  for (const log of live) {
    if (!desired.some((c) => c.kind === 'Backup' && c.metadata.name === log.metadata?.name)) {
      context.report(7, `the answer leaves out the log Backup ${log.metadata?.name ?? ''}: the hook must never delete it`);
    }
  }
  const read = readSpec(sync.request.parent);
  if (!read.ok || read.spec.logBackupTemplate === null || read.spec.pause || live.length > 0) return;

  // No live log Backup in the view.
  const requested = sync.request.parent.status ?? {};
  const answered = body.status ?? {};
  const asks = desiredLogs.some((c) => c.metadata.name === expectedName);
  const recorded = typeof requested.logBackup === 'string' && requested.logBackup !== '';
  const start = parseTime(requested.logBackupStartTs);
  if (!recorded) {
    if (!asks) context.report(7, `${expectedName} was never recorded and is not in the view, yet the answer does not ask for it`);
    return;
  }
  if (start === null) return; // recorded without a start: the next sync that sees it fills the start in
  const grace = context.settings.staleViewGraceMs;
  const answeredStart = parseTime(answered.logBackupStartTs);
  // The grace counts from the sync that asked for it (a record later than the hook's clock counts as now), else from its start.
  const recordedAsk = parseTime(requested.logBackupCreationTime);
  const askedAt = recordedAsk === null ? start : Math.min(recordedAsk, sync.hookNow);
  if (sync.hookNow < askedAt + grace) {
    if (answeredStart !== start) context.report(7, `${expectedName} was asked for at ${formatTime(askedAt)}, within the grace, yet the answer moves logBackupStartTs to ${String(answered.logBackupStartTs)}`);
    return;
  }
  const missing = (answered.conditions ?? []).find((c: Condition) => c.type === MISSING_CONDITION);
  if (missing?.status !== 'True') context.report(7, `${expectedName} is missing past the grace (start ${formatTime(start)}) but ${MISSING_CONDITION} is not True`);
  if (!asks) context.report(7, `${expectedName} is missing past the grace (start ${formatTime(start)}) but the answer does not ask for it again`);
  // The new start is the most recent tick: after a schedule edit that may be a tick before the old start.
  const edited = context.world.scenario.faults.some((f) => f.kind === 'edit' && f.spec['schedule'] !== undefined && context.world.start + f.atMs <= sync.calledAt);
  if (answeredStart === null || (answeredStart < start && !edited)) context.report(7, `${expectedName} is asked for again without a new logBackupStartTs (answered ${String(answered.logBackupStartTs)})`);
}
