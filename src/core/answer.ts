/**
 * The "answer" step of a sync: the desired children (every observed child kept in its desired form, minus what
 * retention removes, plus what is created), the status, when to sync again, and the report of how it was reached.
 */

import { expectedIntervalMs } from './interval.js';
import { echoUnmanaged, desiredFormOfKept } from './kept-form.js';
import { DEFERRED_DELETIONS_CALL_BACK_MS } from './deletion-batch.js';
import { summarize } from './facts.js';
import { groupNotVisibleFinding, groupVisibleResolved } from './group.js';
import { LOG_BACKUP_CONDITIONS, logBackupNotConfigured } from './log-backup.js';
import type { ScheduleFacts } from './facts.js';
import type { Gate } from './gate.js';
import type { NextBackup, NextStep } from './next-backup.js';
import { compareNames } from './observe.js';
import type { Observation } from './observe.js';
import type { Deletion } from './retention.js';
import type { Retirement } from './retirement.js';
import { nextTick } from './schedule.js';
import type { Missed } from './schedule-edit.js';
import { isObject } from './spec.js';
import { buildStatus, withFindings, withLastSuccessful } from './status.js';
import type { Ready } from './status.js';
import { withExtensionStatus } from './status-extensions.js';
import type { SyncContext } from './sync-context.js';
import { LAST_WRITABLE_MS, earliest, formatTime } from './time.js';
import { tsoToMillis } from './tso.js';
import type { DesiredChild, KubeObject, SyncResponse } from './types.js';

/** What the hook decided, for logs, metrics and the preview; not part of the answer. */
export interface SyncReport {
  outcome: 'created' | 'waiting' | 'idle' | 'paused' | 'invalid' | 'parent-deleting';
  created: string | null;
  /** The last Backup asked for again while the view lacks it (its create may have failed), or null. */
  askedAgain: string | null;
  deletions: Deletion[];
  /** Deletions retention decided that this answer leaves for the next syncs (at most a batch per answer). */
  deferredDeletions: number;
  problems: string[];
  /** Message of the Ready condition (or why nothing happened). */
  message: string;
  /** A due slot this sync decided not to run (startingDeadlineSeconds, a schedule edit, skipMissedOnUnpause), or null. */
  missed: Missed | null;
  /** Snapshot Backups running longer than spec.backupTimeout, oldest first. */
  stuck: string[];
  /** Backups whose deletion has not finished in time, oldest first. */
  deletionStuck: string[];
  /** What compaction did this sync, or why nothing (a CompactBackup runs, too little new log, ...); null when not configured. */
  compaction: string | null;
  /** The schedule's state as of this sync, for metrics. */
  facts: ScheduleFacts;
}

/** The answer plus the report of how it was reached. */
export interface Decision {
  response: SyncResponse;
  report: SyncReport;
}

