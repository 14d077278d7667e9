/**
 * The gate of a schedule group (group.ts): a due slot waits while a sibling's last Backup may run. The hook sees its
 * siblings through Metacontroller's related resources. Upstream's check reads only the siblings' statuses ("the check
 * is not safe in fact"); here a sibling's last Backup is judged as the schedule's own (a newer one in the view than its
 * status names counts, one its status names but the view lacks counts as running for the stale-view grace), and
 * schedules due at the same time take turns by due slot, then by name, with one more turn for a sibling past its own
 * (group-turn.ts). Still best effort: views older than the grace, or views that plan a sibling another slot than its
 * own sync does, can let two start. Every change the group's clock brings to what the answer shows is a call-back: the
 * group is judged again at its siblings' instants (ticks, deadlines, ends of waits and turns) and the first that
 * changes the decision is asked for ({@link firstChange}).
 */

import { backupNowAskedAt, lastBackupNowOf } from './backup-now.js';
import { finishedAt, isLogBackup, snapshotState } from './backup-state.js';
import { inFlightUntil } from './gate.js';
import type { Gate } from './gate.js';
import { GROUP_LABEL, SCHEDULE_RELATED_TYPE, groupOf } from './group.js';
import { compareTurns, decideOverdueTurn } from './group-turn.js';
import type { GroupTurn, OverdueSibling } from './group-turn.js';
import { lastBackupOf, watermarkOf } from './last-backup.js';
import type { LastBackup } from './last-backup.js';
import { BACKUP_CHILD_TYPE, SCHEDULE_LABEL, backupName } from './names.js';
import { compareNames, observeChildren } from './observe.js';
import type { SnapshotBackup } from './observe.js';
import { missedFrom } from './quiet.js';
import { nextTick } from './schedule.js';
import { planSlot } from './schedule-edit.js';
import { isObject, readSpec } from './spec.js';
import type { ReadSpecResult } from './spec.js';
import { stuckFrom } from './stuck.js';
import { earliest, formatTime } from './time.js';
import type { BackupSchedule, BackupScheduleStatus, ChildMap, KubeObject } from './types.js';

/** The clock the group is judged by (part of the options of {@link decideGroupGate}). */
export interface GroupGateOptions {
  now: number;
  /** How long after it was asked for a sibling's last Backup missing from the view still counts as running. */
  staleViewGraceMs: number;
}

/** What the group decides for a schedule: its gate, and the overdue sibling's turn to record ({@link decideOverdueTurn}). */
export interface GroupDecision {
  gate: Gate;
  /** `status.groupTurn` after this sync, or null (none is given now). */
  turn: GroupTurn | null;
  /**
   * The first instant after now, and before the gate's own `until`, at which the decision changes by time alone (the
   * view and the turn recorded as this one: what the next sync is sent), or null: a turn that ends before the longest
   * wait, a sibling's next tick or starting deadline that changes whose turn comes first. The answer asks to be called
   * back then.
   */
  changesAt: number | null;
}

/** Options of {@link decideGroupGate}: the clock, the turn recorded in this schedule's status and its due slot. */
export interface GroupDecisionOptions extends GroupGateOptions {
  recorded: GroupTurn | null;
  /** This schedule's due slot as its sync plans it (next-backup.ts, `plan.slot`), or null. */
  slot: number | null;
  /** What of the gate the answer shows ({@link GroupGateShows}): only its changes are call-backs. */
  gateShows: GroupGateShows;
}

/**
 * What of the group's gate a schedule's answer shows: `message`, the whole gate (a due slot waits for it); `open`, only
 * whether it is open (a backup-now request waits for it); `nothing` (nothing would start, or an earlier gate speaks).
 * The turn it records always shows.
 */
export type GroupGateShows = 'message' | 'open' | 'nothing';

/**
 * decideGroupGate closes while a sibling schedule's last Backup (or last backup-now Backup) may run: it exists, is not
 * finished (Complete, Failed or Invalid), is not being deleted and is not stuck past the sibling's own
 * `spec.backupTimeout` (which no longer holds the sibling itself, stuck.ts). The last is the one its status names, or a
 * newer one of its Backups in the view ({@link lastBackupOf}). One the sibling's status names but the view lacks counts as running until a
 * stale-view grace after it was asked for, as the schedule's own last Backup does: the sibling's status and its Backups
 * reach Metacontroller through different informers, so either may arrive first. Older, it is gone (upstream's NotFound
 * passes). And a due sibling goes first when its due slot is earlier than this schedule's `slot`, or the same and its
 * name sorts first (by name alone when this schedule has no slot: {@link goesFirst}), with one more turn once past its
 * own ({@link decideOverdueTurn}, from the turn `recorded` in this schedule's status). Open without a group or related
 * objects. With the decision, the first instant it changes by time alone ({@link GroupDecision.changesAt}).
 */
