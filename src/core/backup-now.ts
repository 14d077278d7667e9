/**
 * Backup now: the schedule's annotation `backup-schedule-hook/backup-now: <token>` asks for one extra
 * snapshot Backup `<schedule>-manual-<token>`. It waits for the gate like a tick (a tick due in the same
 * sync goes first), has no slot (lastBackup/lastBackupTime stay), blocks the next tick while it runs, and
 * is recorded in `status.lastBackupNow` so that a served token is never asked for again, unless no view ever showed
 * its Backup: past the stale-view grace after it was asked for, its create failed, and it is asked for again.
 */

import { snapshotState } from './backup-state.js';
import { inFlightUntil } from './gate.js';
import type { Gate } from './gate.js';
import { BACKUP_NOW_ANNOTATION, backupNowName } from './names.js';
import type { ObservedBackup } from './observe.js';
import { isObject } from './spec.js';
import { conditionOf } from './status.js';
import type { Finding } from './status.js';
import { formatTime, parseTime } from './time.js';
import type { BackupSchedule, BackupScheduleStatus, JsonObject, KubeObject } from './types.js';

/** Condition type that reports the backup-now request. */
export const BACKUP_NOW_CONDITION = 'BackupNow';

const TOKEN = /^[a-z0-9]{1,12}$/;

/** readBackupNowToken returns the schedule's backup-now token, or null; a malformed one is a problem. */
export function readBackupNowToken(parent: BackupSchedule, problems: string[]): string | null {
  const token = parent.metadata.annotations?.[BACKUP_NOW_ANNOTATION];
  if (token === undefined) return null;
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    problems.push(
      `metadata.annotations["${BACKUP_NOW_ANNOTATION}"] ${JSON.stringify(token)} must be 1 to 12 characters of a-z and 0-9, ` +
        `such as "20240501a"; it names the Backup <schedule>-manual-<token>, so use a new token for each request`,
    );
    return null;
  }
  return token;
}

/** isBackupNowBackup tells whether a Backup was created for a backup-now request (it has no slot). */
export function isBackupNowBackup(object: KubeObject): boolean {
  return typeof object.metadata?.annotations?.[BACKUP_NOW_ANNOTATION] === 'string';
}

/** The Backup a previous request created, from `status.lastBackupNow`. */
export interface LastBackupNow {
  name: string;
  token: string;
  /** When the sync that asked for it ran (`askedAt`), or null (a record an older version wrote, or an adopted Backup). */
  askedAt: number | null;
  /** True once a sync's view showed the Backup (`seen`): then its absence means it was deleted. */
  seen: boolean;
}

/** lastBackupNowOf reads `status.lastBackupNow`, or null. */
export function lastBackupNowOf(status: BackupScheduleStatus): LastBackupNow | null {
  const { name, token, askedAt, seen } = recordOf(status, 'lastBackupNow');
  return typeof name === 'string' && typeof token === 'string' ? { name, token, askedAt: parseTime(askedAt), seen: seen === true } : null;
}

/** A pending request as the status records it: its token and when a sync first saw it (`status.backupNowRequest`). */
export interface BackupNowRequest {
  token: string;
  seenAt: number;
}

/** backupNowRequestOf reads `status.backupNowRequest`, or null. */
export function backupNowRequestOf(status: BackupScheduleStatus): BackupNowRequest | null {
  const { token, seenAt } = recordOf(status, 'backupNowRequest');
  const at = parseTime(seenAt);
  return typeof token === 'string' && at !== null ? { token, seenAt: at } : null;
}

/** recordOf reads a status field that should be an object; anything else reads as an empty one. */
function recordOf(status: BackupScheduleStatus, field: string): JsonObject {
  const value = status[field];
  return isObject(value) ? value : {};
}

/** Where the backup-now request stands before this sync decides anything. */
export interface BackupNowState {
  /** The last served request (`status.lastBackupNow`, or the one adopted now), or null. */
  last: LastBackupNow | null;
  /** True when `last` was adopted in this sync: its Backup exists although status did not record it. */
  adopted: boolean;
  /** The token still to serve, or null. */
  pending: string | null;
  /** True when the pending token is the last one's, asked for again: no view showed its Backup ({@link neverSeen}). */
  again: boolean;
}

/** What the backup-now rules read of a sync besides the status: the Backups in the view and the clock. */
export interface BackupNowView {
  backups: ReadonlyMap<string, ObservedBackup>;
  now: number;
  /** How long after it was asked for a backup-now Backup missing from the view still counts as running. */
  staleViewGraceMs: number;
}

/** Facts {@link backupNowStateOf} reads besides the previous status. */
export interface BackupNowStateFacts extends BackupNowView {
  token: string | null;
  scheduleName: string;
}

/**
 * backupNowStateOf finds the token still to serve. A token whose Backup is already observed (the status that
 * recorded it was lost, or its Backup is being deleted) counts as served: its Backup is adopted, never asked for again.
 * The served token is pending again while its Backup was asked for and never seen past the grace ({@link neverSeen}).
 */
