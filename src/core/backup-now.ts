/**
 * Backup now: the schedule's annotation `backup-schedule-hook/backup-now: <token>` asks for one extra
 * snapshot Backup `<schedule>-manual-<token>`. It waits for the gate like a tick (a tick due in the same
 * sync goes first), has no slot (lastBackup/lastBackupTime stay), blocks the next tick while it runs, and
 * is recorded in `status.lastBackupNow` so that a served token is never asked for again.
 */

import { snapshotState } from './backup-state.js';
import { inFlightUntil } from './gate.js';
import type { Gate } from './gate.js';
import { BACKUP_NOW_ANNOTATION, backupNowName } from './names.js';
import type { ObservedBackup } from './observe.js';
import { conditionOf } from './status.js';
import type { Finding } from './status.js';
import { formatTime, parseTime } from './time.js';
import type { BackupSchedule, BackupScheduleStatus, KubeObject } from './types.js';

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
}

/** lastBackupNowOf reads `status.lastBackupNow`, or null. */
export function lastBackupNowOf(status: BackupScheduleStatus): LastBackupNow | null {
  const { name, token } = recordOf(status, 'lastBackupNow');
  return typeof name === 'string' && typeof token === 'string' ? { name, token } : null;
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
function recordOf(status: BackupScheduleStatus, field: string): Record<string, unknown> {
  const value = status[field];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Where the backup-now request stands before this sync decides anything. */
export interface BackupNowState {
  /** The last served request (`status.lastBackupNow`, or the one adopted now), or null. */
  last: LastBackupNow | null;
  /** True when `last` was adopted in this sync: its Backup exists although status did not record it. */
  adopted: boolean;
  /** The token still to serve, or null. */
  pending: string | null;
}

/**
 * backupNowStateOf finds the token still to serve. A token whose Backup is already observed (the status that
 * recorded it was lost, or its Backup is being deleted) counts as served: its Backup is adopted, never asked for again.
 */
export function backupNowStateOf(previous: BackupScheduleStatus, facts: { token: string | null; scheduleName: string; backups: ReadonlyMap<string, ObservedBackup> }): BackupNowState {
  const last = lastBackupNowOf(previous);
  const { token } = facts;
  if (token === null || last?.token === token) return { last, adopted: false, pending: null };
  const name = backupNowName(facts.scheduleName, token);
  if (facts.backups.has(name)) return { last: { name, token }, adopted: true, pending: null };
  return { last, adopted: false, pending: token };
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
  /** The combined gate (the last Backup, the last backup-now Backup, stuck Backups). */
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

/** Options of {@link backupNowGate}. */
export interface BackupNowGateOptions {
  now: number;
  backups: ReadonlyMap<string, ObservedBackup>;
  /** How long after its creation a backup-now Backup missing from the view still counts as running. */
  staleViewGraceMs: number;
}

/**
 * backupNowGate closes while the last backup-now Backup runs, as the last scheduled one does. Missing from
 * the view, it counts as running until the stale-view grace after the sync that created it (the BackupNow
 * condition's transition to Running) has passed.
 */
export function backupNowGate(previous: BackupScheduleStatus, options: BackupNowGateOptions & { last: LastBackupNow | null }): Gate {
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

/** backupNowAskedAt is when the last backup-now Backup was asked for, as the BackupNow condition (reason Running) records it, or null. */
export function backupNowAskedAt(status: BackupScheduleStatus): number | null {
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
    return { reason: 'Waiting', message: `backup-now Backup ${name} (token ${decision.waiting}) waits: ${decision.waitingFor}` };
  }
  if (state.last !== null && !facts.gate.open) return runningFinding(state.last.name);
  return null;
}

/** backupNowResolved is what the BackupNow condition says once nothing waits or runs. */
export function backupNowResolved(state: BackupNowState, backups: ReadonlyMap<string, ObservedBackup>): Finding {
  const { last } = state;
  if (last === null) return { reason: 'Finished', message: 'no backup-now request waits or runs' };
  const observed = backups.get(last.name);
  const where =
    observed === undefined ? 'no longer in the view' : observed.deleting ? 'being deleted' : `finished (${snapshotState(observed.object)})`;
  return { reason: 'Finished', message: `backup-now Backup ${last.name} (token ${last.token}) is ${where}` };
}

function runningFinding(name: string): Finding {
  return { reason: 'Running', message: `backup-now Backup ${name} has not finished` };
}