export function decideGroupGate(parent: BackupSchedule, related: Record<string, ChildMap> | undefined, options: GroupDecisionOptions): GroupDecision {
  const group = groupOf(parent);
  if (group === null || related === undefined) return { gate: { open: true }, turn: null, changesAt: null };
  const world = groupWorld(parent, { related, group });
  const judged = judgeGroup(world, options);
  return { gate: judged.gate, turn: judged.turn, changesAt: firstChange(world, { ...options, judged }) };
}

/** The group as the view shows it, whatever the clock: the group's Backups, when one last finished, and the siblings. */
interface GroupWorld {
  group: string;
  scheduleName: string;
  backups: ReadonlyMap<string, KubeObject>;
  /** When the last of the group's Backups in the view finished (the group, or a schedule of it, was last freed), or null. */
  freedAt: number | null;
  /** The siblings in key order: the related map's own order is Metacontroller's choice, and the answer names the first that blocks. */
  siblings: readonly Sibling[];
}

/** A sibling schedule as its own sync would read it: its spec, status, and last scheduled Backup. */
interface Sibling {
  name: string;
  object: KubeObject;
  status: BackupScheduleStatus;
  /** Its spec, read once per sync. */
  read: ReadSpecResult;
  /**
   * Its last scheduled Backup as the sibling would judge it: the one its status names, or a newer one in the view (its
   * status not yet written or not yet in the cache).
   */
  last: LastBackup;
}

/** groupWorld reads the group's Backups and siblings in this schedule's namespace once per sync. */
function groupWorld(parent: BackupSchedule, facts: { related: Record<string, ChildMap>; group: string }): GroupWorld {
  const { related, group } = facts;
  // A group lives in one namespace, as upstream's: objects of another (a customize hook of version v2 selects by label
  // in every namespace) are not siblings, and their names would collide with this namespace's.
  const here = (object: KubeObject): boolean => object.metadata?.namespace === parent.metadata.namespace;
  const backups = new Map<string, KubeObject>();
  const bySchedule = new Map<string, ChildMap>();
  let freedAt: number | null = null;
  for (const backup of inKeyOrder(related[BACKUP_CHILD_TYPE])) {
    const name = backup.metadata?.name;
    if (typeof name !== 'string' || !here(backup)) continue;
    backups.set(name, backup);
    const finished = isLogBackup(backup) ? null : finishedAt(backup);
    if (finished !== null && (freedAt === null || finished > freedAt)) freedAt = finished;
    const owner = backup.metadata?.labels?.[SCHEDULE_LABEL];
    if (typeof owner !== 'string') continue;
    const own = bySchedule.get(owner) ?? {};
    own[name] = backup;
    bySchedule.set(owner, own);
  }
  const scheduleName = parent.metadata.name ?? '';
  const siblings: Sibling[] = [];
  for (const object of inKeyOrder(related[SCHEDULE_RELATED_TYPE])) {
    if (!here(object) || object.metadata?.name === scheduleName || object.metadata?.labels?.[GROUP_LABEL] !== group) continue;
    const status: BackupScheduleStatus = isObject(object.status) ? object.status : {};
    const last = lastBackupOf(status, snapshotsOf(object, bySchedule));
    siblings.push({ name: object.metadata?.name ?? '', object, status, read: readSpec(object as BackupSchedule), last });
  }
  return { group, scheduleName, backups, freedAt, siblings };
}

/** The group's decision at one instant, and the instants after which it may change by time alone. */
interface GroupJudgement {
  gate: Gate;
  turn: GroupTurn | null;
  /** Instants at which some sibling's judgement may change (a wait's end, a tick, a deadline): where to look for a change. */
  candidates: number[];
}

