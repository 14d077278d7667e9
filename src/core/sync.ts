/**
 * The sync hook's decision, a pure function of the request and `now`:
 * validate → observe (children, last Backup) → decide (slot, gate, retention) → answer (children, status, resync).
 */

import { backupNowGate, backupNowStateOf, decideBackupNow, isBackupNowBackup } from './backup-now.js';
import { buildSnapshotBackup, desiredFormOfKept, echoUnmanaged } from './desired.js';
import { summarize } from './facts.js';
import type { ScheduleFacts } from './facts.js';
import { decideGate } from './gate.js';
import { groupBlocker } from './group.js';
import type { Gate } from './gate.js';
import { expectedIntervalMs } from './interval.js';
import { lastBackupOf } from './last-backup.js';
import { SCHEDULED_AT_ANNOTATION, SCHEDULE_LABEL, backupName } from './names.js';
import { compareNames, observeChildren } from './observe.js';
import type { ObservedBackup, Observation, SnapshotBackup } from './observe.js';
import { decideCompactRetention, decideRetention } from './retention.js';
import { decideCompact } from './compact.js';
import { decideLogBackup, logRangeOf } from './log-backup.js';
import { millisToTso, tsoToMillis } from './tso.js';
import type { Deletion } from './retention.js';
import { decideGfsCompactRetention, decideGfsRetention } from './retention-gfs.js';
import { nextTick } from './schedule.js';
import { planSlot } from './schedule-edit.js';
import type { Missed } from './schedule-edit.js';
import { isObject, readSpec } from './spec.js';
import type { ScheduleSpec } from './spec.js';
import { buildStatus, withLastSuccessful } from './status.js';
import { withExtensionStatus } from './status-extensions.js';
import type { Ready } from './status.js';
import { DEFAULT_DELETION_STUCK_AFTER_MS, findDeletionStuck, findStuck, passStuck } from './stuck.js';
import { LAST_WRITABLE_MS, formatTime, parseTime } from './time.js';
import type { BackupScheduleStatus, DesiredChild, KubeObject, SyncRequest, SyncResponse } from './types.js';

/** Default stale-view grace: how long past the following tick a missing last Backup still counts as in flight. */
export const DEFAULT_STALE_VIEW_GRACE_MS = 5 * 60_000;
/** Default label key that hands a schedule over from TiDB Operator; never copied onto Backups. */
export const DEFAULT_HANDOVER_LABEL_KEY = 'backup-schedule-hook/controller';

/** Options of {@link sync} and {@link decide}. */
export interface SyncOptions {
  /** The instant of this sync (epoch ms). */
  now: number;
  /** Stale-view grace in ms; default {@link DEFAULT_STALE_VIEW_GRACE_MS}. */
  staleViewGraceMs?: number;
  /** Handover label key; default {@link DEFAULT_HANDOVER_LABEL_KEY}. */
  handoverLabelKey?: string;
  /** How long after its deletionTimestamp a Backup still present is reported as stuck in deletion; default 1h. */
  deletionStuckAfterMs?: number;
}

/** What the hook decided, for logs, metrics and the preview; not part of the answer. */
export interface SyncReport {
  outcome: 'created' | 'waiting' | 'idle' | 'paused' | 'invalid' | 'parent-deleting';
  created: string | null;
  deletions: Deletion[];
  problems: string[];
  /** Message of the Ready condition (or why nothing happened). */
  message: string;
  /** A due slot this sync decided not to run (startingDeadlineSeconds, a schedule edit, skipMissedOnUnpause), or null. */
  missed: Missed | null;
  /** Snapshot Backups running longer than spec.backupTimeout, oldest first. */
  stuck: string[];
  /** Backups whose deletion has not finished in time, oldest first. */
  deletionStuck: string[];
  /** The schedule's state as of this sync, for metrics. */
  facts: ScheduleFacts;
}

/** The answer plus the report of how it was reached. */
export interface Decision {
  response: SyncResponse;
  report: SyncReport;
}

/** sync answers a Metacontroller sync request for a BackupSchedule at the instant `options.now`. */
export function sync(request: SyncRequest, options: SyncOptions): SyncResponse {
  return decide(request, options).response;
}

