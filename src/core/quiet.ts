/** Decide the quiet windows: no Backup starts where a sync with an older view could, a moment later, start another. */

import type { Gate } from './gate.js';
import { mostRecentTick, nextTick } from './schedule.js';
import type { Schedule } from './schedule.js';
import { formatTime } from './time.js';

/** Options of {@link decideQuiet}. */
export interface QuietOptions {
  now: number;
  /** Ticks after this instant are due (the slot plan's watermark; the anchor of `@every`), or null. */
  watermark: number | null;
  /** The due slot of this sync, or null. */
  slot: number | null;
  /** `spec.startingDeadlineSeconds` in ms, or null. */
  startingDeadlineMs: number | null;
  staleViewGraceMs: number;
}

/**
 * decideQuiet closes the gate in the last part of a tick interval — the stale-view grace, at most half the interval
 * — and opens it at the next tick. A Backup started there (a tick caught up after a long Backup finished, a
 * backup-now) could still be missing from the view a sync gets at the next tick, next to a status written before
 * it; that sync would start the tick's Backup on top of it. Started at the tick instead, every sync agrees on it.
 */
export function decideQuiet(schedule: Schedule, options: QuietOptions): Gate {
  const { now, watermark } = options;
  const previous = options.slot ?? (watermark === null ? null : mostRecentTick(schedule, { after: watermark, atOrBefore: now }));
  const window = tickQuietWindow(schedule, { now, anchor: watermark ?? now, previous, staleViewGraceMs: options.staleViewGraceMs });
  if (window === null) return { open: true };
  // Inside both windows, the one that began first gives the verdict until it ends: a message that switched to the
  // other's at its start would change the answer at an instant no call-back lands on.
  const deadline = deadlineQuiet(options);
  if (!deadline.open && deadline.start < window.start) return deadline.gate;
  if (now > window.start) {
    return {
      open: false,
      message:
        `the next tick ${formatTime(window.next)} is less than ${Math.round((window.next - window.start) / 1000)}s away (the stale-view grace, at most ` +
        `half the interval): a Backup started now could overlap the one a sync with an older view starts then, so it starts at that tick`,
      until: window.next,
      blocker: null,
    };
  }
  return deadline.open ? { open: true } : deadline.gate;
}

/** Options of {@link tickQuietWindow}. */
export interface TickQuietOptions {
  now: number;
  /** The anchor of `@every`. */
  anchor: number;
  /** The tick before the next one (the interval's start), or null when unknown. */
  previous: number | null;
  staleViewGraceMs: number;
}

/**
 * tickQuietWindow returns the next tick after `now` and the instant the quiet window before it begins (the tick less
 * the stale-view grace, at most half the interval from `previous`): no Backup starts after that instant. Null
 * without a next tick.
 */
export function tickQuietWindow(schedule: Schedule, options: TickQuietOptions): { next: number; start: number } | null {
  const next = nextTick(schedule, { after: options.now, anchor: options.anchor });
  if (next === null) return null;
  const quietMs = Math.min(options.staleViewGraceMs, options.previous === null ? Infinity : (next - options.previous) / 2);
  return { next, start: next - quietMs };
}

/** missedFrom is the first instant a slot counts as missed under `spec.startingDeadlineSeconds`: a millisecond past its deadline. */
export function missedFrom(slot: number, startingDeadlineMs: number): number {
  return slot + startingDeadlineMs + 1;
}

/**
 * deadlineQuietStart is the instant the quiet window before a slot's starting deadline begins (the deadline less the
 * stale-view grace, at most half the deadline): no Backup of that slot starts after it.
 */
export function deadlineQuietStart(slot: number, options: { startingDeadlineMs: number; staleViewGraceMs: number }): number {
  return slot + options.startingDeadlineMs - Math.min(options.staleViewGraceMs, options.startingDeadlineMs / 2);
}

/**
 * deadlineQuiet closes the gate in the last part of the due slot's starting window (the stale-view grace, at most half
 * of `startingDeadlineSeconds`): once the deadline passes, a sync with an older view, not seeing the slot's Backup,
 * would start a backup-now Backup on top of it. With the closed gate, the instant the window began.
 */
function deadlineQuiet(options: QuietOptions): { open: true } | { open: false; gate: Gate; /** When the window began. */ start: number } {
  const { slot, startingDeadlineMs, now } = options;
  if (slot === null || startingDeadlineMs === null) return { open: true };
  const deadline = slot + startingDeadlineMs;
  const start = deadlineQuietStart(slot, { startingDeadlineMs, staleViewGraceMs: options.staleViewGraceMs });
  // Past the deadline the slot plan misses the slot (a paused schedule keeps it due: nothing starts anyway); an
  // `until` in the past would ask to be called back every second.
  const missed = missedFrom(slot, startingDeadlineMs);
  if (now >= missed || now <= start) return { open: true };
  const gate: Gate = {
    open: false,
    message:
      `the slot ${formatTime(slot)} reaches spec.startingDeadlineSeconds at ${formatTime(deadline)}, less than ` +
      `${Math.round((deadline - start) / 1000)}s away (the stale-view grace, at most half the deadline): started now, its Backup could be ` +
      'missing from the view of a sync after the deadline, which would start another beside it; it does not start',
    until: missed, // the call-back lands where the slot plan misses the slot
    blocker: null,
  };
  return { open: false, gate, start };
}