/** judgeGroup decides the group's gate and turn at `options.now` ({@link decideGroupGate}). */
function judgeGroup(world: GroupWorld, options: GroupDecisionOptions): GroupJudgement {
  const { now, staleViewGraceMs } = options;
  const view: GroupView = { ...world, now, staleViewGraceMs, scheduleSlot: options.slot };
  let gate: Gate = { open: true };
  // A finish more than a grace ahead of the clock is believed from a grace before it ({@link believed}): a change too.
  const candidates: number[] = world.freedAt === null ? [] : [world.freedAt - staleViewGraceMs];
  const overdue: OverdueSibling[] = [];
  for (const sibling of world.siblings) {
    const judged = siblingGate(sibling, view);
    // Running: only its stuck instant, if any, ends it; nothing else of the group matters meanwhile.
    if (judged.running === true) return { gate: judged.gate, turn: null, candidates: judged.changes };
    if (judged.overdue !== null) overdue.push(judged.overdue);
    candidates.push(...judged.changes);
    const verdict = judged.gate;
    if (!verdict.open && verdict.until !== null) gate = waitLonger(gate, { until: verdict.until, message: verdict.message });
  }
  const turn = decideOverdueTurn(overdue, { now, staleViewGraceMs, recorded: options.recorded });
  if (turn.record === null || turn.until === null) return { gate, turn: turn.record, candidates };
  candidates.push(turn.until);
  const message =
    `schedule ${turn.record.schedule} in group ${world.group} is overdue (slot ${formatTime(turn.record.slot)}) and goes first; its Backup ` +
    `is not in the view yet, waiting until ${formatTime(turn.until)} (a stale-view grace from when this schedule first saw it overdue)`;
  return { gate: waitLonger(gate, { until: turn.until, message }), turn: turn.record, candidates };
}

/** Judgements of the group at later instants one sync makes at most, looking for the first change ({@link firstChange}). */
const LOOKAHEAD_JUDGEMENTS = 16;

/**
 * firstChange is the first instant after now and before the gate's `until` (a call-back of its own) at which the group
 * judges otherwise, the view and the recorded turn as the next sync is sent them; or null. Only what the answer shows
 * of the gate counts (`gateShows`): with nothing of it shown, the first instant the turn changes, past the gate's end
 * too. It judges the group again at each candidate instant in turn, adding those each judgement names (a sibling that
 * becomes due at its tick has a turn that ends later). So only changes the answer shows are call-backs: a schedule beside a fast sibling is not called back
 * at every tick of it, only at one that changes whose turn comes first. After {@link LOOKAHEAD_JUDGEMENTS} instants
 * without a change, the last is the call-back: the sync then looks on from there.
 */
function firstChange(world: GroupWorld, options: GroupDecisionOptions & { judged: GroupJudgement }): number | null {
  const { judged, now, gateShows: shows } = options;
  // A gate the answer does not show is no call-back of its own: look past its end, at the turn alone.
  const horizon = shows === 'nothing' || judged.gate.open || judged.gate.until === null ? Infinity : judged.gate.until;
  const gateChanged = (gate: Gate): boolean => (shows === 'message' ? !sameGate(gate, judged.gate) : shows === 'open' && gate.open !== judged.gate.open);
  const pending = new Set<number>();
  const add = (instants: readonly number[], after: number): void => {
    for (const t of instants) if (t > after && t < horizon) pending.add(t);
  };
  add(judged.candidates, now);
  for (let judgements = 1; pending.size > 0; judgements++) {
    const at = Math.min(...pending);
    pending.delete(at);
    const later = judgeGroup(world, { ...options, now: at, recorded: judged.turn });
    if (gateChanged(later.gate) || !sameTurn(later.turn, judged.turn) || judgements >= LOOKAHEAD_JUDGEMENTS) return at;
    add(later.candidates, at);
  }
  return null;
}

/** sameGate tells whether two gates read alike: open, or closed with the same message and end. */
function sameGate(a: Gate, b: Gate): boolean {
  if (a.open || b.open) return a.open === b.open;
  return a.message === b.message && a.until === b.until && a.blocker === b.blocker;
}

/** sameTurn tells whether two recorded turns are written alike. */
function sameTurn(a: GroupTurn | null, b: GroupTurn | null): boolean {
  if (a === null || b === null) return a === b;
  return a.schedule === b.schedule && a.slot === b.slot && a.seenAt === b.seenAt && a.order === b.order;
}

/** What {@link siblingGate} judges a sibling by: the group's world but its siblings, this schedule's slot, the clock. */
interface GroupView extends Omit<GroupWorld, 'siblings'>, GroupGateOptions {
  /** This schedule's due slot, or null. */
  scheduleSlot: number | null;
}

/** How a sibling stands: its gate, and whether it is overdue (its turn ended before its Backup showed). */
interface SiblingJudgement {
  gate: Gate;
  overdue: OverdueSibling | null;
  /** Its last Backup runs (the gate is closed, until it counts as stuck if ever): no turn is given while it does. */
  running?: boolean;
  /** Instants at which its judgement may change by time alone: a wait's end, its next tick, its due slot's deadline, its last Backup's stuck instant. */
  changes: number[];
}