/** decide answers a sync request and reports why; the same request at the same instant gives the same answer. */
export function decide(request: SyncRequest, options: SyncOptions): Decision {
  const { parent } = request;
  const previous: BackupScheduleStatus = isObject(parent.status) ? parent.status : {};
  const observation = observeChildren(parent, request.children);
  const snapshots = observation.backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
  const scheduleName = parent.metadata.name ?? '';
  // Backup-now Backups have no slot: they never move lastBackup.
  const observedLast = lastBackupOf(previous, snapshots.filter((b) => !isBackupNowBackup(b.object)));
  const unscheduled = {
    specValid: false,
    paused: isObject(parent.spec) && parent.spec['pause'] === true,
    deletions: [],
    lastScheduled: observedLast.time,
    nextScheduled: null,
    expectedIntervalMs: null,
  };

  const read = readSpec(parent);

  // A parent being deleted: create nothing, delete nothing; the garbage collector removes the children.
  if (parent.metadata.deletionTimestamp != null || request.finalizing === true) {
    const response: SyncResponse = { status: previous, children: keptChildren(observation) };
    if (request.finalizing === true) response.finalized = true;
    const facts = summarize(parent, snapshots, { ...unscheduled, specValid: read.ok, status: previous });
    return { response, report: report('parent-deleting', { message: 'the schedule is being deleted', facts }) };
  }

  if (!read.ok) {
    const message = `the spec is invalid: ${read.problems.join('; ')}`;
    const status = buildStatus(previous, {
      now: options.now,
      last: observedLast,
      nextBackupTime: null,
      ready: { reason: 'InvalidSpec', message },
    });
    const answered = withLastSuccessful(status, { scheduleName, snapshots });
    return {
      response: { status: answered, children: keptChildren(observation) },
      report: report('invalid', { message, problems: read.problems, facts: summarize(parent, snapshots, { ...unscheduled, status: answered }) }),
    };
  }
  const spec = read.spec;
  const now = options.now;
  const staleViewGraceMs = options.staleViewGraceMs ?? DEFAULT_STALE_VIEW_GRACE_MS;
  const backups = byName(observation.backups);

  // Decide the next Backup: the most recent tick after the watermark, if the missed-run rules and the gates let it start.
  const stuck = findStuck(snapshots, { now, timeoutMs: spec.backupTimeout?.ms ?? null });
  const lastGate = decideGate(observedLast, { now, schedule: spec.schedule, staleViewGraceMs, backups });
  const groupGate = groupGateOf(groupBlocker(parent, request.related));
  const nowState = backupNowStateOf(previous, { token: spec.backupNowToken, scheduleName, backups });
  const nowGate = backupNowGate(previous, { now, backups, staleViewGraceMs, last: nowState.last });
  const gate = passStuck([lastGate, groupGate, nowGate], stuck);
  const watermark = observedLast.time ?? parseTime(previous.allBackupCleanTime) ?? parseTime(parent.metadata.creationTimestamp);
  const plan = planSlot(previous, { spec, now, watermark });
  const slot = plan.slot;
  const tickGate = (slot === null ? null : slotTaken(observation, backupName(scheduleName, slot))) ?? gate;
  const next = nextStep({ spec, slot, gate: tickGate });
  const handoverLabelKey = options.handoverLabelKey ?? DEFAULT_HANDOVER_LABEL_KEY;
  const backupNow = decideBackupNow(nowState.pending, { pause: spec.pause, gate, tickFirst: next.create });
  const tick = next.create ? slot : null;
  const created =
    tick !== null
      ? buildSnapshotBackup(parent, spec, { slot: tick, handoverLabelKey })
      : backupNow.create !== null
        ? buildSnapshotBackup(parent, spec, { backupNowToken: backupNow.create, handoverLabelKey })
        : null;
  const last = tick !== null ? { name: backupName(scheduleName, tick), time: tick } : observedLast;

  // The log backup and its compaction (when configured): created once, never deleted by the hook.
  const log = decideLogBackup(parent, { spec, previous, backups: observation.backups, now, watermark, staleViewGraceMs, handoverLabelKey });
  const compact = decideCompact(parent, {
    spec,
    status: { ...previous, ...log.status },
    compacts: observation.compacts,
    log: log.observed,
    now,
    handoverLabelKey,
  });
  const fields: Record<string, string> = { ...log.status, ...compact.status };

  // Decide retention among the observed snapshot Backups; the last one (as sent, as observed, as created) stays.
  const recordedLast = typeof previous.lastBackup === 'string' ? previous.lastBackup : null;
  const protectedNames = new Set([recordedLast, observedLast.name, last.name].filter((n): n is string => n !== null));
  const policy = { maxReservedTimeMs: spec.maxReservedTimeMs, maxBackups: spec.maxBackups };
  const logRetention =
    log.observed === null ? {} : { log: { range: logRangeOf(log.observed), compactCap: compactCap(spec, fields['lastCompactProgress'] ?? previous.lastCompactProgress) } };
  const retention =
    spec.retention !== null
      ? decideGfsRetention(snapshots, { now, policy: spec.retention, timeZone: spec.timeZone, protectedNames, ...logRetention })
      : decideRetention(snapshots, { now, policy, protectedNames, ...logRetention });
  const lastCompacts = new Set([previous.lastCompact, fields['lastCompact']].filter((n): n is string => typeof n === 'string'));
  const compactDeletions =
    spec.retention !== null
      ? decideGfsCompactRetention(observation.compacts, { snapshots, deletions: retention.deletions, protectedNames: lastCompacts })
      : decideCompactRetention(observation.compacts, { now, policy, protectedNames: lastCompacts });
  const deletions = [...retention.deletions, ...compactDeletions];
  const deletionAfterMs = options.deletionStuckAfterMs ?? DEFAULT_DELETION_STUCK_AFTER_MS;
  const deletionStuck = findDeletionStuck(observation.backups, { now, afterMs: deletionAfterMs });

  // Answer.
  const anchor = Math.max(last.time ?? plan.watermark ?? now, plan.lastMissedTime ?? -Infinity);
  const following = spec.pause ? null : nextTick(spec.schedule, { after: now, anchor });
  // A tick after year 9999 (a watermark far in the future) cannot be written as RFC 3339: there is none to report.
  const nextBackupTime = following !== null && following <= LAST_WRITABLE_MS ? following : null;
  const ready = readyOf(next, { nextBackupTime, gate: tickGate });
  const built = buildStatus(previous, {
    now,
    last,
    nextBackupTime,
    ready,
    fields,
    conditions: log.missing === null ? [] : [{ type: 'LogBackupMissing', ...log.missing }],
  });
  const status = withExtensionStatus(withLastSuccessful(built, { scheduleName, snapshots }), previous, {
    now,
    spec,
    plan,
    lastBackupTime: last.time,
    gate,
    stuck,
    deletionStuck: { report: deletionStuck, afterMs: deletionAfterMs },
    backupNow: { state: nowState, decision: backupNow, gate: nowGate, backups, scheduleName },
  });
  let children = keptChildren(observation, {
    backups: new Set(retention.deletions.map((d) => d.name)),
    compacts: new Set(compactDeletions.map((d) => d.name)),
  });
  const truncateUntil = retention.truncateUntil;
  const liveLog = log.observed;
  if (truncateUntil !== null && liveLog !== null) {
    children = children.map((c) => (c.kind === 'Backup' && c.metadata.name === liveLog.metadata?.name ? truncated(c, { live: liveLog, until: truncateUntil }) : c));
  }
  for (const extra of [created, log.create, compact.create]) {
    if (extra !== null && !children.some((c) => c.kind === extra.kind && c.metadata.name === extra.metadata.name)) children.push(extra);
  }
  children.sort((a, b) => compareNames(a.kind, b.kind) || compareNames(a.metadata.name, b.metadata.name));

  const response: SyncResponse = { status, children };
  const graceEnds = [lastGate, nowGate].map((g) => (g.open ? null : g.until));
  const resyncAt = earliest([nextBackupTime, retention.nextExpiry, ...graceEnds, log.until, compact.until, stuck.nextDeadline, deletionStuck.nextDeadline]);
  if (resyncAt !== null) response.resyncAfterSeconds = Math.max(1, Math.ceil(resyncAt - now) / 1000);
  const facts = summarize(parent, snapshots, {
    specValid: true,
    paused: spec.pause,
    deletions: retention.deletions,
    lastScheduled: last.time,
    nextScheduled: nextBackupTime,
    expectedIntervalMs: expectedIntervalMs(spec.schedule, { now, anchor }),
    status: response.status,
  });
  return {
    response,
    report: report(next.outcome === 'idle' && created !== null ? 'created' : next.outcome, {
      created: created?.metadata.name ?? null,
      deletions,
      message: ready.message,
      missed: plan.missed,
      stuck: stuck.stuck.map((b) => b.name),
      deletionStuck: deletionStuck.stuck.map((b) => b.name),
      facts,
    }),
  };
}

