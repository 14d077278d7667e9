/**
 * Decide which slot runs, with the missed-run rules: a schedule edit (seen through `status.scheduleHash`)
 * runs no tick from before the sync that saw it (and that sync's instant is recorded for the edit's quiet window); `spec.skipMissedOnUnpause` runs no tick missed while
 * paused; `spec.startingDeadlineSeconds` runs no slot older than the deadline. A slot not run is recorded
 * as `status.lastMissedTime`, which then bounds the search like `lastBackupTime` does, so the next sync
 * does not run it either.
 */

import { createHash } from 'node:crypto';

import type { Gate } from './gate.js';
import { missedFrom, seenNoLaterThan } from './quiet.js';
import { mostRecentTick } from './schedule.js';
import type { Schedule } from './schedule.js';
import type { ScheduleSpec } from './spec.js';
import { conditionOf } from './status.js';
import type { Finding } from './status.js';
import { formatTime, parseTime } from './time.js';
import type { BackupScheduleStatus } from './types.js';

/** The status field that records when a sync first saw the schedule as it is, after an edit. */
export const EDIT_SEEN_AT = 'scheduleEditSeenAt';

/**
 * The status field an invalid spec's answer writes (true) when the schedule was paused before: Ready then says
 * InvalidSpec, and without it the sync after the fix would not know the ticks it finds were missed while paused.
 */
export const PAUSED_BEFORE_INVALID_SPEC = 'pausedBeforeInvalidSpec';

/** Condition type that reports a slot the schedule did not run. */
export const MISSED_CONDITION = 'MissedSchedule';

/** Why a due slot was not run (the reason of the MissedSchedule condition). */
export type MissCause = 'ScheduleChanged' | 'MissedWhilePaused' | 'StartingDeadlineExceeded';

/** A due slot this sync decided not to run. */
export interface Missed {
  slot: number;
  cause: MissCause;
}

/** Which slot runs now, and what status records about it. */
export interface SlotPlan {
  /** The slot to run now (the newest tick after the watermark, at or before now), or null. */
  slot: number | null;
  /** The due slot not run, or null. */
  missed: Missed | null;
  /** Ticks are searched after this instant (null: none can be found); also the anchor of `@every`. */
  watermark: number | null;
  /** `status.lastMissedTime` to write, or null for none. */
  lastMissedTime: number | null;
  /** `status.scheduleHash` to write. */
  scheduleHash: string;
  /**
   * When a sync first saw the schedule as it is now, after an edit (`status.scheduleEditSeenAt`: this sync's instant
   * when it sees the edit), or null when no edit was seen.
   */
  editSeenAt: number | null;
}

/** Inputs of {@link planSlot}. */
export interface PlanInputs {
  spec: ScheduleSpec;
  now: number;
  /** The core's watermark: lastBackupTime, else allBackupCleanTime, else creationTimestamp. */
  watermark: number | null;
}

/** planSlot finds the slot to run and applies the missed-run rules; without the extension fields it is the core's rule. */
export function planSlot(previous: BackupScheduleStatus, inputs: PlanInputs): SlotPlan {
  const { spec, now } = inputs;
  const previousMissed = parseTime(previous.lastMissedTime);
  const watermark = inputs.watermark === null ? previousMissed : Math.max(inputs.watermark, previousMissed ?? -Infinity);
  const due = watermark === null ? null : mostRecentTick(spec.schedule, { after: watermark, atOrBefore: now });
  const hash = scheduleHash(spec.schedule);
  const recorded = typeof previous.scheduleHash === 'string' && previous.scheduleHash !== '' ? previous.scheduleHash : null;
  const edited = recorded !== null && recorded !== hash;
  const plan: SlotPlan = {
    slot: due,
    missed: null,
    watermark,
    lastMissedTime: previousMissed,
    scheduleHash: hash,
    editSeenAt: edited ? now : recorded === null ? null : seenNoLaterThan(parseTime(previous[EDIT_SEEN_AT]), now),
  };
  if (due === null) return plan;
  const cause = missCause({ spec, now, due, edited, wasPaused: wasPaused(previous) });
  return cause === null ? plan : { ...plan, slot: null, missed: { slot: due, cause }, lastMissedTime: due };
}