export function backupNowStateOf(previous: BackupScheduleStatus, facts: BackupNowStateFacts): BackupNowState {
  const last = lastBackupNowOf(previous);
  const { token } = facts;
  if (token === null) return { last, adopted: false, pending: null, again: false };
  const name = backupNowName(facts.scheduleName, token);
  if (last?.token === token) {
    const again = last.name === name && neverSeen(last, facts);
    return { last, adopted: false, pending: again ? token : null, again };
  }
  if (facts.backups.has(name)) return { last: { name, token, askedAt: null, seen: true }, adopted: true, pending: null, again: false };
  return { last, adopted: false, pending: token, again: false };
}

/**
 * neverSeen tells whether the last backup-now Backup was asked for (`askedAt`) at least the stale-view grace ago and no
 * view has shown it: not now, nor in any sync before (`seen`). A Backup created then is in every view by now (the
 * cache lags by less than the grace), so its create failed (refused by a quota or an admission webhook, a transient
 * error): Metacontroller wrote the status all the same. A record without `askedAt` (an older version wrote it) never
 * reads as such: it may be of a Backup seen, then deleted. A record asked for later than now (a clock that ran ahead)
 * waits for its grace.
 */
export function neverSeen(last: LastBackupNow, facts: BackupNowView): boolean {
  if (last.seen || last.askedAt === null || facts.backups.has(last.name)) return false;
  return facts.now >= last.askedAt + facts.staleViewGraceMs;
}

/** Inputs of {@link lastBackupNowRecord}. */
export interface LastBackupNowRecordFacts {
  now: number;
  scheduleName: string;
  state: BackupNowState;
  decision: BackupNowDecision;
  backups: ReadonlyMap<string, ObservedBackup>;
}

/**
 * lastBackupNowRecord is the `status.lastBackupNow` this sync writes, or undefined to keep the previous one: the token
 * served now, asked for now; an adopted Backup, seen; the last one the view shows for the first time, now seen.
 */
export function lastBackupNowRecord(previous: BackupScheduleStatus, facts: LastBackupNowRecordFacts): JsonObject | undefined {
  const served = facts.decision.create;
  if (served !== null) return { name: backupNowName(facts.scheduleName, served), token: served, askedAt: formatTime(facts.now) };
  const { last } = facts.state;
  if (last === null) return undefined;
  if (facts.state.adopted) return { name: last.name, token: last.token, seen: true };
  return seenRecord(previous, facts.backups);
}

/**
 * withBackupNowSeen records `status.lastBackupNow.seen` when the view shows its Backup, for a sync that decides nothing
 * (an invalid spec): a Backup such a view showed and a user then deleted is never asked for again ({@link neverSeen}).
 */
export function withBackupNowSeen(status: BackupScheduleStatus, backups: ReadonlyMap<string, ObservedBackup>): BackupScheduleStatus {
  const record = seenRecord(status, backups);
  return record === undefined ? status : { ...status, lastBackupNow: record };
}

/** seenRecord is the status's `lastBackupNow` marked seen when this view first shows its Backup, else undefined. */
function seenRecord(status: BackupScheduleStatus, backups: ReadonlyMap<string, ObservedBackup>): JsonObject | undefined {
  const last = lastBackupNowOf(status);
  if (last === null || last.seen || !backups.has(last.name)) return undefined;
  return { ...recordOf(status, 'lastBackupNow'), seen: true };
}

/**
 * withLegacyAskedAt keeps when the last backup-now Backup was asked for where the answer would lose it. A record an older
 * version wrote has no `askedAt`: its BackupNow condition (reason Running) is the only trace, and the gate counts the
 * Backup, missing from the view, as running until the grace after then. An answer that changes that condition (a new
 * token waits) writes the instant into the record, marked seen: such a record is never asked for again, as before (it
 * may name a Backup that was seen and deleted). Else the next sync, sent this answer's status, would open the gate.
 */
export function withLegacyAskedAt(next: BackupScheduleStatus, previous: BackupScheduleStatus, facts: BackupNowView): BackupScheduleStatus {
  const record = lastBackupNowOf(next);
  if (record === null || record.askedAt !== null || facts.backups.has(record.name) || lastBackupNowOf(previous)?.name !== record.name) return next;
  const askedAt = backupNowAskedAt(previous);
  if (askedAt === null || inFlightUntil(askedAt, facts) === null || backupNowAskedAt(next) === askedAt) return next;
  return { ...next, lastBackupNow: { ...recordOf(next, 'lastBackupNow'), askedAt: formatTime(askedAt), seen: true } };
}

/** What this sync does about the backup-now request. */
export interface BackupNowDecision {
  /** The token whose Backup is created now, or null. */
  create: string | null;
  /** The token that still waits after this sync, or null. */
  waiting: string | null;
  /** Why it waits (empty when it does not). */
  waitingFor: string;
}

/** Inputs of {@link decideBackupNow}. */
export interface BackupNowInputs {
  pause: boolean;
  /** The combined gate of the sync (the last Backup, the group, the last backup-now Backup, other running Backups, the quiet windows; stuck ones pass). */
  gate: Gate;
  /** True when a tick's Backup is created in this sync: it goes first. */
  tickFirst: boolean;
  /** What backup-now alone waits out: the grace after the request was first seen, and after a tick that did not run. */
  quiet: Gate;
}

