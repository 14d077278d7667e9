/**
 * Decide the extra turn of an overdue sibling in a schedule group. A sibling that goes first (due before this schedule's
 * own slot, or at the same slot with a name that sorts first: {@link compareTurns}) has a turn of a stale-view grace from
 * when it could start (group-gate.ts). When that turn ended before its Backup showed, the hook could not sync it in time (it
 * was down, or Metacontroller was), or it is being synced right now: Metacontroller's workers sync several schedules at
 * once, each from the same view, so after an outage longer than the grace every overdue schedule of a group would start
 * together. So each overdue sibling, in the order of turns (by due slot, then by name: the order every schedule of the
 * group computes alike from the same view), gets one more grace from when this schedule first saw it overdue, recorded
 * in `status.groupTurn`; one at a time, so a sibling that never starts holds the others back only once. A record says
 * the order it was written in (`order: "slot"`); one without was written by name, as versions before the order of
 * turns went by due slot did, and is read that way ({@link decideOverdueTurn}).
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

/**
 * The order a chain of extra turns follows: `slot`, the order of turns ({@link compareTurns}); `name`, by name alone, the
 * order of versions before it (their records carry no order).
 */
export type TurnOrder = 'slot' | 'name';

/** The overdue sibling this schedule gives its extra turn, and when a sync first saw it overdue (`status.groupTurn`). */
export interface GroupTurn {
  schedule: string;
  slot: number;
  seenAt: number;
  /** The order the record was written in: the siblings before it in that order had their extra turns. */
  order: TurnOrder;
}

/** groupTurnOf reads `status.groupTurn`, or null; without `order: "slot"` it was written by name. */
export function groupTurnOf(status: BackupScheduleStatus): GroupTurn | null {
  const value = status['groupTurn'];
  if (typeof value !== 'object' || value === null) return null;
  const { schedule, slot, seenAt, order } = value as Record<string, unknown>;
  const slotAt = parseTime(slot);
  const seenAtAt = parseTime(seenAt);
  if (typeof schedule !== 'string' || slotAt === null || seenAtAt === null) return null;
  return { schedule, slot: slotAt, seenAt: seenAtAt, order: order === 'slot' ? 'slot' : 'name' };
}

/**
 * groupTurnStatus is `status.groupTurn` as the answer writes it: `order: "slot"` in the order of turns; a record by name
 * has none, as versions before wrote it (and read it back, ignoring fields they do not know).
 */
export function groupTurnStatus(turn: GroupTurn): { schedule: string; slot: string; seenAt: string; order?: 'slot' } {
  const written = { schedule: turn.schedule, slot: formatTime(turn.slot), seenAt: formatTime(turn.seenAt) };
  return turn.order === 'slot' ? { ...written, order: 'slot' } : written;
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
 * carry it), for a grace from then (one seen later than now counts as seen now). Then the siblings that had their turns
 * are those at or before it in the order it was written in whose turn had ended when it was seen ({@link hadTurns}),
 * and the first other one in the order of turns gets its turn, seen now. A record written by name (by a version before
 * the order of turns) can have given turns to siblings that come after that one in the order of turns: then the record
 * follows by name to the first other one by name, written by name, so that none is skipped and, but for a sibling
 * overdue only after the record was seen, none gets a second turn; it is back in the order of turns once every sibling
 * that had its turn comes before the next. After the last one the record stays, so that no sibling gets a second turn
 * for the same slot; it goes when its sibling is no longer overdue for that slot.
 */
export function decideOverdueTurn(listed: readonly OverdueSibling[], options: { now: number; staleViewGraceMs: number; recorded: GroupTurn | null }): OverdueTurn {
  const { now, staleViewGraceMs, recorded } = options;
  const inTurns = [...listed].sort(compareTurns);
  const found = recorded === null ? undefined : listed.find((o) => o.schedule === recorded.schedule && o.slot === recorded.slot && recorded.seenAt >= o.turnEndedAt);
  if (recorded !== null && found !== undefined) {
    const kept = { ...recorded, seenAt: seenNoLaterThan(recorded.seenAt, now) ?? now };
    if (now < kept.seenAt + staleViewGraceMs) return { record: kept, until: kept.seenAt + staleViewGraceMs };
    const had = hadTurns(listed, kept);
    const next = inTurns.findIndex((o) => !had.has(o));
    if (next < 0) return { record: kept, until: null };
    // Exact in the order of turns when every sibling that had its turn comes before the next (always, for a record in it).
    if (next === had.size) return turnOf(inTurns[next], { now, staleViewGraceMs, order: 'slot' }) ?? { record: kept, until: null };
    const byName = [...listed].sort((a, b) => compareNames(a.schedule, b.schedule));
    return turnOf(byName.find((o) => !had.has(o)), { now, staleViewGraceMs, order: 'name' }) ?? { record: kept, until: null };
  }
  return turnOf(inTurns[0], { now, staleViewGraceMs, order: 'slot' }) ?? { record: null, until: null };
}

/**
 * hadTurns is the overdue siblings a record says had their extra turns: at or before its sibling in the order it was
 * written in, and overdue when it was seen (a sibling whose turn ended later was not overdue when the record passed it).
 */
function hadTurns(listed: readonly OverdueSibling[], recorded: GroupTurn): Set<OverdueSibling> {
  const before = (o: OverdueSibling): boolean =>
    recorded.order === 'slot' ? compareTurns(o, recorded) <= 0 : compareNames(o.schedule, recorded.schedule) <= 0;
  return new Set(listed.filter((o) => before(o) && o.turnEndedAt <= recorded.seenAt));
}

/** turnOf is a sibling's extra turn first seen now, written in `order`, or null without a sibling. */
function turnOf(sibling: OverdueSibling | undefined, options: { now: number; staleViewGraceMs: number; order: TurnOrder }): OverdueTurn | null {
  const { now, staleViewGraceMs, order } = options;
  return sibling === undefined ? null : { record: { schedule: sibling.schedule, slot: sibling.slot, seenAt: now, order }, until: now + staleViewGraceMs };
}
