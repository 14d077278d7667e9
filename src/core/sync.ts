/**
 * The sync hook's decision, a pure function of the request and `now`, in four visible steps:
 * observe (children, last Backup, spec) → decide the next Backup → decide what retires → answer.
 */

import { answer, callBackSeconds, keptChildren, report } from './answer.js';
import { withBackupNowSeen } from './backup-now.js';
import type { Decision } from './answer.js';
import { MAX_DELETIONS_PER_SYNC } from './deletion-batch.js';
import { summarize } from './facts.js';
import { lastBackupOf } from './last-backup.js';
import { decideNextBackup } from './next-backup.js';
import { observeChildren } from './observe.js';
import type { ObservedBackup, SnapshotBackup } from './observe.js';
import { decideRetirement } from './retirement.js';
import { PAUSED_BEFORE_INVALID_SPEC, wasPaused } from './schedule-edit.js';
import { isObject, readSpec } from './spec.js';
import { buildStatus, withLastSuccessful } from './status.js';
import { DEFAULT_DELETION_STUCK_AFTER_MS } from './stuck.js';
import type { SyncContext } from './sync-context.js';
import type { BackupScheduleStatus, SyncRequest, SyncResponse } from './types.js';

export type { Decision, SyncReport } from './answer.js';

/** Default stale-view grace: how long after it was asked for a missing last Backup still counts as in flight. */
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
  /** Deletions one answer asks for at most; default {@link MAX_DELETIONS_PER_SYNC}. */
  maxDeletionsPerSync?: number;
  /**
   * The longest call-back every answer asks for, in ms (`resyncAfterSeconds` at most this), so that syncs stay regular
   * whatever Metacontroller's own resync does; absent or 0: only the call-backs the decision needs.
   */
  resyncEveryMs?: number;
}

/** sync answers a Metacontroller sync request for a BackupSchedule at the instant `options.now`. */
export function sync(request: SyncRequest, options: SyncOptions): SyncResponse {
  return decide(request, options).response;
}

/** decide answers a sync request and reports why; the same request at the same instant gives the same answer. */
export function decide(request: SyncRequest, options: SyncOptions): Decision {
  // Observe.
  const { parent } = request;
  const previous: BackupScheduleStatus = isObject(parent.status) ? parent.status : {};
  const observation = observeChildren(parent, request.children);
  const snapshots = observation.backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
  const scheduleName = parent.metadata.name ?? '';
  const observedLast = lastBackupOf(previous, snapshots);
  const read = readSpec(parent);
  const resyncEveryMs = options.resyncEveryMs !== undefined && options.resyncEveryMs > 0 ? options.resyncEveryMs : null;
  const unscheduled = {
    specValid: read.ok,
    paused: isObject(parent.spec) && parent.spec['pause'] === true,
    deletions: [],
    lastScheduled: observedLast.time,
    nextScheduled: null,
    expectedIntervalMs: null,
  };

  // A parent being deleted: create nothing, delete nothing; the garbage collector removes the children.
  if (parent.metadata.deletionTimestamp != null || request.finalizing === true) {
    const response: SyncResponse = { status: previous, children: keptChildren(observation, { parentUid: parent.metadata.uid }) };
    if (request.finalizing === true) response.finalized = true;
    const facts = summarize(parent, snapshots, { ...unscheduled, status: previous });
    return { response, report: report('parent-deleting', { message: 'the schedule is being deleted', facts }) };
  }

  // An invalid spec: keep every child, carry the status forward, say what to fix.
  if (!read.ok) {
    const message = `the spec is invalid: ${read.problems.join('; ')}`;
    const status = buildStatus(previous, {
      now: options.now,
      last: observedLast,
      nextBackupTime: null,
      ready: { reason: 'InvalidSpec', message },
    });
    // A backup-now Backup the view shows is seen, as a valid sync records it: deleted meanwhile, it is not asked for again.
    // Paused before or in the invalid spec, it stays so for skipMissedOnUnpause: the sync after the fix runs no tick missed meanwhile.
    if (unscheduled.paused || wasPaused(previous)) status[PAUSED_BEFORE_INVALID_SPEC] = true;
    const answered = withBackupNowSeen(withLastSuccessful(status, { scheduleName, snapshots }), byName(observation.backups));
    const facts = summarize(parent, snapshots, { ...unscheduled, status: answered });
    const response: SyncResponse = { status: answered, children: keptChildren(observation, { parentUid: parent.metadata.uid }) };
    const resyncAfterSeconds = callBackSeconds(null, { now: options.now, resyncEveryMs });
    if (resyncAfterSeconds !== null) response.resyncAfterSeconds = resyncAfterSeconds;
    return {
      response,
      report: report('invalid', { message, problems: read.problems, facts }),
    };
  }

  const context: SyncContext = {
    parent,
    spec: read.spec,
    previous,
    observation,
    snapshots,
    backups: byName(observation.backups),
    observedLast,
    scheduleName,
    related: request.related,
    now: options.now,
    staleViewGraceMs: options.staleViewGraceMs ?? DEFAULT_STALE_VIEW_GRACE_MS,
    handoverLabelKey: options.handoverLabelKey ?? DEFAULT_HANDOVER_LABEL_KEY,
    deletionStuckAfterMs: options.deletionStuckAfterMs ?? DEFAULT_DELETION_STUCK_AFTER_MS,
    maxDeletionsPerSync: options.maxDeletionsPerSync ?? MAX_DELETIONS_PER_SYNC,
    resyncEveryMs,
  };
  const next = decideNextBackup(context);
  const retirement = decideRetirement(context, next);
  return answer(context, { next, retirement });
}

function byName(backups: readonly ObservedBackup[]): Map<string, ObservedBackup> {
  const map = new Map<string, ObservedBackup>();
  for (const backup of backups) map.set(backup.name, backup);
  return map;
}