/** answer builds the response and report of a sync from the decisions about the next Backup and retirement. */
export function answer(context: SyncContext, decisions: { next: NextBackup; retirement: Retirement }): Decision {
  const { parent, spec, previous, observation, snapshots, backups, scheduleName, now } = context;
  const { next, retirement } = decisions;
  const { plan, last } = next;
  const { log, compact, retention, compactDeletions, deletionStuck } = retirement;

  const anchor = Math.max(last.time ?? plan.watermark ?? now, plan.lastMissedTime ?? -Infinity);
  // Ticks up to the watermark never run (a last Backup dated ahead of this clock): the next is after both.
  const following = spec.pause ? null : nextTick(spec.schedule, { after: Math.max(now, anchor), anchor });
  // A tick after year 9999 (a watermark far in the future) cannot be written as RFC 3339: there is none to report.
  const nextBackupTime = following !== null && following <= LAST_WRITABLE_MS ? following : null;
  const ready = readyOf(next.step, { nextBackupTime, gate: next.tickGate, quiet: next.quiet });
  const built = buildStatus(previous, {
    now,
    last,
    nextBackupTime,
    ready,
    fields: retirement.fields,
    conditions: [
      ...(log.missing === null ? [] : [{ type: 'LogBackupMissing', ...log.missing }]),
      ...(log.failed === null ? [] : [{ type: 'LogBackupFailed', ...log.failed }]),
    ],
  });
  // Without a log template the log's conditions, once written, say it is not watched (else they would stay as last written).
  const logRetired = spec.logBackupTemplate === null ? LOG_BACKUP_CONDITIONS.map((type) => ({ type, active: null, resolved: logBackupNotConfigured(scheduleName) })) : [];
  const status = withExtensionStatus(withLastSuccessful(withFindings(built, now, logRetired), { scheduleName, snapshots }), previous, {
    now,
    spec,
    plan,
    lastBackupTime: last.time,
    gate: next.missGate,
    stuck: next.stuck,
    deletionStuck: { report: deletionStuck, afterMs: context.deletionStuckAfterMs },
    backupNow: { ...next.backupNow, backups, scheduleName, staleViewGraceMs: context.staleViewGraceMs },
    groupNotVisible: { active: groupNotVisibleFinding(parent, context.related), resolved: groupVisibleResolved(parent) },
    groupTurn: next.groupTurn,
  });

  const response: SyncResponse = { status, children: desiredChildren(context, decisions) };
  const graceEnds = next.timedGates.map((g) => (g.open ? null : g.until));
  const resyncAt = earliest([nextBackupTime, retention.nextExpiry, retirement.compactNextExpiry, ...graceEnds, next.askedAgain?.until ?? null, next.askAgainAt, next.missedAt, next.groupChangesAt, deferredCallBack(retirement.deferredDeletions, now), log.until, compact.until, next.stuck.nextDeadline, deletionStuck.nextDeadline]);
  const resyncAfterSeconds = callBackSeconds(resyncAt, { now, resyncEveryMs: context.resyncEveryMs });
  if (resyncAfterSeconds !== null) response.resyncAfterSeconds = resyncAfterSeconds;

  const facts = summarize(parent, snapshots, {
    specValid: true,
    paused: spec.pause,
    deletions: retention.deletions,
    lastScheduled: last.time,
    nextScheduled: nextBackupTime,
    expectedIntervalMs: expectedIntervalMs(spec.schedule, { now, anchor }),
    status,
    log,
  });
  const { created } = next;
  return {
    response,
    report: report(next.step.outcome === 'idle' && created !== null ? 'created' : next.step.outcome, {
      created: created?.metadata.name ?? null,
      askedAgain: next.askedAgain?.child.metadata.name ?? null,
      deletions: [...retention.deletions, ...compactDeletions],
      deferredDeletions: retirement.deferredDeletions,
      message: ready.message,
      missed: plan.missed,
      stuck: next.stuck.stuck.map((b) => b.name),
      deletionStuck: deletionStuck.stuck.map((b) => b.name),
      compaction: compact.note,
      facts,
    }),
  };
}

/** desiredChildren is every kept child (the log Backup truncated if retention says so) plus what is created or asked for again, sorted. */
function desiredChildren(context: SyncContext, decisions: { next: NextBackup; retirement: Retirement }): DesiredChild[] {
  const { log, compact, retention, compactDeletions } = decisions.retirement;
  let children = keptChildren(context.observation, {
    parentUid: context.parent.metadata.uid,
    removed: { backups: new Set(retention.deletions.map((d) => d.name)), compacts: new Set(compactDeletions.map((d) => d.name)) },
  });
  const truncateUntil = retention.truncateUntil;
  const liveLog = log.observed;
  if (truncateUntil !== null && liveLog !== null) {
    children = children.map((c) => (c.kind === 'Backup' && c.metadata.name === liveLog.metadata?.name ? truncated(c, { live: liveLog, until: truncateUntil }) : c));
  }
  for (const extra of [decisions.next.created, decisions.next.askedAgain?.child ?? null, log.create, compact.create]) {
    if (extra !== null && !children.some((c) => c.kind === extra.kind && c.metadata.name === extra.metadata.name)) children.push(extra);
  }
  return children.sort((a, b) => compareNames(a.kind, b.kind) || compareNames(a.metadata.name, b.metadata.name));
}

/** Names retention removes, per kind: a Backup and a CompactBackup may share a name. */
interface Removed {
  backups: ReadonlySet<string>;
  compacts: ReadonlySet<string>;
}

