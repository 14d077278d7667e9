/**
 * The "decide the next Backup" step of a sync: the most recent tick after the watermark, if the missed-run rules
 * and the gates (last Backup, schedule group, backup-now, slot already taken) let it start; or a backup-now Backup.
 */

import { askAgainStartsAt, decideAskAgain } from './ask-again.js';
import type { AskAgain } from './ask-again.js';
import { backupNowGate, backupNowRequestOf, backupNowStateOf, decideBackupNow } from './backup-now.js';
import type { BackupNowDecision, BackupNowState } from './backup-now.js';
import { buildSnapshotBackup } from './desired.js';
import { decideGate, decideRunningGate, inGrace } from './gate.js';
import type { Gate } from './gate.js';
import { decideGroupGate } from './group-gate.js';
import type { GroupDecision, GroupGateShows } from './group-gate.js';
import { groupTurnOf } from './group-turn.js';
import type { GroupTurn } from './group-turn.js';
import { watermarkOf } from './last-backup.js';
import type { LastBackup } from './last-backup.js';
import { SCHEDULED_AT_ANNOTATION, SCHEDULE_LABEL, backupName } from './names.js';
import type { ObservedBackup } from './observe.js';
import { decideBackupNowQuiet, decideEditQuiet, decideQuiet, missedFrom, seenNoLaterThan } from './quiet.js';
import { planSlot } from './schedule-edit.js';
import type { SlotPlan } from './schedule-edit.js';
import type { ScheduleSpec } from './spec.js';
import { findStuck, passStuck } from './stuck.js';
import type { StuckReport } from './stuck.js';
import type { SyncContext } from './sync-context.js';
import type { DesiredChild } from './types.js';

/** What the schedule does in this sync. */
export interface NextStep {
  /** True when the slot's Backup is created now. */
  create: boolean;
  outcome: 'created' | 'waiting' | 'idle' | 'paused';
}

/** The decision about the next Backup, and the facts it rests on (for status and resync). */
export interface NextBackup {
  step: NextStep;
  /** Ticks after this instant are due: the last Backup's time, else the last clean-up, else the schedule's creation. */
  watermark: number | null;
  /** The slot plan: the due slot, the watermark it searched after, missed slots. */
  plan: SlotPlan;
  /** The Backup to create in this sync (the slot's or a backup-now one), or null. */
  created: DesiredChild | null;
  /** The last Backup asked for again, and when the answer stops asking ({@link decideAskAgain}), or null. */
  askedAgain: AskAgain | null;
  /** When the last Backup will be asked for again, if the status says it was asked for later than now ({@link askAgainStartsAt}), or null. */
  askAgainAt: number | null;
  /** When the due slot, waiting for the gate, passes `spec.startingDeadlineSeconds` and is missed, or null. */
  missedAt: number | null;
  /** The last scheduled Backup after this sync (the created slot's, or the observed one). */
  last: LastBackup;
  /** The gate every new Backup passes (last Backup, any other running, group, backup-now, quiet windows, stuck rule). */
  gate: Gate;
  /** The gate of the due tick: {@link gate}, closed also when the slot's name is taken. */
  tickGate: Gate;
  /** Gates whose closing ends by time alone: the last Backup's, the group's, backup-now's and the quiet windows'. */
  timedGates: Gate[];
  /** The quiet windows before the next tick and the due slot's starting deadline ({@link decideQuiet}). */
  quiet: Gate;
  /** The gate that held a slot missed now by its starting deadline ({@link missGateOf}), else {@link gate}. */
  missGate: Gate;
  stuck: StuckReport;
  backupNow: { state: BackupNowState; decision: BackupNowDecision; gate: Gate; /** When a sync first saw the pending request, or null. */ seenAt: number | null };
  /** The overdue sibling of the group given its extra turn (`status.groupTurn`), or null. */
  groupTurn: GroupTurn | null;
  /** When the group's decision may change by time alone besides its gate's end ({@link decideGroupGate}), or null. */
  groupChangesAt: number | null;
}