function missCause(facts: { spec: ScheduleSpec; now: number; due: number; edited: boolean; wasPaused: boolean }): MissCause | null {
  const { spec } = facts;
  if (facts.edited) return 'ScheduleChanged';
  if (spec.pause) return null;
  if (spec.skipMissedOnUnpause && facts.wasPaused) return 'MissedWhilePaused';
  if (spec.startingDeadlineMs !== null && facts.now >= missedFrom(facts.due, spec.startingDeadlineMs)) return 'StartingDeadlineExceeded';
  return null;
}

/**
 * wasPaused tells whether the previous sync reported the schedule paused (Ready reason Paused), or reported its spec
 * invalid after it was paused ({@link PAUSED_BEFORE_INVALID_SPEC}).
 */
export function wasPaused(previous: BackupScheduleStatus): boolean {
  return conditionOf(previous, 'Ready')?.reason === 'Paused' || previous[PAUSED_BEFORE_INVALID_SPEC] === true;
}

/** Hashes by parsed schedule: parsed schedules are remembered (schedule.ts), so each is hashed once, not on every sync. */
const hashes = new WeakMap<Schedule, string>();

/** scheduleHash identifies what slots are computed from: the expression and the time zone (16 hex digits of SHA-256). */
export function scheduleHash(schedule: Schedule): string {
  let hash = hashes.get(schedule);
  if (hash === undefined) {
    hash = createHash('sha256').update(`${schedule.expression}\n${schedule.timeZone}`).digest('hex').slice(0, 16);
    hashes.set(schedule, hash);
  }
  return hash;
}

/** Facts {@link missedFinding} judges. */
export interface MissedFacts {
  plan: SlotPlan;
  spec: ScheduleSpec;
  /** `status.lastBackupTime` after this sync (epoch ms), or null. */
  lastBackupTime: number | null;
  /** The gate of this sync: a slot that waited for it past the deadline says what it waited for. */
  gate: Gate;
}

/**
 * missedFinding is the MissedSchedule condition's finding: a slot missed now, else the one recorded while no
 * newer slot has run (as it was reported), else none.
 */
export function missedFinding(previous: BackupScheduleStatus, facts: MissedFacts): Finding | null {
  const { missed, lastMissedTime } = facts.plan;
  if (missed !== null) return { reason: missed.cause, message: missedMessage(missed, facts) };
  const reported = conditionOf(previous, MISSED_CONDITION);
  const stillLatest = lastMissedTime !== null && (facts.lastBackupTime === null || lastMissedTime > facts.lastBackupTime);
  if (!stillLatest || reported?.status !== 'True') return null;
  return { reason: reported.reason ?? 'StartingDeadlineExceeded', message: reported.message ?? '' };
}

/** What the MissedSchedule condition says once a slot newer than the missed one has run. */
export const MISSED_RESOLVED: Finding = { reason: 'LatestSlotRan', message: 'a slot newer than status.lastMissedTime has run' };

function missedMessage(missed: Missed, facts: MissedFacts): string {
  const slot = formatTime(missed.slot);
  const deadline = `spec.startingDeadlineSeconds (${(facts.spec.startingDeadlineMs ?? 0) / 1000})`;
  switch (missed.cause) {
    case 'ScheduleChanged':
      return `spec.schedule or spec.timeZone changed: the slot ${slot}, due before the change was seen, does not run; the new schedule starts at its next tick`;
    case 'MissedWhilePaused':
      return `spec.skipMissedOnUnpause: the slot ${slot}, missed while paused, does not run; the schedule resumes at its next tick`;
    case 'StartingDeadlineExceeded':
      return facts.gate.open
        ? `the slot ${slot} was not started within ${deadline} and does not run: the hook was not called in time; ` +
            'check that Metacontroller and the hook are up, or raise the deadline'
        : `the slot ${slot} was not started within ${deadline} and does not run; until then the gate was closed: ${facts.gate.message}`;
  }
}