/** decideBackupNow serves the pending token when the gate is open, no tick goes first and the schedule is not paused. */
export function decideBackupNow(pending: string | null, inputs: BackupNowInputs): BackupNowDecision {
  if (pending === null) return { create: null, waiting: null, waitingFor: '' };
  // The reasons are worded so that they do not change when the Backup it waits for is created, then observed.
  // Its own quiet windows first: they end at a call-back, where the gate may close at a tick's quiet window alone.
  const { quiet } = inputs;
  const waitingFor = inputs.pause
    ? 'spec.pause is true'
    : !quiet.open
      ? quiet.message
      : !inputs.gate.open || inputs.tickFirst
        ? 'the Backup before it must finish first (a due tick goes first)'
        : '';
  return waitingFor === '' ? { create: pending, waiting: null, waitingFor } : { create: null, waiting: pending, waitingFor };
}

/**
 * backupNowGate closes while the last backup-now Backup runs, as the last scheduled one does. Missing from
 * the view, it counts as running until the stale-view grace after it was asked for ({@link backupNowAskedAt}: the
 * record's `askedAt`, else the BackupNow condition's transition to Running) has passed.
 */
export function backupNowGate(previous: BackupScheduleStatus, options: BackupNowView & { last: LastBackupNow | null }): Gate {
  const { last } = options;
  if (last === null) return { open: true };
  const observed = options.backups.get(last.name);
  if (observed !== undefined) {
    if (observed.deleting || snapshotState(observed.object) !== 'unfinished') return { open: true };
    return { open: false, message: `waiting for backup-now Backup ${last.name} to finish`, until: null, blocker: last.name };
  }
  const until = inFlightUntil(backupNowAskedAt(previous), options);
  if (until === null) return { open: true };
  return {
    open: false,
    message: `backup-now Backup ${last.name} is not in the view yet; it counts as running until ${formatTime(until)} (stale-view grace)`,
    until,
    blocker: null,
  };
}

/**
 * backupNowAskedAt is when the last backup-now Backup was asked for: `status.lastBackupNow.askedAt`, else (a record an
 * older version wrote) as the BackupNow condition (reason Running) records it, or null.
 */
export function backupNowAskedAt(status: BackupScheduleStatus): number | null {
  const recorded = lastBackupNowOf(status)?.askedAt ?? null;
  if (recorded !== null) return recorded;
  const condition = conditionOf(status, BACKUP_NOW_CONDITION);
  return condition?.reason === 'Running' ? parseTime(condition.lastTransitionTime) : null;
}

/** What the BackupNow condition is judged from. */
export interface BackupNowFacts {
  scheduleName: string;
  state: BackupNowState;
  decision: BackupNowDecision;
  /** The gate of the last backup-now Backup ({@link backupNowGate}). */
  gate: Gate;
}

/** backupNowFinding is the BackupNow condition's finding: a request waiting or a Backup running (True), else none. */
export function backupNowFinding(facts: BackupNowFacts): Finding | null {
  const { decision, scheduleName, state } = facts;
  if (decision.create !== null) return runningFinding(backupNowName(scheduleName, decision.create));
  if (decision.waiting !== null) {
    const name = backupNowName(scheduleName, decision.waiting);
    if (state.again && state.last !== null) return { reason: 'Waiting', message: `${neverSeenText(state.last)}: it is asked for again; it waits: ${decision.waitingFor}` };
    return { reason: 'Waiting', message: `backup-now Backup ${name} (token ${decision.waiting}) waits: ${decision.waitingFor}` };
  }
  if (state.last !== null && !facts.gate.open) return runningFinding(state.last.name);
  return null;
}

/**
 * backupNowResolved is what the BackupNow condition says once nothing waits or runs. A Backup asked for and never seen
 * is not said to have run (its request was withdrawn before it was asked for again).
 */
export function backupNowResolved(state: BackupNowState, facts: BackupNowView): Finding {
  const { last } = state;
  const { backups } = facts;
  if (last === null) return { reason: 'Finished', message: 'no backup-now request waits or runs' };
  if (neverSeen(last, facts)) return { reason: 'Finished', message: `${neverSeenText(last)}; it is not asked for again` };
  const observed = backups.get(last.name);
  const where =
    observed === undefined ? 'no longer in the view' : observed.deleting ? 'being deleted' : `finished (${snapshotState(observed.object)})`;
  return { reason: 'Finished', message: `backup-now Backup ${last.name} (token ${last.token}) is ${where}` };
}

function neverSeenText(last: LastBackupNow): string {
  const when = last.askedAt === null ? '' : ` at ${formatTime(last.askedAt)}`;
  return `backup-now Backup ${last.name} (token ${last.token}) was asked for${when} and never appeared in the view (its create may have failed)`;
}

function runningFinding(name: string): Finding {
  return { reason: 'Running', message: `backup-now Backup ${name} has not finished` };
}