/** decideNextBackup decides whether a Backup starts in this sync, and which. */
export function decideNextBackup(context: SyncContext): NextBackup {
  const { parent, spec, previous, observedLast, backups, now, staleViewGraceMs, scheduleName, handoverLabelKey } = context;
  const stuck = findStuck(context.snapshots, { now, timeoutMs: spec.backupTimeout?.ms ?? null });
  const lastGate = decideGate(observedLast, { now, schedule: spec.schedule, staleViewGraceMs, backups });
  const runningGate = decideRunningGate(context.snapshots, { last: observedLast.name, stuck: new Set(stuck.stuck.map((b) => b.name)) });
  const watermark = watermarkOf(observedLast, { status: previous, creationTimestamp: parent.metadata.creationTimestamp });
  const plan = planSlot(previous, { spec, now, watermark });
  const slot = plan.slot;
  const nowState = backupNowStateOf(previous, { token: spec.backupNowToken, scheduleName, backups, now, staleViewGraceMs });
  // Siblings take turns by due slot, then by name: the group judges them against this schedule's slot. A paused schedule
  // starts nothing, so it waits for no sibling and gives none a turn: the turn it recorded stays as it is. The gate shows
  // in the answer only where it decides what this sync does (groupGateShows); else only the turn it records does, and the
  // gate's changes are no call-backs.
  const recordedTurn = groupTurnOf(previous);
  const beforeGroup = [lastGate]; // the gates that speak before the group's in the answer's gate
  const gateShows = groupGateShows({ before: passStuck(beforeGroup, stuck), slot, backupNowPending: nowState.pending !== null });
  const group: GroupDecision = spec.pause
    ? { gate: { open: true }, turn: recordedTurn, changesAt: null }
    : decideGroupGate(parent, context.related, { now, staleViewGraceMs, recorded: recordedTurn, slot, gateShows });
  const groupGate = group.gate;
  const nowGate = backupNowGate(previous, { now, backups, staleViewGraceMs, last: nowState.last });
  const quiet = decideQuiet(spec.schedule, { now, watermark: plan.watermark, slot, startingDeadlineMs: spec.startingDeadlineMs, staleViewGraceMs });
  const editQuiet = decideEditQuiet({ now, editSeenAt: plan.editSeenAt, staleViewGraceMs });
  // The quiet windows last: they begin by time alone, so placed before a gate that already holds until a call-back (the
  // edit's), their start would change what Ready says at an instant no call-back lands on.
  const afterGroup = [nowGate, runningGate, editQuiet]; // the gates after the group's that hold until a call-back
  const gate = passStuck([...beforeGroup, groupGate, ...afterGroup, quiet], stuck);
  const tickGate = (slot === null ? null : slotTaken(backups, backupName(scheduleName, slot))) ?? gate;
  const step = nextStep({ spec, slot, gate: tickGate });
  // A backup-now Backup also waits out the grace after a sync first saw the request (a view with the new token may
  // lack the Backup of the one before), after an edit was first seen, and after a tick that did not run (a sync with
  // an older view may run it).
  const recorded = backupNowRequestOf(previous);
  const seenAt = nowState.pending === null ? null : recorded?.token === nowState.pending ? seenNoLaterThan(recorded.seenAt, now) : now;
  const nowQuiet = decideBackupNowQuiet({ now, seenAt, lastMissed: plan.lastMissedTime, editSeenAt: plan.editSeenAt, staleViewGraceMs });
  const backupNow = decideBackupNow(nowState.pending, { pause: spec.pause, gate, tickFirst: step.create, quiet: nowQuiet });
  const tick = step.create ? slot : null;
  const created =
    tick !== null
      ? buildSnapshotBackup(parent, spec, { slot: tick, handoverLabelKey })
      : backupNow.create !== null
        ? buildSnapshotBackup(parent, spec, { backupNowToken: backupNow.create, handoverLabelKey })
        : null;
  const last = tick !== null ? { name: backupName(scheduleName, tick), time: tick, createdAt: now } : observedLast;
  // The last Backup, missing from the view within the grace, asked for again past the gates a new one would pass.
  const askAgainOptions = { lastGate, gate: passStuck([groupGate, ...afterGroup], stuck), watermark: plan.watermark };
  const askedAgain = decideAskAgain(context, askAgainOptions);
  return {
    step,
    watermark,
    plan,
    created,
    askedAgain,
    askAgainAt: askAgainStartsAt(context, askAgainOptions),
    missedAt: missedAtOf({ step, slot, startingDeadlineMs: spec.startingDeadlineMs }),
    last,
    gate,
    tickGate,
    timedGates: [lastGate, gateShows === 'nothing' ? { open: true } : groupGate, nowGate, quiet, editQuiet, nowQuiet],
    quiet,
    missGate: missGateOf(plan, { gates: [...beforeGroup, groupGate, ...afterGroup], stuck, gate }),
    stuck,
    backupNow: { state: nowState, decision: backupNow, gate: nowGate, seenAt },
    groupTurn: group.turn,
    groupChangesAt: group.changesAt,
  };
}