/** Options of {@link decideMissedQuiet}. */
export interface MissedQuietOptions {
  now: number;
  /** The tick this sync or an earlier one decided not to run (the slot plan's `lastMissedTime`), or null. */
  lastMissed: number | null;
  staleViewGraceMs: number;
}

/**
 * decideMissedQuiet closes the gate of a backup-now request for the stale-view grace after a tick that was not run
 * (missed while paused, or the schedule edited). Whether that tick runs is read from the status, so a sync sent an
 * older status may still run it a moment later; a backup-now Backup started at the tick, missing from that sync's
 * view, would then run beside it. After the grace every view shows the one that started.
 */
export function decideMissedQuiet(options: MissedQuietOptions): Gate {
  const { now, lastMissed, staleViewGraceMs } = options;
  if (lastMissed === null || now < lastMissed || now >= lastMissed + staleViewGraceMs) return { open: true };
  return {
    open: false,
    message:
      `the tick ${formatTime(lastMissed)} did not run; a sync with an older view could still run it until ` +
      `${formatTime(lastMissed + staleViewGraceMs)} (the stale-view grace), so no backup-now Backup starts beside it before then`,
    until: lastMissed + staleViewGraceMs,
    blocker: null,
  };
}

/**
 * decideRequestQuiet closes the gate of a backup-now request for the stale-view grace after a sync first saw it
 * (`status.backupNowRequest.seenAt`). A Backup an earlier request started a moment before can be missing from a
 * view that already carries the new token, next to a status that does not record it; after the grace every view
 * shows it, and the gate waits for it like any other.
 */
export function decideRequestQuiet(options: { now: number; seenAt: number; staleViewGraceMs: number }): Gate {
  const { now, seenAt, staleViewGraceMs } = options;
  const until = seenAt + staleViewGraceMs;
  if (now >= until) return { open: true };
  return {
    open: false,
    message:
      `it was first seen at ${formatTime(seenAt)} and starts after the stale-view grace, at ${formatTime(until)}: a Backup ` +
      'an earlier request started may not be in every view before then',
    until,
    blocker: null,
  };
}

/** Options of {@link decideBackupNowQuiet}. */
export interface BackupNowQuietOptions {
  now: number;
  /** When a sync first saw the pending request (`status.backupNowRequest`), or null when none is pending. */
  seenAt: number | null;
  /** The slot plan's `lastMissedTime`, or null. */
  lastMissed: number | null;
  /** When a sync first saw the schedule edited (the slot plan's `editSeenAt`), or null. */
  editSeenAt: number | null;
  staleViewGraceMs: number;
}

/**
 * decideBackupNowQuiet is what a backup-now request waits out before the gate ticks share, in words of its own: the
 * grace after it was first seen ({@link decideRequestQuiet}), after an edit was first seen ({@link decideEditQuiet},
 * which closes that gate too) and after a tick that did not run ({@link decideMissedQuiet}).
 */
export function decideBackupNowQuiet(options: BackupNowQuietOptions): Gate {
  const { now, seenAt, lastMissed, editSeenAt, staleViewGraceMs } = options;
  if (seenAt === null) return { open: true };
  for (const gate of [
    decideRequestQuiet({ now, seenAt, staleViewGraceMs }),
    decideEditQuiet({ now, editSeenAt, staleViewGraceMs }),
    decideMissedQuiet({ now, lastMissed, staleViewGraceMs }),
  ]) {
    if (!gate.open) return gate;
  }
  return { open: true };
}

/**
 * seenNoLaterThan reads an instant a sync recorded as when it first saw something (an edit, a backup-now request) on
 * this clock: one later than now (a clock ahead of this one wrote it) counts as seen now, never as a wait that long.
 */
export function seenNoLaterThan(seenAt: number | null, now: number): number | null {
  return seenAt === null ? null : Math.min(seenAt, now);
}

/**
 * decideEditQuiet closes the gate for the stale-view grace after a sync first saw the schedule edited
 * (`status.scheduleEditSeenAt`). A sync given the spec before the edit may have just started a Backup of the old
 * schedule that views with the new spec still lack, next to a status that does not record it; nothing of the new
 * schedule (no tick, no backup-now) starts beside it. After the grace every view shows it.
 */
export function decideEditQuiet(options: { now: number; editSeenAt: number | null; staleViewGraceMs: number }): Gate {
  const { now, editSeenAt, staleViewGraceMs } = options;
  if (editSeenAt === null || now >= editSeenAt + staleViewGraceMs) return { open: true };
  const until = editSeenAt + staleViewGraceMs;
  return {
    open: false,
    message:
      `the schedule was edited (first seen at ${formatTime(editSeenAt)}): a Backup started under the old schedule may not be ` +
      `in every view yet, so nothing starts before ${formatTime(until)} (the stale-view grace)`,
    until,
    blocker: null,
  };
}
