/**
 * Invariant 9: compaction of the log backup. `status.lastCompactProgress` is never behind the request in an answer
 * (a stale request may move the stored one back for a moment; the next answers recover it) and never ahead of
 * what compaction did (the end of a Complete window) or the log's start; a new CompactBackup never starts while
 * another one runs and its window never overlaps a window that did not fail; CompactBackups are deleted only by a
 * retention rule that names them, finished, and never the recorded last one. After the faults stop, the next
 * compaction follows the last one within an interval (a failed window is tried again).
 */

import { storagePrefixOf } from '../../core/desired.js';
import { SCHEDULE_LABEL } from '../../core/names.js';
import { isObject, readSpec } from '../../core/spec.js';
import { formatTime, parseTime } from '../../core/time.js';
import { parseTsString } from '../../core/tso.js';
import { COMPACT_CHILD_TYPE } from '../../core/names.js';
import type { BackupSchedule, DesiredChild, KubeObject } from '../../core/types.js';
import { isSuccess } from '../hook.js';
import { DEFAULT_LOG_EXECUTOR } from '../log-executor.js';
import type { SyncObservation } from '../metacontroller.js';
import { faultsEndMs } from '../scenario.js';
import type { StoreEvent } from '../store.js';
import { settleMs } from './convergence.js';
import { recoveryDeadline } from './deadline.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';
import { seenLogBackups } from './view.js';

/** One CompactBackup's life in the store. */
interface CompactRecord {
  name: string;
  startAt: number | null;
  endAt: number | null;
  createdAt: number;
  state: 'complete' | 'failed' | 'unfinished';
  finishedAt: number | null;
  goneAt: number | null;
}

/** compactionCheck watches CompactBackups and the stored progress, and judges every answer. */
export function compactionCheck(context: CheckContext): Check {
  const { world } = context;
  const scheduleName = world.scenario.schedule.name;
  const records = new Map<string, CompactRecord>();
  const recoverMs = 2 * context.maxLagMs + 2 * context.maxLatencyMs + 2000;
  let best: number | null = null;
  let pending: { since: number; deadline: number; progress: number } | null = null;
  let ceiling = -Infinity;

  function checkPending(now: number): void {
    if (pending === null || now <= pending.deadline) return;
    context.report(9, `stored lastCompactProgress went back at ${formatTime(pending.since)} and was not recovered to ${formatTime(pending.progress)} by ${formatTime(pending.deadline)}`);
    pending = null;
  }

  function onParent(event: StoreEvent): void {
    const status = event.object.status ?? {};
    const logStart = parseTime(status['logBackupStartTs']);
    if (logStart !== null) ceiling = Math.max(ceiling, logStart);
    const progress = parseTime(status['lastCompactProgress']);
    if (progress === null) return;
    if (progress > ceiling) context.report(9, `stored lastCompactProgress ${formatTime(progress)} is past every Complete window's end and the log's start`);
    if (best === null || progress >= best) {
      best = progress;
      if (pending !== null && progress >= pending.progress) pending = null;
      return;
    }
    pending ??= { since: event.at, deadline: recoveryDeadline(world, { from: event.at, recoverMs }), progress: best };
  }

  function onCompact(event: StoreEvent): void {
    const { object } = event;
    const key = event.key;
    if (event.type === 'added') {
      const record: CompactRecord = {
        name: object.metadata?.name ?? '',
        startAt: tsTime(object.spec?.['startTs']),
        endAt: tsTime(object.spec?.['endTs']),
        createdAt: event.at,
        state: 'unfinished',
        finishedAt: null,
        goneAt: null,
      };
      judgeNew(record, { records: [...records.values()], context });
      records.set(key, record);
      return;
    }
    const record = records.get(key);
    if (record === undefined) return;
    const state = object.status?.['state'];
    if (record.state === 'unfinished' && (state === 'Complete' || state === 'Failed')) {
      record.state = state === 'Complete' ? 'complete' : 'failed';
      record.finishedAt = event.at;
      // What it compacted (status.endTs past the second its window starts in, at most its window's end) is its window
      // from now on: the next may start there. Nothing past that second (windows are named and written in whole
      // seconds): an empty window, done to its end.
      const compacted = tsTime(object.status?.['endTs']);
      const pastStartSecond = compacted !== null && record.startAt !== null && Math.floor(compacted / 1000) > Math.floor(record.startAt / 1000);
      if (record.state === 'complete' && compacted !== null && pastStartSecond && record.endAt !== null) {
        record.endAt = Math.min(record.endAt, compacted);
      }
      if (record.state === 'complete' && record.endAt !== null) ceiling = Math.max(ceiling, record.endAt);
    }
    if (event.type === 'deleted') {
      record.goneAt = event.at;
      records.delete(key);
      records.set(`${key}@${event.at}`, record);
    }
  }

  return {
    onStoreEvent(event) {
      checkPending(event.at);
      const { object } = event;
      if (event.key === world.parentKey && event.type !== 'deleted') onParent(event);
      else if (object.kind === 'CompactBackup' && object.metadata?.labels?.[SCHEDULE_LABEL] === scheduleName) onCompact(event);
    },
    onSync(sync) {
      if (isSuccess(sync.answer)) judgeAnswer(sync, context);
    },
    onFinish() {
      checkPending(world.end);
      judgeFollowUp([...records.values()], context);
    },
  };
}

