/**
 * Answer: the status this hook adds to upstream's: `scheduleHash`, `scheduleEditSeenAt`, `lastMissedTime`, `lastBackupNow`, `backupNowRequest`, `groupTurn`
 * (and drops the invalid spec's `pausedBeforeInvalidSpec`), and
 * one condition per finding (MissedSchedule, BackupStuck, DeletionStuck, BackupNow, GroupNotVisible), never in Ready.
 * A schedule that never had a finding gets none of them written: its status stays as the core writes it.
 */

import { BACKUP_NOW_CONDITION, backupNowFinding, backupNowResolved, lastBackupNowRecord, withLegacyAskedAt } from './backup-now.js';
import type { BackupNowFacts, BackupNowView } from './backup-now.js';
import { GROUP_NOT_VISIBLE_CONDITION } from './group.js';
import { groupTurnStatus } from './group-turn.js';
import type { GroupTurn } from './group-turn.js';
import type { Gate } from './gate.js';
import type { ObservedBackup } from './observe.js';
import { EDIT_SEEN_AT, MISSED_CONDITION, MISSED_RESOLVED, PAUSED_BEFORE_INVALID_SPEC, missedFinding } from './schedule-edit.js';
import type { SlotPlan } from './schedule-edit.js';
import type { ScheduleSpec } from './spec.js';
import { sameInstantOr, withFindings } from './status.js';
import type { Finding } from './status.js';
import {
  BACKUP_STUCK_CONDITION,
  BACKUP_STUCK_RESOLVED,
  DELETION_STUCK_CONDITION,
  DELETION_STUCK_RESOLVED,
  backupStuckFinding,
  deletionStuckFinding,
} from './stuck.js';
import type { StuckReport } from './stuck.js';
import { formatTime } from './time.js';
import type { BackupScheduleStatus } from './types.js';

/** What the sync decided about the extension features. */
export interface ExtensionFacts {
  now: number;
  spec: ScheduleSpec;
  plan: SlotPlan;
  /** `status.lastBackupTime` after this sync (epoch ms), or null. */
  lastBackupTime: number | null;
  /** The gate that held a slot missed now by its starting deadline, else the combined gate of this sync (MissedSchedule says it). */
  gate: Gate;
  stuck: StuckReport;
  deletionStuck: { report: StuckReport; afterMs: number };
  /** With the Backups and when a sync first saw the pending request (null when none is pending). */
  backupNow: BackupNowFacts & { backups: ReadonlyMap<string, ObservedBackup>; seenAt: number | null; staleViewGraceMs: number };
  /** A schedule of a group missing from its related objects ({@link groupNotVisibleFinding}), or null; with what it says once resolved. */
  groupNotVisible: { active: Finding | null; resolved: Finding };
  /** The overdue sibling of the group given its extra turn, or null ({@link decideOverdueTurn}). */
  groupTurn: GroupTurn | null;
}

/** withExtensionStatus adds this hook's status fields and finding conditions to the status the core built. */
export function withExtensionStatus(status: BackupScheduleStatus, previous: BackupScheduleStatus, facts: ExtensionFacts): BackupScheduleStatus {
  const { plan, spec, backupNow } = facts;
  const view: BackupNowView = { backups: backupNow.backups, now: facts.now, staleViewGraceMs: backupNow.staleViewGraceMs };
  const next: BackupScheduleStatus = { ...status };
  next.scheduleHash = plan.scheduleHash;
  if (plan.editSeenAt !== null) next[EDIT_SEEN_AT] = sameInstantOr(previous[EDIT_SEEN_AT], plan.editSeenAt);
  else delete next[EDIT_SEEN_AT];
  if (plan.lastMissedTime !== null) next.lastMissedTime = sameInstantOr(previous.lastMissedTime, plan.lastMissedTime);
  // A valid spec: the slot plan has read it, and Ready says again whether the schedule is paused.
  delete next[PAUSED_BEFORE_INVALID_SPEC];
  const record = lastBackupNowRecord(previous, { ...backupNow, now: facts.now });
  if (record !== undefined) next.lastBackupNow = record;
  const waiting = backupNow.decision.waiting;
  if (waiting !== null && backupNow.seenAt !== null) {
    next['backupNowRequest'] = { token: waiting, seenAt: formatTime(backupNow.seenAt) };
  } else {
    // Served (lastBackupNow records it) or withdrawn: nothing is pending.
    delete next['backupNowRequest'];
  }
  if (facts.groupTurn !== null) next['groupTurn'] = groupTurnStatus(facts.groupTurn);
  else delete next['groupTurn'];
  const written = withFindings(next, facts.now, [
    { type: MISSED_CONDITION, active: missedFinding(previous, { plan, spec, lastBackupTime: facts.lastBackupTime, gate: facts.gate }), resolved: MISSED_RESOLVED },
    { type: BACKUP_STUCK_CONDITION, active: backupStuckFinding(facts.stuck, spec.backupTimeout?.text ?? ''), resolved: BACKUP_STUCK_RESOLVED },
    {
      type: DELETION_STUCK_CONDITION,
      active: deletionStuckFinding(facts.deletionStuck.report, facts.deletionStuck.afterMs),
      resolved: DELETION_STUCK_RESOLVED,
    },
    { type: BACKUP_NOW_CONDITION, active: backupNowFinding(backupNow), resolved: backupNowResolved(backupNow.state, view) },
    { type: GROUP_NOT_VISIBLE_CONDITION, ...facts.groupNotVisible },
  ]);
  // A record an older version wrote: the condition just rewritten may have been the only trace of when it was asked for.
  return withLegacyAskedAt(written, previous, view);
}