/** What the schedule does in this sync. */
interface NextStep {
  /** True when the slot's Backup is created now. */
  create: boolean;
  outcome: 'created' | 'waiting' | 'idle' | 'paused';
}

function nextStep(inputs: { spec: ScheduleSpec; slot: number | null; gate: Gate }): NextStep {
  if (inputs.spec.pause) return { create: false, outcome: 'paused' };
  if (inputs.slot === null) return { create: false, outcome: 'idle' };
  return inputs.gate.open ? { create: true, outcome: 'created' } : { create: false, outcome: 'waiting' };
}

function readyOf(next: NextStep, facts: { nextBackupTime: number | null; gate: Gate }): Ready {
  if (next.outcome === 'paused') return { reason: 'Paused', message: 'spec.pause is true: no new Backups; retention still runs' };
  if (next.outcome === 'waiting' && !facts.gate.open) {
    return { reason: 'WaitingForPreviousBackup', message: `a scheduled Backup is due: ${facts.gate.message}` };
  }
  const message = facts.nextBackupTime === null ? 'the schedule has no future tick' : `next Backup at ${formatTime(facts.nextBackupTime)}`;
  return { reason: 'Scheduled', message };
}

/**
 * slotTaken closes the gate of a tick when a Backup named like the slot's is already observed: one the hook cannot
 * read as this schedule's (another label or controller, unreadable annotation or commitTs). Asking for it would
 * overwrite it, and recording it as the last Backup would make the schedule wait on a Backup it does not own.
 */
