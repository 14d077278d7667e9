/**
 * Decide compaction of the log backup (TiDB Operator >= 1.6, release-1.x semantics): one CompactBackup at a
 * time, each over a window [start, end) of the log, the progress watermark never moving backwards.
 * Names derive from the window's start, so a repeated sync asks for the same CompactBackup; a window whose
 * CompactBackup failed is tried again under `<name>-r<n>` (upstream names by the time of asking, so its retry is
 * a new object; reusing the failed one's name would leave compaction stalled behind it).
 */

import { posix } from 'node:path';

import { childMetadata, extendStoragePrefix, storagePrefixOf, templateCopy } from './desired.js';
import { PINGCAP_API_VERSION, compactBackupName, compactRetryName } from './names.js';
import type { ObservedCompact } from './observe.js';
import { isObject } from './spec.js';
import type { ScheduleSpec } from './spec.js';
import { formatSlotStamp, formatTime, parseTime } from './time.js';
import { formatTsTime, parseTsString, tsoToMillis } from './tso.js';
import type { BackupSchedule, BackupScheduleStatus, DesiredChild, KubeObject } from './types.js';

/** A window is at most this many intervals long, as upstream ("fast compact limit"). */
const MAX_WINDOW_INTERVALS = 3;

/** What compaction needs from this sync. */
export interface CompactDecision {
  create: DesiredChild | null;
  /** Status fields to set: lastCompact, lastCompactProgress, lastCompactExecutionTs. */
  status: { lastCompact?: string; lastCompactProgress?: string; lastCompactExecutionTs?: string };
  /** What compaction did this sync, or why nothing, for the report (the sync's log line); null when it is not configured. */
  note: string | null;
  /** When the decision changes by time alone (the execution interval), or null. */
  until: number | null;
}

/** Options of {@link decideCompact}. */
export interface CompactOptions {
  spec: ScheduleSpec;
  /** Status after the log backup's decision (its logBackupStartTs). */
  status: BackupScheduleStatus;
  compacts: readonly ObservedCompact[];
  /** The Complete CompactBackup of the current log that compacted furthest ({@link newestCompacted}), or null. */
  furthest: ObservedCompact | null;
  /** The observed log Backup, or null. */
  log: KubeObject | null;
  now: number;
  handoverLabelKey: string;
}

