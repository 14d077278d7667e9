/** Answer: the parent's whole status (Metacontroller replaces it), carried forward and only moved forward. */

import { completionTime } from './backup-state.js';
import { slotFromBackupName } from './names.js';
import { newestFirst } from './retention.js';
import { formatTime, parseTime } from './time.js';
import { LAST_BACKUP_CREATION, recordedCreationText } from './last-backup.js';
import type { LastBackup } from './last-backup.js';
import type { SnapshotBackup } from './observe.js';
import type { BackupScheduleStatus, Condition } from './types.js';

/** Reasons of the `Ready` condition, in order of precedence. */
export type ReadyReason = 'InvalidSpec' | 'Paused' | 'WaitingForPreviousBackup' | 'Scheduled';

/** The `Ready` condition the hook means to report. */
export interface Ready {
  reason: ReadyReason;
  message: string;
}

/** What the sync found, to be written into status. */
export interface StatusFacts {
  now: number;
  last: LastBackup;
  /** The next tick after now, or null while paused or invalid. */
  nextBackupTime: number | null;
  ready: Ready;
  /** Further status fields other decisions set (log backup, compaction). */
  fields?: Readonly<Record<string, string>>;
  /** Conditions of their own type that other decisions report (e.g. LogBackupMissing). */
  conditions?: ReadonlyArray<{ type: string; status: 'True' | 'False'; reason: string; message: string }>;
}

/** buildStatus carries every field of the previous status forward and sets the fields the hook owns. */
export function buildStatus(previous: BackupScheduleStatus, facts: StatusFacts): BackupScheduleStatus {
  const status: BackupScheduleStatus = { ...previous };
  delete status.nextBackupTime;
  const { last } = facts;
  if (last.name !== null) status.lastBackup = last.name;
  if (last.time !== null) status.lastBackupTime = sameInstantOr(previous.lastBackupTime, last.time);
  if (last.name !== null && last.createdAt !== null) {
    status[LAST_BACKUP_CREATION] = { name: last.name, time: sameInstantOr(recordedCreationText(previous, last.name), last.createdAt) };
  } else {
    delete status[LAST_BACKUP_CREATION];
  }
  if (facts.nextBackupTime !== null) status.nextBackupTime = formatTime(facts.nextBackupTime);
  Object.assign(status, facts.fields ?? {});
  let conditions = setCondition(previous.conditions, {
    type: 'Ready',
    status: facts.ready.reason === 'InvalidSpec' ? 'False' : 'True',
    reason: facts.ready.reason,
    message: facts.ready.message,
    now: facts.now,
  });
  for (const condition of facts.conditions ?? []) conditions = setCondition(conditions, { ...condition, now: facts.now });
  status.conditions = conditions;
  return status;
}

/** withLastSuccessful sets `lastSuccessfulBackup`/`lastSuccessfulTime` from the Complete Backup with the newest slot, never moving back. */
export function withLastSuccessful(
  status: BackupScheduleStatus,
  options: { scheduleName: string; snapshots: readonly SnapshotBackup[] },
): BackupScheduleStatus {
  const candidate = newestFirst(options.snapshots.filter((b) => b.state === 'complete'))[0];
  if (candidate === undefined) return status;
  const recorded = status.lastSuccessfulBackup;
  if (typeof recorded === 'string' && recorded !== '' && recorded !== candidate.name) {
    // In the view, its slot as observed (a backup-now Backup's is its creation, not its completion); else its name's.
    const recordedSlot =
      options.snapshots.find((b) => b.name === recorded)?.slot ?? slotFromBackupName(options.scheduleName, recorded) ?? parseTime(status.lastSuccessfulTime);
    if (recordedSlot !== null && recordedSlot > candidate.slot) return status;
  }
  const completed = completionTime(candidate.object);
  const next: BackupScheduleStatus = { ...status, lastSuccessfulBackup: candidate.name };
  if (completed !== null) next.lastSuccessfulTime = completed;
  else delete next.lastSuccessfulTime;
  return next;
}

/** sameInstantOr keeps a recorded time's text when it names the same instant (so status does not churn), else formats it. */
export function sameInstantOr(previous: unknown, instant: number): string {
  return typeof previous === 'string' && parseTime(previous) === instant ? previous : formatTime(instant);
}

/** The condition to set, with the instant of this sync. */
interface ConditionUpdate {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  now: number;
}

/**
 * setCondition replaces the condition of `update.type`, keeping other conditions as they were. Its
 * lastTransitionTime is this sync's instant when status or reason changed, else carried forward.
 */
export function setCondition(conditions: unknown, update: ConditionUpdate): Condition[] {
  const list = Array.isArray(conditions) ? conditions.filter(isConditionLike) : [];
  const previous = list.find((c) => c.type === update.type);
  const unchanged = previous !== undefined && previous.status === update.status && previous.reason === update.reason;
  const lastTransitionTime =
    unchanged && typeof previous.lastTransitionTime === 'string' ? previous.lastTransitionTime : formatTime(update.now);
  const condition: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime,
  };
  return previous === undefined ? [...list, condition] : list.map((c) => (c === previous ? condition : c));
}

function isConditionLike(value: unknown): value is Condition {
  return typeof value === 'object' && value !== null && typeof (value as Condition).type === 'string';
}

/** A finding reported in a condition of its own type (never in Ready). */
export interface Finding {
  reason: string;
  message: string;
}

/** What {@link reportCondition} writes for one condition type. */
export interface ConditionReport {
  type: string;
  /** The finding while it holds (status True), or null. */
  active: Finding | null;
  /** What a condition that was True says once the finding is gone (status False). */
  resolved: Finding;
  now: number;
}

/**
 * reportCondition sets a finding's condition: True while it holds, False once it held; a condition that
 * never held is not written, so a schedule that never had the finding keeps exactly its old status.
 */
export function reportCondition(conditions: Condition[], report: ConditionReport): Condition[] {
  const present = conditions.some((c) => c.type === report.type);
  if (report.active === null && !present) return conditions;
  const finding = report.active ?? report.resolved;
  const status = report.active === null ? 'False' : 'True';
  return setCondition(conditions, { type: report.type, status, ...finding, now: report.now });
}

/** withFindings writes the conditions of several findings (see {@link reportCondition}), in the order given. */
export function withFindings(status: BackupScheduleStatus, now: number, reports: ReadonlyArray<Omit<ConditionReport, 'now'>>): BackupScheduleStatus {
  let conditions = Array.isArray(status.conditions) ? status.conditions : [];
  for (const report of reports) conditions = reportCondition(conditions, { ...report, now });
  return conditions === status.conditions ? status : { ...status, conditions };
}

/** conditionOf returns the status condition of a type, or undefined. */
export function conditionOf(status: BackupScheduleStatus, type: string): Condition | undefined {
  const conditions = status.conditions;
  return Array.isArray(conditions) ? conditions.find((c) => isConditionLike(c) && c.type === type) : undefined;
}