/** siblingGate judges one sibling: its last Backups running (closed), or in flight or its turn first (closed until a time). */
function siblingGate(sibling: Sibling, view: GroupView): SiblingJudgement {
  const { name: siblingName, status, read, last } = sibling;
  const of = `of schedule ${siblingName} in group ${view.group}`;
  // Its last scheduled Backup and its last backup-now Backup (which never becomes lastBackup), each with when it was
  // asked for.
  const lasts: Array<[name: string | null | undefined, askedAt: number | null]> = [
    [last.name, last.createdAt ?? last.time],
    [lastBackupNowOf(status)?.name, backupNowAskedAt(status)],
  ];
  let gate: Gate = { open: true };
  const changes: number[] = [];
  for (const [lastName, askedAt] of lasts) {
    if (typeof lastName !== 'string' || lastName === '') continue;
    const seen = view.backups.get(lastName);
    if (seen === undefined) {
      const until = inFlightUntil(believed(askedAt, view), view);
      // Asked for more than a grace ahead of the clock, it is believed from a grace before then.
      if (askedAt !== null) changes.push(askedAt - view.staleViewGraceMs);
      if (until === null) continue;
      changes.push(until);
      gate = waitLonger(gate, { until, message: `Backup ${lastName} ${of} is not in the view yet; it counts as running until ${formatTime(until)} (stale-view grace)` });
      continue;
    }
    if (seen.metadata?.deletionTimestamp != null) continue;
    // Upstream's group rule: Complete, or Scheduled and Failed. Failed alone also passes here, as for the schedule's own
    // gate, and so does Invalid (no job ever runs for it). So does one stuck past the sibling's own backupTimeout, judged
    // as its own sync judges it (its spec as the view shows it, this clock): it no longer holds its own schedule.
    if (snapshotState(seen) !== 'unfinished') continue;
    const stuckAt = stuckFrom(seen, timeoutOf(read));
    if (stuckAt !== null && stuckAt <= view.now) continue;
    // Until it counts as stuck, if ever: then the verdict changes by time alone, and the answer asks to be called back.
    const stuck = stuckAt === null ? '' : `; it counts as stuck from ${formatTime(stuckAt)} (the backupTimeout of schedule ${siblingName})`;
    const running: Gate = { open: false, message: `Backup ${lastName} ${of} is still running${stuck}`, until: stuckAt, blocker: null };
    return { gate: running, overdue: null, running: true, changes: stuckAt === null ? [] : [stuckAt] };
  }
  // Two schedules due at once, each synced before the other's Backup or status reaches the cache, would both start:
  // the one whose turn comes first goes first, and the others give it the grace to show its Backup.
  const plan = dueSlotOf(sibling, view);
  const due = plan.slot;
  // Its plan changes at its next tick or its slot's starting deadline. That matters while it goes first (it may stop),
  // or, to a schedule with no slot of its own (turns by name alone), when its name sorts first (it goes first whenever
  // due). Else it cannot: its next tick is after this schedule's slot.
  const first = goesFirst({ schedule: siblingName, slot: due }, view);
  if (first && plan.changesAt !== null) changes.push(plan.changesAt);
  if (due === null || !first) return { gate, overdue: null, changes };
  // Its turn lasts a grace from when it could start: its slot, or when a Backup of the group last finished (one of them
  // may have held it), whichever is later.
  const freed = believed(view.freedAt, view);
  const until = Math.max(due, freed ?? due) + view.staleViewGraceMs;
  if (view.now >= until) return { gate, overdue: { schedule: siblingName, slot: due, turnEndedAt: until }, changes };
  changes.push(until);
  const message = `schedule ${siblingName} in group ${view.group} is due (slot ${formatTime(due)}) and goes first; its Backup is not in the view yet, waiting until ${formatTime(until)} (stale-view grace)`;
  return { gate: waitLonger(gate, { until, message }), overdue: null, changes };
}