const NOTHING_REMOVED: Removed = { backups: new Set(), compacts: new Set() };

/** Options of {@link keptChildren}. */
export interface KeptOptions {
  /** The schedule's uid: no kept child carries another `controller-uid` (see {@link desiredFormOfKept}). */
  parentUid: string | undefined;
  /** What retention removes; nothing when absent. */
  removed?: Removed;
}

/** keptChildren is every observed child not already being deleted, in its desired form, minus what retention removes. */
export function keptChildren(observation: Observation, options: KeptOptions): DesiredChild[] {
  const { parentUid, removed = NOTHING_REMOVED } = options;
  const kept: DesiredChild[] = [];
  for (const [children, gone] of [[observation.backups, removed.backups], [observation.compacts, removed.compacts]] as const) {
    for (const child of children) if (!child.deleting && !gone.has(child.name)) kept.push(desiredFormOfKept(child.object, child.name, { parentUid }));
  }
  for (const other of observation.others) {
    if (!other.deleting) kept.push(echoUnmanaged(other.object, { name: other.name, type: other.type }));
  }
  return kept;
}

/** report fills a {@link SyncReport} with empty defaults. */
export function report(outcome: SyncReport['outcome'], fields: Partial<Omit<SyncReport, 'outcome' | 'facts'>> & Pick<SyncReport, 'facts'>): SyncReport {
  return { outcome, created: null, askedAgain: null, deletions: [], deferredDeletions: 0, problems: [], message: '', missed: null, stuck: [], deletionStuck: [], compaction: null, ...fields };
}

function readyOf(next: NextStep, facts: { nextBackupTime: number | null; gate: Gate; quiet: Gate }): Ready {
  if (next.outcome === 'paused') return { reason: 'Paused', message: 'spec.pause is true: no new Backups; retention still runs' };
  if (next.outcome === 'waiting' && !facts.gate.open) {
    // Held by the quiet window before the next tick, nothing runs late: the due Backup starts at that tick.
    const reason = facts.gate === facts.quiet ? 'Scheduled' : 'WaitingForPreviousBackup';
    return { reason, message: `a scheduled Backup is due: ${facts.gate.message}` };
  }
  const message = facts.nextBackupTime === null ? 'the schedule has no future tick' : `next Backup at ${formatTime(facts.nextBackupTime)}`;
  return { reason: 'Scheduled', message };
}

/** The log Backup's desired form with `spec.logTruncateUntil` moved forward (never back from what is live or applied). */
function truncated(desired: DesiredChild, facts: { live: KubeObject; until: bigint }): DesiredChild {
  const spec = isObject(desired.spec) ? { ...desired.spec } : {};
  let until = facts.until;
  for (const current of [spec['logTruncateUntil'], facts.live.spec?.['logTruncateUntil']]) {
    if (typeof current === 'string' && tsoToMillis(current) !== null && BigInt(current) > until) until = BigInt(current);
  }
  spec['logTruncateUntil'] = until.toString();
  return { ...desired, spec };
}

/** With deletions left for later, the answer asks to be called back soon, should no deletion event bring a sync first. */
function deferredCallBack(deferred: number, now: number): number | null {
  return deferred > 0 ? now + DEFERRED_DELETIONS_CALL_BACK_MS : null;
}

/** The shortest call-back an answer asks for, in seconds: a guard against hot loops (a change due sooner waits for it). */
export const CALL_BACK_FLOOR_SECONDS = 1;

/**
 * callBackSeconds is the answer's `resyncAfterSeconds`: until the decision's next call-back, or `resyncEveryMs` if that
 * comes first (so syncs stay regular: Metacontroller raises its own `resyncPeriodSeconds` to `--cache-flush-interval`,
 * metacontroller#1136), at least 1 s; null when neither asks for one.
 */
export function callBackSeconds(resyncAt: number | null, options: { now: number; resyncEveryMs: number | null }): number | null {
  const { now, resyncEveryMs } = options;
  const at = earliest([resyncAt, resyncEveryMs === null ? null : now + resyncEveryMs]);
  return at === null ? null : Math.max(CALL_BACK_FLOOR_SECONDS, Math.ceil(at - now) / 1000);
}
