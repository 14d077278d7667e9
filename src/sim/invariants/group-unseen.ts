/**
 * Invariant 10 for two Backups of a schedule group started by syncs that could not see each other's: the later request
 * showed neither the other's Backup nor the status naming it, because the cache lag hid them or because they were
 * stored after it was built (the syncs ran at once: Metacontroller's workers). The hook is designed for that (README
 * "Schedule groups", `core/group-gate.ts`, `core/group-turn.ts`): of two siblings due together, the one whose turn comes
 * first goes first and the other waits, for a grace from when the first could start and then, the first past that
 * turn, one more grace from when the other first saw it overdue. Turns go by due slot, then by name: a schedule waits
 * for a sibling its request shows due at a slot earlier than its own (the slot its sync plans), or at the same slot
 * with a name that sorts first; a schedule with no slot of its own to plan (a backup-now Backup) waits for a due
 * sibling whose name sorts first. Each of the two is judged, from its own request, as the one that may have had to
 * wait for the other: one of them should have, unless for each the design says otherwise:
 * - its request did not show it in its group (its customize answer predates its label: GroupNotVisible);
 * - the other's Backup is not a slot (a backup-now Backup): siblings take turns for due slots only;
 * - its request showed the other not due (its slot as the other would plan it from that view, with the core's
 *   planning: not yet, or the clock stepped back; missed under `startingDeadlineSeconds`; paused; or its Backup shown):
 *   turns are for what the view shows due, and a view of the other's status older or newer than the other's own may
 *   plan another slot (README: "a sibling whose view of its own status differs from this one's (it may plan another
 *   slot) ... can let two Backups of a group start together");
 * - the other's turn comes after its own: the other's due slot is later than its own, or the same with a name that
 *   sorts after; or, with no slot of its own, the other's name sorts after;
 * - the other had both turns: its turn had ended by this one's clock (a grace after its slot or after the last
 *   finish of a Backup of the group in the view, a finish more than a grace ahead of the clock not believed) and this
 *   one's `status.groupTurn` recorded the other's extra turn for that slot, seen after that turn ended, a grace or more
 *   before, or had moved on to a sibling after it in the order of turns (once each: "one that never starts holds the
 *   group back only once"). A record seen before the turn ended (kept in a stale status from before the group was last
 *   freed) excuses nothing: the hook drops it when the sibling is no longer overdue, and the sibling overdue again
 *   gets a new extra turn.
 * The oracle works the slots out itself, with the core's planning (planSlot, lastBackupOf, watermarkOf), and never asks
 * `core/group-gate.ts` what to do.
 */

import { finishedAt, isLogBackup } from '../../core/backup-state.js';
import { SCHEDULE_RELATED_TYPE } from '../../core/group.js';
import { groupTurnOf } from '../../core/group-turn.js';
import { lastBackupOf, watermarkOf } from '../../core/last-backup.js';
import { BACKUP_CHILD_TYPE, SCHEDULE_LABEL, backupName, slotFromBackupName } from '../../core/names.js';
import { compareNames, observeChildren } from '../../core/observe.js';
import type { SnapshotBackup } from '../../core/observe.js';
import { planSlot } from '../../core/schedule-edit.js';
import { isObject, readSpec } from '../../core/spec.js';
import { formatTime } from '../../core/time.js';
import type { BackupSchedule, BackupScheduleStatus, ChildMap, KubeObject, SyncRequest } from '../../core/types.js';

/** A Backup and the sync that created it: its schedule, its request and the hook's clock when it answered. */
export interface Creation {
  backup: string;
  schedule: string;
  request: SyncRequest;
  /** When the request was built, and the hook's clock when it answered. */
  calledAt: number;
  hookNow: number;
  /** Whether its request's related schedules held it with its group label (else the hook did not see its group). */
  seesGroup: boolean;
}

/**
 * unseenStartExcuse tells why the design does not promise that one of two Backups of a group whose syncs could not see
 * each other's waits for the other, or returns null when it does: then that one should have waited (either order of
 * `a` and `b` gives the same answer).
 */
export function unseenStartExcuse(a: Creation, b: Creation, options: { graceMs: number }): string | null {
  const [first, later] = compareNames(a.schedule, b.schedule) <= 0 ? [a, b] : [b, a];
  const excuses: string[] = [];
  for (const [waiter, other] of [[later, first], [first, later]] as const) {
    const excuse = waitExcuse(waiter, other, options);
    if (excuse === null) return null;
    excuses.push(excuse);
  }
  return excuses.join('; ');
}

