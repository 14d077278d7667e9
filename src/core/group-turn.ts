/**
 * Decide the extra turn of an overdue sibling in a schedule group. A sibling that goes first (due before this schedule's
 * own slot, or at the same slot with a name that sorts first: {@link compareTurns}) has a turn of a stale-view grace from
 * when it could start (group.ts). When that turn ended before its Backup showed, the hook could not sync it in time (it
 * was down, or Metacontroller was), or it is being synced right now: Metacontroller's workers sync several schedules at
 * once, each from the same view, so after an outage longer than the grace every overdue schedule of a group would start
 * together. So each overdue sibling, in the order of turns (by due slot, then by name: the order every schedule of the
 * group computes alike from the same view), gets one more grace from when this schedule first saw it overdue, recorded
 * in `status.groupTurn`; one at a time, so a sibling that never starts holds the others back only once.
 */

import { compareNames } from './observe.js';
import { seenNoLaterThan } from './quiet.js';
import { formatTime, parseTime } from './time.js';
import type { BackupScheduleStatus } from './types.js';

/** A sibling that goes first, is due and is not in the view, past its turn. */
export interface OverdueSibling {
  schedule: string;
  /** Its due slot (epoch ms). */
  slot: number;
  /** When its turn ended (a grace after its slot or the group's last finish): an extra turn seen before then is not this one. */
  turnEndedAt: number;
}

/** The overdue sibling this schedule gives its extra turn, and when a sync first saw it overdue (`status.groupTurn`). */
export interface GroupTurn {
  schedule: string;
  slot: number;
  seenAt: number;
}

/** groupTurnOf reads `status.groupTurn`, or null. */
export function groupTurnOf(status: BackupScheduleStatus): GroupTurn | null {
  const value = status['groupTurn'];
  if (typeof value !== 'object' || value === null) return null;
  const { schedule, slot, seenAt } = value as Record<string, unknown>;
  const slotAt = parseTime(slot);
  const seenAtAt = parseTime(seenAt);
  return typeof schedule === 'string' && slotAt !== null && seenAtAt !== null ? { schedule, slot: slotAt, seenAt: seenAtAt } : null;
}

/** groupTurnStatus is `status.groupTurn` as the answer writes it. */
export function groupTurnStatus(turn: GroupTurn): { schedule: string; slot: string; seenAt: string } {
  return { schedule: turn.schedule, slot: formatTime(turn.slot), seenAt: formatTime(turn.seenAt) };
}

/** compareTurns is the order of turns in a group: by due slot, then by name ({@link compareNames}); negative when `a` goes first. */
export function compareTurns(a: { schedule: string; slot: number }, b: { schedule: string; slot: number }): number {
  return a.slot !== b.slot ? (a.slot < b.slot ? -1 : 1) : compareNames(a.schedule, b.schedule);
}

/** The turn to record in status, and until when it holds this schedule back (null: every overdue sibling had one). */
export interface OverdueTurn {
  record: GroupTurn | null;
  until: number | null;
}

/**
 * decideOverdueTurn gives the overdue siblings their extra turns in the order of turns ({@link compareTurns}), whatever
 * order they are listed in. The recorded turn holds while its sibling is still overdue for the same slot and was first
 * seen so after its turn ended (one seen before was given before the group was last freed: a status read back stale can
 * carry it), for a grace from then (one seen later than now counts as seen now); then the next overdue sibling after it
 * in that order gets its turn, seen now. After the last one the record stays, so that no sibling gets a second turn for
 * the same slot; it goes when its sibling is no longer overdue for that slot.
 */
export function decideOverdueTurn(listed: readonly OverdueSibling[], options: { now: number; staleViewGraceMs: number; recorded: GroupTurn | null }): OverdueTurn {
  const { now, staleViewGraceMs, recorded } = options;
  const overdue = [...listed].sort(compareTurns);
  const at = recorded === null ? -1 : overdue.findIndex((o) => o.schedule === recorded.schedule && o.slot === recorded.slot && recorded.seenAt >= o.turnEndedAt);
  if (recorded !== null && at >= 0) {
    const kept = { ...recorded, seenAt: seenNoLaterThan(recorded.seenAt, now) ?? now };
    if (now < kept.seenAt + staleViewGraceMs) return { record: kept, until: kept.seenAt + staleViewGraceMs };
    return turnOf(overdue[at + 1], now, staleViewGraceMs) ?? { record: kept, until: null };
  }
  return turnOf(overdue[0], now, staleViewGraceMs) ?? { record: null, until: null };
}

/** turnOf is a sibling's extra turn first seen now, or null without a sibling. */
function turnOf(sibling: OverdueSibling | undefined, now: number, staleViewGraceMs: number): OverdueTurn | null {
  return sibling === undefined ? null : { record: { schedule: sibling.schedule, slot: sibling.slot, seenAt: now }, until: now + staleViewGraceMs };
}