/** decideCompact advances the progress watermark and asks for the next window when upstream's rules allow. */
export function decideCompact(parent: BackupSchedule, options: CompactOptions): CompactDecision {
  const { spec, status, now } = options;
  const template = spec.compactBackupTemplate;
  const span = spec.compactIntervalMs;
  const logStart = parseTime(status.logBackupStartTs);
  const skip = (note: string | null, until: number | null = null, fields: CompactDecision['status'] = {}): CompactDecision => ({ create: null, status: fields, note, until });
  if (template === null || span === null) return skip(null);
  if (logStart === null || options.log === null) return skip('waiting for the log backup to start');

  // (a) Progress: learn from the last CompactBackup; never backwards, never below the log's start. Every Complete
  // CompactBackup of this log counts too: a status written from a stale parent can name an older one than the last,
  // or one since deleted, and its window must not be compacted again.
  let progress = Math.max(parseTime(status.lastCompactProgress) ?? logStart, logStart);
  const last = options.compacts.find((c) => c.name === status.lastCompact && !c.deleting);
  if (last !== undefined && last.state === 'unfinished') return skip(`waiting for CompactBackup ${last.name} to finish`);
  const learned = last === undefined ? null : last.state === 'complete' ? compactedUntil(last) : last.startAt;
  if (learned !== null && learned > progress) progress = learned;
  const compacted = options.furthest === null ? null : compactedUntil(options.furthest);
  if (compacted !== null && compacted > progress) progress = compacted;
  const fields: CompactDecision['status'] = {};
  if (parseTime(status.lastCompactProgress) !== progress) fields.lastCompactProgress = formatTime(progress);
  if (spec.pause) return skip('paused', null, fields);
  // Another one still running (the status sent may be older than the children): one at a time.
  const running = options.compacts.find((c) => !c.deleting && c.state === 'unfinished');
  if (running !== undefined) return skip(`waiting for CompactBackup ${running.name} to finish`, null, fields);

  // (b) The next window.
  const checkpoint = checkpointOf(options.log, logStart);
  if (checkpoint === null) return skip('the log backup has no checkpoint yet', null, fields);
  const start = Math.max(progress, spec.minCompactStartMs ?? progress);
  // Windows are written in whole seconds: less than a second of new log would make an empty window [start, start).
  if (Math.floor(checkpoint / 1000) <= Math.floor(start / 1000)) return skip('the log has nothing new to compact', null, fields);
  const end = Math.min(checkpoint, start + MAX_WINDOW_INTERVALS * span);
  if (end - logStart < span) return skip('less than one interval of log since its start', null, fields);
  // The pace counts in the cluster's time (CompactBackups' creationTimestamps): its clock is at least the log's
  // checkpoint, so a hook clock behind the cluster's delays no compaction by its lag. The call-back is the due
  // instant on the hook's own clock: a checkpoint past it is a change of the log Backup, which syncs anyway, while
  // one counted from the checkpoint would move with the hook's clock and come back every few seconds (a hot loop)
  // for as long as the hook's clock is behind.
  const lastRun = lastExecution(status, options.compacts);
  const clock = Math.max(now, checkpoint);
  if (lastRun !== null && clock - lastRun < span) return skip('the last compaction ran less than one interval ago', lastRun + span, fields);

  const name = windowName(compactBackupName(parent.metadata.name ?? '', start), options.compacts);
  const compactSpec = templateCopy(template, spec.imagePullSecrets);
  compactSpec['startTs'] = formatTsTime(start);
  compactSpec['endTs'] = formatTsTime(end);
  extendStoragePrefix(compactSpec, logPathOf(logStart));
  return {
    create: {
      apiVersion: PINGCAP_API_VERSION,
      kind: 'CompactBackup',
      metadata: childMetadata(parent, { name, handoverLabelKey: options.handoverLabelKey }),
      spec: compactSpec,
    },
    // Asked for again while the cache lacks it (the status names it): it was asked for when the status says, and a
    // time from this sync would change the status on every sync until the cache shows it.
    status: { ...fields, lastCompact: name, lastCompactExecutionTs: formatTime((status.lastCompact === name ? parseTime(status.lastCompactExecutionTs) : null) ?? now) },
    note: `compacting ${formatTsTime(start)} to ${formatTsTime(end)}`,
    until: null,
  };
}

/**
 * windowName is the window's name, or the retry after its latest failed attempt (a name held otherwise is asked for
 * again as it is). Counting from the latest failed attempt, not the first free name, keeps it right when retention
 * has let earlier failed attempts go.
 */
function windowName(name: string, compacts: readonly ObservedCompact[]): string {
  let latest = -1;
  for (const c of compacts) {
    const attempt = c.state === 'failed' ? attemptOf(c.name, name) : null;
    if (attempt !== null && attempt > latest) latest = attempt;
  }
  return latest < 0 ? name : compactRetryName(name, latest + 1);
}

/** attemptOf is 0 for the window's name, n for its `-r<n>` retry, null for any other name. */
function attemptOf(candidate: string, name: string): number | null {
  if (candidate === name) return 0;
  if (!candidate.startsWith(`${name}-r`)) return null;
  const digits = candidate.slice(name.length + 2);
  return /^[1-9][0-9]{0,5}$/.test(digits) ? Number(digits) : null;
}

/**
 * latestFailedAttempts names, for each window not yet compacted (starting at or after the progress), its latest
 * failed CompactBackup: retention keeps it, since the next retry's name counts from it. (With it gone and the retry
 * just asked for still missing from the view, the window's first name would be asked for again beside the retry.)
 */