/** waitExcuse tells why the design does not make `waiter` wait for `other`, from `waiter`'s request, or null when it does. */
function waitExcuse(waiter: Creation, other: Creation, options: { graceMs: number }): string | null {
  if (!waiter.seesGroup) return `${waiter.schedule}'s request did not show it in its group (GroupNotVisible)`;
  if (slotFromBackupName(other.schedule, other.backup) === null) return `${other.backup} is not a slot of ${other.schedule} (turns are for due slots)`;
  const namespace = waiter.request.parent.metadata.namespace ?? '';
  const seen = waiter.request.related?.[SCHEDULE_RELATED_TYPE]?.[`${namespace}/${other.schedule}`];
  if (seen === undefined) return `${waiter.schedule}'s request did not show ${other.schedule}`;
  const slot = dueSlotIn(seen, { request: waiter.request, now: waiter.hookNow });
  if (slot === null) {
    return `${waiter.schedule}'s request showed no due slot of ${other.schedule} by the hook's clock (${formatTime(waiter.hookNow)}): not yet, missed, paused, or planned from another status`;
  }
  const own = ownSlotIn(waiter.request, waiter.hookNow);
  const nameAfter = compareNames(other.schedule, waiter.schedule) > 0;
  if (own === null && nameAfter) return `${waiter.schedule} had no slot of its own to plan, and ${other.schedule} sorts after it (by name)`;
  if (own !== null && (slot > own || (slot === own && nameAfter))) {
    return `${other.schedule}'s turn (due ${formatTime(slot)}) comes after ${waiter.schedule}'s (due ${formatTime(own)}) in ${waiter.schedule}'s request`;
  }
  const ended = turnEnd(slot, { request: waiter.request, now: waiter.hookNow, graceMs: options.graceMs });
  if (waiter.hookNow >= ended) {
    const status: BackupScheduleStatus = isObject(waiter.request.parent.status) ? waiter.request.parent.status : {};
    const turn = groupTurnOf(status);
    // An extra turn is one more grace from when this schedule first saw the sibling overdue, past its turn: a record
    // older than the end of that turn (kept from before the group was last freed, in a stale status) is not one.
    if (turn === null || turn.seenAt < ended) return null;
    if (turn.schedule === other.schedule && turn.slot === slot && turn.seenAt + options.graceMs <= waiter.hookNow) {
      return `${other.schedule} had its turn and its extra turn for ${formatTime(slot)} (${waiter.schedule}'s status.groupTurn since ${formatTime(turn.seenAt)})`;
    }
    // Extra turns go one at a time by due slot, then by name: a record of a sibling after this one has passed it.
    if (turn.slot > slot || (turn.slot === slot && compareNames(turn.schedule, other.schedule) > 0)) {
      return `${other.schedule}'s turn had ended and ${waiter.schedule}'s extra turns had moved on to ${turn.schedule} (status.groupTurn)`;
    }
  }
  return null;
}

/**
 * ownSlotIn is the slot a request's schedule plans for itself (valid spec, the missed-run rules, the core's planning:
 * its last Backup from its status and its Backups in the request), or null: a schedule with no slot of its own to plan
 * takes turns by name.
 */
function ownSlotIn(request: SyncRequest, now: number): number | null {
  return plannedSlot(request.parent, { backups: request.children[BACKUP_CHILD_TYPE] ?? {}, now });
}

/**
 * dueSlotIn is the slot a request shows a sibling due for, as the sibling would plan it from that view (valid spec, not
 * paused, the missed-run rules, the core's planning) and without its Backup in the view; else null. This is the design's
 * "due": the hook gives turns to what its view shows due, and a sibling that plans from another status may differ.
 */
function dueSlotIn(sibling: KubeObject, options: { request: SyncRequest; now: number }): number | null {
  const read = readSpec(sibling as BackupSchedule);
  if (!read.ok || read.spec.pause) return null;
  const name = sibling.metadata?.name ?? '';
  const related = options.request.related?.[BACKUP_CHILD_TYPE] ?? {};
  const own = Object.fromEntries(Object.entries(related).filter(([, backup]) => backup.metadata?.labels?.[SCHEDULE_LABEL] === name));
  const slot = plannedSlot(sibling as BackupSchedule, { backups: own, now: options.now });
  if (slot === null) return null;
  return Object.values(related).some((backup) => backup.metadata?.name === backupName(name, slot)) ? null : slot;
}

/** plannedSlot is the slot a schedule plans from its status and its `backups` (the core's planning), or null; null too for an invalid spec. */
function plannedSlot(schedule: BackupSchedule, options: { backups: ChildMap; now: number }): number | null {
  const read = readSpec(schedule);
  if (!read.ok) return null;
  const snapshots = observeChildren(schedule, { [BACKUP_CHILD_TYPE]: options.backups }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
  const status: BackupScheduleStatus = isObject(schedule.status) ? schedule.status : {};
  const watermark = watermarkOf(lastBackupOf(status, snapshots), { status, creationTimestamp: schedule.metadata.creationTimestamp });
  return planSlot(status, { spec: read.spec, now: options.now, watermark }).slot;
}

/**
 * turnEnd is when a due sibling's turn ends: a grace after its slot or after the last finish of the group's Backups in
 * the view, whichever is later (a finish more than a grace ahead of the clock is not believed).
 */
function turnEnd(slot: number, options: { request: SyncRequest; now: number; graceMs: number }): number {
  const namespace = options.request.parent.metadata.namespace ?? '';
  let freed: number | null = null;
  for (const backup of Object.values(options.request.related?.[BACKUP_CHILD_TYPE] ?? {})) {
    if (backup.metadata?.namespace !== namespace || isLogBackup(backup)) continue;
    const finished = finishedAt(backup);
    if (finished !== null && (freed === null || finished > freed)) freed = finished;
  }
  const believed = freed !== null && freed <= options.now + options.graceMs ? freed : slot;
  return Math.max(slot, believed) + options.graceMs;
}
