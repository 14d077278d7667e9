/**
 * Invariant 10 for two Backups of a schedule group started by syncs that could not see each other's: the later request
 * showed neither the other's Backup nor the status naming it, because the cache lag hid them or because they were
 * stored after it was built (the syncs ran at once: Metacontroller's workers). The hook is designed for that (README
 * "Schedule groups", `core/group.ts`, `core/group-turn.ts`): of two siblings due together, the one whose name sorts
 * first goes first and the other waits, for a grace from when the first could start and then, the first past that
 * turn, one more grace from when the other first saw it overdue. So the one whose name sorts later should have waited
 * for the other, unless the design says otherwise:
 * - its request did not show it in its group (its customize answer predates its label: GroupNotVisible);
 * - the first's Backup is not a slot (a backup-now Backup): siblings take turns for due slots only;
 * - its request showed the first schedule not due (its slot as the first would plan it from that view, with the core's
 *   planning: not yet, or the clock stepped back; missed under `startingDeadlineSeconds`; paused; or its Backup shown):
 *   turns are for what the view shows due, and a view of the first's status older or newer than the first's own may
 *   plan another slot (README: "a sibling whose view of its own status differs from this one's (it may plan another
 *   slot) ... can let two Backups of a group start together");
 * - the first had both turns: its turn had ended by the later one's clock (a grace after its slot or after the last
 *   finish of a Backup of the group in the view, a finish more than a grace ahead of the clock not believed) and the
 *   later one's `status.groupTurn` recorded its extra turn for that slot, seen after that turn ended, a grace or more
 *   before, or had moved on to a sibling after it (once each: "one that never starts holds the group back only once");
 *   and the first, going first, never waits for a sibling it cannot see. A record seen before the turn ended (kept in
 *   a stale status from before the group was last freed) excuses nothing: the hook drops it when the sibling is no
 *   longer overdue, and the sibling overdue again gets a new extra turn.
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
import type { BackupSchedule, BackupScheduleStatus, KubeObject, SyncRequest } from '../../core/types.js';

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
 * each other's waits for the other, or returns null when it does: then the one whose schedule sorts later should have.
 */
export function unseenStartExcuse(a: Creation, b: Creation, options: { graceMs: number }): string | null {
  const [first, later] = compareNames(a.schedule, b.schedule) <= 0 ? [a, b] : [b, a];
  if (!later.seesGroup) return `${later.schedule}'s request did not show it in its group (GroupNotVisible)`;
  if (slotFromBackupName(first.schedule, first.backup) === null) return `${first.backup} is not a slot of ${first.schedule} (turns are for due slots)`;
  const namespace = first.request.parent.metadata.namespace ?? '';
  const seen = later.request.related?.[SCHEDULE_RELATED_TYPE]?.[`${namespace}/${first.schedule}`];
  if (seen === undefined) return `${later.schedule}'s request did not show ${first.schedule}`;
  const slot = dueSlotIn(seen, { request: later.request, now: later.hookNow });
  if (slot === null) {
    return `${later.schedule}'s request showed no due slot of ${first.schedule} by the hook's clock (${formatTime(later.hookNow)}): not yet, missed, paused, or planned from another status`;
  }
  const ended = turnEnd(slot, { request: later.request, now: later.hookNow, graceMs: options.graceMs });
  if (later.hookNow >= ended) {
    const status: BackupScheduleStatus = isObject(later.request.parent.status) ? later.request.parent.status : {};
    const turn = groupTurnOf(status);
    // An extra turn is one more grace from when this schedule first saw the sibling overdue, past its turn: a record
    // older than the end of that turn (kept from before the group was last freed, in a stale status) is not one.
    if (turn === null || turn.seenAt < ended) return null;
    if (turn.schedule === first.schedule && turn.slot === slot && turn.seenAt + options.graceMs <= later.hookNow) {
      return `${first.schedule} had its turn and its extra turn for ${formatTime(slot)} (${later.schedule}'s status.groupTurn since ${formatTime(turn.seenAt)})`;
    }
    if (compareNames(turn.schedule, first.schedule) > 0) {
      return `${first.schedule}'s turn had ended and ${later.schedule}'s extra turns had moved on to ${turn.schedule} (status.groupTurn)`;
    }
  }
  return null;
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
  const snapshots = observeChildren(sibling as BackupSchedule, { [BACKUP_CHILD_TYPE]: own }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
  const status: BackupScheduleStatus = isObject(sibling.status) ? sibling.status : {};
  const watermark = watermarkOf(lastBackupOf(status, snapshots), { status, creationTimestamp: sibling.metadata?.creationTimestamp });
  const slot = planSlot(status, { spec: read.spec, now: options.now, watermark }).slot;
  if (slot === null) return null;
  return Object.values(related).some((backup) => backup.metadata?.name === backupName(name, slot)) ? null : slot;
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