/**
 * goesFirst tells whether a due sibling goes before this schedule: its due slot is earlier than this schedule's, or the
 * same and its name sorts first ({@link compareTurns}). Each side plans the other's slot as the other's own sync does
 * (dueSlotOf: planSlot from the other's status and Backups in the view), so from the same view exactly one of two due
 * schedules goes first. Take B, whose slot is t, and A, whose name sorts first and whose slot is t+ε, ε less than the
 * cache's lag. B synced at t sees A not yet due (A's slot is after now, so planSlot gives A none) and starts. A synced
 * at t+ε, its view lacking B's Backup, sees B due at t < t+ε and waits a grace from max(t, when the group was last
 * freed) for B's Backup to show, then for it to finish. By name alone (the order before), A would not have waited for
 * B, and both would have run. B synced after t+ε too sees A due at t+ε, later than its own t, and does not wait for A.
 * Due at the same slot, the name decides, as before. With no slot of its own to plan (only a backup-now Backup is in
 * question, or its slot was missed), this schedule keeps the order before, by name alone, so that backup-now Backups
 * behave as they did: a due sibling whose name sorts first goes first, whatever its slot. A sibling not due (slot null)
 * goes first only by name alone: then it will whenever it is due.
 */
function goesFirst(sibling: { schedule: string; slot: number | null }, view: GroupView): boolean {
  if (view.scheduleSlot === null) return compareNames(sibling.schedule, view.scheduleName) < 0;
  return sibling.slot !== null && compareTurns({ schedule: sibling.schedule, slot: sibling.slot }, { schedule: view.scheduleName, slot: view.scheduleSlot }) < 0;
}

/** waitLonger returns the closed gate that opens later: `gate`, or one closed until `wait.until`. */
function waitLonger(gate: Gate, wait: { until: number; message: string }): Gate {
  if (!gate.open && gate.until !== null && gate.until >= wait.until) return gate;
  return { open: false, message: wait.message, until: wait.until, blocker: null };
}

/** A sibling's due slot as {@link dueSlotOf} plans it, and when that plan next changes by time alone. */
interface SiblingPlan {
  /** The slot it would start now, its Backup not in the view, or null. */
  slot: number | null;
  /**
   * Its next tick after now and after its watermark, or its due slot's starting deadline if sooner; null when neither
   * comes (invalid, paused, no tick).
   */
  changesAt: number | null;
}

/**
 * dueSlotOf is the slot a sibling would start now as its own sync would plan it from this view (valid spec, not paused,
 * the missed-run rules), when its Backup is not in the view; else null. With it, when that plan changes by time alone.
 */
function dueSlotOf(sibling: Sibling, view: GroupView): SiblingPlan {
  const { read, status, last } = sibling;
  const { now } = view;
  if (!read.ok || read.spec.pause) return { slot: null, changesAt: null };
  const { spec } = read;
  const watermark = watermarkOf(last, { status, creationTimestamp: sibling.object.metadata?.creationTimestamp });
  const plan = planSlot(status, { spec, now, watermark });
  // Ticks after the watermark are due: the next that can change the plan is the first after both it and now.
  const tick = plan.watermark === null ? null : nextTick(spec.schedule, { after: Math.max(now, plan.watermark), anchor: plan.watermark });
  const { slot } = plan;
  if (slot === null || view.backups.has(backupName(sibling.name, slot))) return { slot: null, changesAt: tick };
  return { slot, changesAt: earliest([tick, spec.startingDeadlineMs === null ? null : missedFrom(slot, spec.startingDeadlineMs)]) };
}

/** timeoutOf is a sibling's `spec.backupTimeout` in ms as its own sync reads it, or null (none, or an invalid spec: no stuck rule runs). */
function timeoutOf(read: ReadSpecResult): number | null {
  return read.ok ? (read.spec.backupTimeout?.ms ?? null) : null;
}

/** snapshotsOf returns a sibling's snapshot Backups among the related ones, observed as its own sync would observe them. */
function snapshotsOf(sibling: KubeObject, bySchedule: ReadonlyMap<string, ChildMap>): SnapshotBackup[] {
  const name = sibling.metadata?.name;
  const own = typeof name === 'string' ? bySchedule.get(name) : undefined;
  if (own === undefined) return [];
  const observed = observeChildren(sibling as BackupSchedule, { [BACKUP_CHILD_TYPE]: own }).backups;
  return observed.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

/**
 * believed is an instant of the group's view (a sibling's Backup asked for, a Backup of the group finished), or null
 * while it is more than a grace ahead of the clock: one a clock far ahead wrote holds no sibling back longer than two graces.
 */
function believed(at: number | null, clock: GroupGateOptions): number | null {
  return at !== null && at <= clock.now + clock.staleViewGraceMs ? at : null;
}

/** The objects of a related map in the order of their keys (`namespace/name`), whatever order the request lists them in. */
function inKeyOrder(map: ChildMap | undefined): KubeObject[] {
  if (map === undefined) return [];
  const objects: KubeObject[] = [];
  for (const key of Object.keys(map).sort(compareNames)) {
    const object = map[key];
    if (object !== undefined) objects.push(object);
  }
  return objects;
}