/**
 * groupGateShows tells what of the group's gate the answer can show, given what the gates before it say (`before`, past
 * the stuck rule): its message, where a due slot waits for it and nothing before it holds; whether it is open, where a
 * backup-now request waits for it, or the last Backup, missing from the view within the grace, may be asked for again
 * past it ({@link decideAskAgain}); else nothing (the turn alone shows).
 */
function groupGateShows(facts: { before: Gate; slot: number | null; backupNowPending: boolean }): GroupGateShows {
  if (facts.before.open) return facts.slot !== null ? 'message' : facts.backupNowPending ? 'open' : 'nothing';
  return inGrace(facts.before) ? 'open' : 'nothing';
}

function nextStep(inputs: { spec: ScheduleSpec; slot: number | null; gate: Gate }): NextStep {
  if (inputs.spec.pause) return { create: false, outcome: 'paused' };
  if (inputs.slot === null) return { create: false, outcome: 'idle' };
  return inputs.gate.open ? { create: true, outcome: 'created' } : { create: false, outcome: 'waiting' };
}

/**
 * missedAtOf is the instant a waiting slot is missed ({@link missedFrom}), when the slot plan stops running it (status
 * and Ready change then, so it is a call-back). Null when nothing waits or no deadline is set.
 */
function missedAtOf(facts: { step: NextStep; slot: number | null; startingDeadlineMs: number | null }): number | null {
  const { step, slot, startingDeadlineMs } = facts;
  return step.outcome === 'waiting' && slot !== null && startingDeadlineMs !== null ? missedFrom(slot, startingDeadlineMs) : null;
}

/**
 * missGateOf is the gate that held a slot missed now by `spec.startingDeadlineSeconds`, for what MissedSchedule says: the
 * gates without the quiet windows, else `gate`. Now, past the deadline, the window before the next tick may have begun,
 * which held nothing of the slot. At the last instant the slot could start (where its deadline's window begins) neither
 * window had closed: the next tick is more than the deadline after the slot, and its window begins at most half the gap,
 * or the grace, before it.
 */
function missGateOf(plan: SlotPlan, facts: { gates: Gate[]; stuck: StuckReport; gate: Gate }): Gate {
  return plan.missed?.cause === 'StartingDeadlineExceeded' ? passStuck(facts.gates, facts.stuck) : facts.gate;
}

/**
 * slotTaken closes the gate of a tick when a Backup named like the slot's is already observed: one the hook cannot
 * read as this schedule's (another label or controller, unreadable annotation or commitTs). Asking for it would
 * overwrite it, and recording it as the last Backup would make the schedule wait on a Backup it does not own.
 */
function slotTaken(backups: ReadonlyMap<string, ObservedBackup>, name: string): Gate | null {
  if (!backups.has(name)) return null;
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