export function latestFailedAttempts(compacts: readonly ObservedCompact[], progress: number | null): string[] {
  const latest = new Map<number, { name: string; attempt: number }>();
  for (const c of compacts) {
    if (c.state !== 'failed' || c.deleting || c.startAt === null || (progress !== null && c.startAt < progress)) continue;
    const n = attemptOf(c.name, c.name.replace(/-r[1-9][0-9]{0,5}$/, '')) ?? 0;
    const seen = latest.get(c.startAt);
    if (seen === undefined || n > seen.attempt) latest.set(c.startAt, { name: c.name, attempt: n });
  }
  return [...latest.values()].map((l) => l.name);
}

/**
 * compactedUntil is how far a Complete CompactBackup compacted: `status.endTs` as upstream reads it (the newest data
 * BR compacted, at most the window's end). The window's end (`spec.endTs`) stands in when it reports nothing, or
 * nothing past the second its window starts in (windows are named and written in whole seconds): then the window
 * held no data to speak of, and a next window starting in that second would ask for the same name, held by this
 * Complete one, for good (upstream names by the time of asking and would repeat the window every interval).
 */
function compactedUntil(compact: ObservedCompact): number | null {
  const value = compact.object.status?.['endTs'];
  const reported = typeof value === 'string' ? parseTsString(value) : null;
  if (reported === null || compact.startAt === null || Math.floor(reported / 1000) <= Math.floor(compact.startAt / 1000)) return compact.endAt;
  return compact.endAt === null ? reported : Math.min(reported, compact.endAt);
}

/**
 * newestCompacted is the Complete CompactBackup of the current log (`status.logBackupStartTs`) that compacted
 * furthest, or null. Compaction's progress is at least its end, and retention keeps it, as it keeps the newest
 * Complete Backup: with it gone, a status written from a stale parent could send compaction over its window again.
 */
export function newestCompacted(compacts: readonly ObservedCompact[], status: BackupScheduleStatus): ObservedCompact | null {
  const logStart = parseTime(status.logBackupStartTs);
  if (logStart === null) return null;
  const logPath = logPathOf(logStart);
  let newest: ObservedCompact | null = null;
  let newestUntil = -Infinity;
  for (const compact of compacts) {
    if (compact.state !== 'complete' || compact.deleting || !readsLog(compact, logPath)) continue;
    const until = compactedUntil(compact);
    if (until !== null && until > newestUntil) {
      newest = compact;
      newestUntil = until;
    }
  }
  return newest;
}

/** logPathOf is the last element of the log's storage prefix, which each CompactBackup of that log extends its own with. */
function logPathOf(logStart: number): string {
  return `log-${formatSlotStamp(logStart)}`;
}

/** readsLog tells whether a CompactBackup compacts the log written under `logPath` (its storage prefix ends with it). */
function readsLog(compact: ObservedCompact, logPath: string): boolean {
  const spec = compact.object.spec;
  const prefix = isObject(spec) ? storagePrefixOf(spec) : null;
  return prefix !== null && posix.basename(prefix) === logPath;
}

/**
 * lastExecution is when compaction last ran: `status.lastCompactExecutionTs`, or the newest CompactBackup's
 * creationTimestamp when later (a status written from a stale parent can carry an older execution).
 */
function lastExecution(status: BackupScheduleStatus, compacts: readonly ObservedCompact[]): number | null {
  let at = parseTime(status.lastCompactExecutionTs);
  for (const compact of compacts) {
    const created = parseTime(compact.object.metadata?.creationTimestamp);
    if (created !== null && (at === null || created > at)) at = created;
  }
  return at;
}

/** The log's checkpoint (ms) when set, non-zero and not before the log's start, as upstream reads it. */
function checkpointOf(log: KubeObject, logStart: number): number | null {
  const value = log.status?.['logCheckpointTs'];
  const at = typeof value === 'string' ? tsoToMillis(value) : null;
  return at !== null && at > 0 && at >= logStart ? at : null;
}