/** judgeNew: a new CompactBackup starts while none runs, over a window that overlaps none that did not fail. */
function judgeNew(record: CompactRecord, facts: { records: readonly CompactRecord[]; context: CheckContext }): void {
  const { context } = facts;
  if (record.startAt === null || record.endAt === null || record.endAt <= record.startAt) {
    context.report(9, `${record.name} has no readable window (${String(record.startAt)} to ${String(record.endAt)})`);
    return;
  }
  for (const other of facts.records) {
    if (other.state === 'unfinished' && other.goneAt === null) context.report(9, `${record.name} was created while ${other.name} runs`);
    if (other.state === 'failed' || other.startAt === null || other.endAt === null) continue;
    // Windows are written in whole seconds: a window may start within the second another one compacted up to.
    if (record.startAt < Math.floor(other.endAt / 1000) * 1000 && other.startAt < record.endAt) {
      context.report(9, `${record.name} [${formatTime(record.startAt)}, ${formatTime(record.endAt)}) overlaps ${other.name} [${formatTime(other.startAt)}, ${formatTime(other.endAt)}) (${other.state})`);
    }
  }
}

/** judgeAnswer: progress never behind the request; deletions of CompactBackups named, finished, not the last one. */
function judgeAnswer(sync: SyncObservation, context: CheckContext): void {
  if (!isSuccess(sync.answer)) return;
  const requested = parseTime(sync.request.parent.status?.lastCompactProgress);
  const answered = parseTime(sync.answer.body.status?.lastCompactProgress);
  if (requested !== null && (answered === null || answered < requested)) {
    context.report(9, `the answer moves lastCompactProgress back from ${formatTime(requested)} to ${answered === null ? 'nothing' : formatTime(answered)}`);
  }
  const observed = Object.values(sync.request.children[COMPACT_CHILD_TYPE] ?? {});
  const children: DesiredChild[] = Array.isArray(sync.answer.body.children) ? sync.answer.body.children : [];
  const desired = new Set(children.filter((c) => c.kind === 'CompactBackup').map((c) => c.metadata.name));
  // A new CompactBackup reads the log where the log Backup writes it: the same last path segment, log-<start>.
  const log = seenLogBackups(sync.request).find((b) => b.metadata?.deletionTimestamp == null);
  const logPath = log === undefined ? null : lastSegment(storagePrefixOf(log.spec ?? {}));
  const seen = new Set(observed.map((c) => c.metadata?.name));
  for (const child of children) {
    if (child.kind !== 'CompactBackup' || seen.has(child.metadata.name) || logPath === null) continue;
    const path = lastSegment(storagePrefixOf(isObject(child.spec) ? child.spec : {}));
    if (path !== logPath) context.report(9, `${child.metadata.name} reads ${String(path)}, but the log Backup writes ${logPath}`);
  }
  const report = 'report' in sync.answer ? sync.answer.report : undefined;
  const last = new Set([sync.request.parent.status?.lastCompact, sync.answer.body.status?.lastCompact]);
  for (const compact of observed) {
    const name = compact.metadata?.name ?? '';
    if (compact.metadata?.deletionTimestamp != null || desired.has(name)) continue;
    if (report !== undefined && !report.deletions.some((d) => d.name === name)) context.report(9, `${name} was left out of the answer but no retention rule names it`);
    if (!finished(compact)) context.report(9, `${name} was deleted while it runs (state ${String(compact.status?.['state'])})`);
    if (last.has(name)) context.report(9, `${name} was deleted although it is the recorded last CompactBackup`);
  }
}

/** judgeFollowUp: after the faults, the compaction after the last finished one is asked for within an interval. */
function judgeFollowUp(records: readonly CompactRecord[], context: CheckContext): void {
  const { world } = context;
  const parent = world.store.get(world.parentKey) as BackupSchedule | undefined;
  const read = parent === undefined ? null : readSpec(parent);
  if (read?.ok !== true || read.spec.pause || read.spec.logBackupTemplate === null || read.spec.compactBackupTemplate === null) return;
  const span = read.spec.compactIntervalMs;
  const faultsEnd = faultsEndMs(world.scenario);
  if (span === null || faultsEnd === null) return;
  const quiet = world.start + faultsEnd + settleMs(context);
  const log = world.store.list('Backup', world.scenario.schedule.namespace).find((b) => b.metadata?.name === parent?.status?.logBackup);
  const logSince = parseTime(log?.metadata?.creationTimestamp);
  if (log === undefined || logSince === null || log.metadata?.deletionTimestamp != null || logSince > quiet) return;
  const settings = world.scenario.executor.log ?? DEFAULT_LOG_EXECUTOR;
  // The checkpoint must pass the window's end: it is written once per tracker period, a little behind the clock.
  const checkpointSlack = settings.checkpointEveryMs + settings.checkpointLagMs[1];
  const newest = [...records].sort((a, b) => b.createdAt - a.createdAt)[0];
  if (newest !== undefined && newest.finishedAt === null) return;
  const from = newest === undefined ? [logSince + span] : [newest.finishedAt ?? 0, newest.createdAt + span, logSince + span];
  const due = Math.max(...from, quiet) + checkpointSlack + settleMs(context);
  if (due >= world.end) return;
  if (newest === undefined) context.report(9, `the log Backup has run since ${formatTime(logSince)} and no CompactBackup was asked for by ${formatTime(due)} (interval ${span / 60_000} min)`);
  else context.report(9, `${newest.name} ${newest.state === 'failed' ? 'failed' : 'completed'} at ${formatTime(newest.finishedAt ?? 0)} and no CompactBackup followed by ${formatTime(due)} (interval ${span / 60_000} min)`);
}

function lastSegment(prefix: string | null): string | null {
  return prefix === null ? null : (prefix.split('/').at(-1) ?? null);
}

function finished(compact: KubeObject): boolean {
  const state = compact.status?.['state'];
  return state === 'Complete' || state === 'Failed';
}

function tsTime(value: unknown): number | null {
  return typeof value === 'string' ? parseTsString(value) : null;
}