function slotTaken(observation: Observation, name: string): Gate | null {
  if (!observation.backups.some((b) => b.name === name)) return null;
  return {
    open: false,
    message:
      `Backup ${name} exists but is not one this schedule can read (check its label ${SCHEDULE_LABEL}, its controller ` +
      `owner, its ${SCHEDULED_AT_ANNOTATION} annotation and status.commitTs); it is kept as it is: fix or delete it, ` +
      'or the next tick creates the next Backup',
    until: null,
    blocker: null,
  };
}

/** Names retention removes, per kind: a Backup and a CompactBackup may share a name. */
interface Removed {
  backups: ReadonlySet<string>;
  compacts: ReadonlySet<string>;
}

const NOTHING_REMOVED: Removed = { backups: new Set(), compacts: new Set() };

/** keptChildren is every observed child not already being deleted, in its desired form, minus what retention removes. */
function keptChildren(observation: Observation, removed: Removed = NOTHING_REMOVED): DesiredChild[] {
  const kept: DesiredChild[] = [];
  for (const [children, gone] of [[observation.backups, removed.backups], [observation.compacts, removed.compacts]] as const) {
    for (const child of children) if (!child.deleting && !gone.has(child.name)) kept.push(desiredFormOfKept(child.object, child.name));
  }
  for (const other of observation.others) {
    if (!other.deleting) kept.push(echoUnmanaged(other.object, { name: other.name, type: other.type }));
  }
  return kept;
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

/** Compaction's cap on truncation: none without a compact template, else its progress (none yet: no truncation). */
function compactCap(spec: ScheduleSpec, progress: unknown): bigint | null | undefined {
  if (spec.compactBackupTemplate === null) return undefined;
  const at = parseTime(progress);
  return at === null ? null : BigInt(millisToTso(at));
}

/** groupGateOf closes the gate while a sibling schedule of the group runs a Backup. */
function groupGateOf(blocker: string | null): Gate {
  return blocker === null ? { open: true } : { open: false, message: blocker, until: null, blocker: null };
}

function byName(backups: readonly ObservedBackup[]): Map<string, ObservedBackup> {
  const map = new Map<string, ObservedBackup>();
  for (const backup of backups) map.set(backup.name, backup);
  return map;
}

function earliest(instants: ReadonlyArray<number | null>): number | null {
  let min: number | null = null;
  for (const t of instants) if (t !== null && (min === null || t < min)) min = t;
  return min;
}

function report(outcome: SyncReport['outcome'], fields: Partial<Omit<SyncReport, 'outcome' | 'facts'>> & Pick<SyncReport, 'facts'>): SyncReport {
  return { outcome, created: null, deletions: [], problems: [], message: '', missed: null, stuck: [], deletionStuck: [], ...fields };
}
