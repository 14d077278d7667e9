/**
 * Invariant 8: the log Backup's `spec.logTruncateUntil` never goes backwards; a new value lies in (log start,
 * checkpoint] and, with a compact template, at or before the compaction progress (none without progress); it never
 * moves past a Complete snapshot the answer keeps under the count rules and GFS (the oldest kept one is where point-in-time
 * recovery starts); with `maxReservedTime`, the restore base — the newest Complete snapshot past the cutoff counted
 * back from the newest of the checkpoint and the finished snapshots' commits — is kept and never truncated past. Judged in the view each answer was given, and in truth
 * on every stored change of the log Backup.
 */

import { isLogBackup } from '../../core/backup-state.js';
import { KEEP_ANNOTATION, SCHEDULE_LABEL } from '../../core/names.js';
import { readSpec } from '../../core/spec.js';
import { parseTime } from '../../core/time.js';
import { millisToTso, parseTso, tsoToMillis } from '../../core/tso.js';
import type { DesiredChild, KubeObject } from '../../core/types.js';
import { isSuccess } from '../hook.js';
import type { SyncObservation } from '../metacontroller.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';
import type { SeenBackup } from './view.js';
import { committed, seenBackups, seenLogBackups } from './view.js';

/** truncationCheck judges every answer's truncation and every stored one. */
export function truncationCheck(context: CheckContext): Check {
  const scheduleName = context.world.scenario.schedule.name;
  const stored = new Map<string, bigint | null>();
  return {
    onStoreEvent(event) {
      const { object } = event;
      if (object.kind !== 'Backup' || object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName || !isLogBackup(object)) return;
      const uid = object.metadata.uid ?? '';
      if (event.type === 'deleted') {
        stored.delete(uid);
        return;
      }
      const before = stored.get(uid) ?? null;
      const now = untilOf(object);
      stored.set(uid, now);
      if (now === before) return;
      const name = object.metadata.name ?? '';
      if (before !== null && (now === null || now < before)) context.report(8, `stored ${name} spec.logTruncateUntil went back from ${before} to ${String(now)}`);
      if (now !== null) judgeRange(object, { until: now, where: `stored ${name}`, context });
    },
    onSync(sync) {
      if (isSuccess(sync.answer)) judgeAnswer(sync, context);
    },
  };
}

function judgeAnswer(sync: SyncObservation, context: CheckContext): void {
  if (!isSuccess(sync.answer)) return;
  const log = seenLogBackups(sync.request).find((b) => b.metadata?.deletionTimestamp == null);
  if (log === undefined) return;
  const name = log.metadata?.name ?? '';
  const children: DesiredChild[] = Array.isArray(sync.answer.body.children) ? sync.answer.body.children : [];
  const desired = children.find((c) => c.kind === 'Backup' && c.metadata.name === name);
  if (desired === undefined) return; // invariant 7's
  const observed = untilOf(log);
  const answered = untilOf(desired as KubeObject);
  if (observed !== null && (answered === null || answered < observed)) context.report(8, `the answer moves ${name} spec.logTruncateUntil back from ${observed} to ${String(answered)}`);
  const read = readSpec(sync.request.parent);
  if (!read.ok) return;
  const kept = new Set(children.filter((c) => c.kind === 'Backup').map((c) => c.metadata.name));
  const snapshots = seenBackups(sync.request).filter((b) => !b.deleting);
  if (answered !== null && answered !== observed) {
    judgeRange(log, { until: answered, where: `the answer's ${name}`, context });
    if (read.spec.compactBackupTemplate !== null) {
      const progress = parseTime(sync.answer.body.status?.lastCompactProgress);
      if (progress === null) context.report(8, `the answer truncates ${name} to ${answered} with a compact template but no compaction progress`);
      else if (answered > BigInt(millisToTso(progress))) context.report(8, `the answer truncates ${name} to ${answered}, past the compaction progress ${sync.answer.body.status?.lastCompactProgress}`);
    }
  }
  const moved = answered !== null && answered !== observed;
  const maxAge = read.spec.maxReservedTimeMs;
  if (maxAge !== null && read.spec.retention === null) {
    // maxReservedTime with a log: the restore base stays and the log is never truncated past it (older snapshots
    // the hook keeps for other reasons, such as the recorded last Backup, are past the retention window).
    const base = restoreBase(snapshots, { log, maxAgeMs: maxAge });
    if (base === null) return;
    if (!kept.has(base.name)) context.report(8, `the answer deletes ${base.name}, the log's restore base (the newest Complete snapshot past the cutoff)`);
    const commit = commitOf(base);
    if (moved && commit !== null && answered > commit) context.report(8, `the answer truncates ${name} to ${answered}, past its restore base ${base.name} (commitTs ${commit})`);
    return;
  }
  // The count rules (and GFS) keep the log from the oldest Complete snapshot they keep. Judged when the answer moves
  // the point: a slow Backup that completes later with an older commitTs was not there to keep the log for.
  if (!moved) return;
  for (const b of snapshots) {
    const commit = commitOf(b);
    if (b.state === 'complete' && kept.has(b.name) && !pinned(b) && commit !== null && commit < answered) {
      context.report(8, `the answer truncates ${name} to ${answered}, past ${b.name} (commitTs ${commit}), which it keeps`);
    }
  }
}

/**
 * restoreBase is the newest Complete snapshot at or before the cutoff counted back from the newest of the checkpoint and
 * the finished snapshots' commits (one without a commitTs has none).
 */
function restoreBase(snapshots: readonly SeenBackup[], facts: { log: KubeObject; maxAgeMs: number }): SeenBackup | null {
  const checkpoint = tsoOf(facts.log.status?.['logCheckpointTs']);
  const finished = snapshots.filter((b) => b.state !== 'unfinished' && b.ageAt !== null);
  const commits = finished.filter(committed).map((b) => b.ageAt ?? -Infinity);
  const latest = Math.max(checkpoint === null ? -Infinity : tsoToMillis(checkpoint.toString()) ?? -Infinity, ...commits);
  if (!Number.isFinite(latest)) return null;
  const cutoff = latest - facts.maxAgeMs;
  let base: SeenBackup | null = null;
  for (const b of finished) {
    if (b.state === 'complete' && (b.ageAt ?? Infinity) <= cutoff && (base === null || (b.ageAt ?? 0) > (base.ageAt ?? 0))) base = b;
  }
  return base;
}

/** judgeRange: a truncation point lies after the log's start and at or before its checkpoint. */
function judgeRange(log: KubeObject, facts: { until: bigint; where: string; context: CheckContext }): void {
  const start = tsoOf(log.status?.['commitTs']);
  const checkpoint = tsoOf(log.status?.['logCheckpointTs']);
  if (start === null || facts.until <= start) facts.context.report(8, `${facts.where} spec.logTruncateUntil ${facts.until} is not after the log's start ${String(start)}`);
  if (checkpoint === null || facts.until > checkpoint) facts.context.report(8, `${facts.where} spec.logTruncateUntil ${facts.until} is past the log's checkpoint ${String(checkpoint)}`);
}

function untilOf(object: KubeObject): bigint | null {
  return tsoOf(object.spec?.['logTruncateUntil']);
}

function commitOf(backup: SeenBackup): bigint | null {
  return tsoOf(backup.object.status?.['commitTs']);
}

function pinned(backup: SeenBackup): boolean {
  return backup.object.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
}

function tsoOf(value: unknown): bigint | null {
  return typeof value === 'string' ? parseTso(value) : null;
}
