/**
 * The one module that knows cron: parsing a BackupSchedule's `spec.schedule` (robfig/cron
 * `ParseStandard` syntax) and finding ticks. Instants are epoch milliseconds (UTC).
 *
 * INTERIM: a minimal croner-based UTC implementation while the full module (time zones, DST policy,
 * robfig parity) is written; the interface is fixed.
 */

import { Cron } from 'croner';
import { parseGoDuration } from './duration.js';

interface Parsed {
  cron: Cron | null;
  everyMs: number | null;
}
const parsed = new WeakMap<Schedule, Parsed>();

/** A parsed schedule. Opaque to callers: only this module looks inside. */
export interface Schedule {
  /** The expression as written in the spec. */
  readonly expression: string;
  /** IANA zone the ticks are computed in ("UTC" by default). */
  readonly timeZone: string;
}

/** The result of parsing: a schedule, or a message a user can act on. */
export type ParseScheduleResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; error: string };

/** Options of {@link parseSchedule}. */
export interface ParseScheduleOptions {
  /** IANA time zone name; default "UTC". */
  timeZone?: string;
}

/** parseSchedule parses a 5-field cron, a macro or `@every <Go duration>`; it never throws. */
export function parseSchedule(expression: string, options: ParseScheduleOptions = {}): ParseScheduleResult {
  const timeZone = options.timeZone ?? 'UTC';
  const schedule: Schedule = { expression, timeZone };
  if (expression.startsWith('@every ')) {
    const d = parseGoDuration(expression.slice(7).trim());
    if (!d.ok || d.ms < 1000) return { ok: false, error: `"${expression}": @every needs a duration of at least 1s` };
    parsed.set(schedule, { cron: null, everyMs: Math.floor(d.ms / 1000) * 1000 });
    return { ok: true, schedule };
  }
  if (!expression.startsWith('@') && expression.trim().split(/\s+/).length !== 5) {
    return { ok: false, error: `"${expression}" is not a 5-field cron (minute hour day-of-month month day-of-week)` };
  }
  try {
    const cron = new Cron(expression, { timezone: timeZone, mode: '5-part', paused: true });
    parsed.set(schedule, { cron, everyMs: null });
    return { ok: true, schedule };
  } catch (error) {
    return { ok: false, error: `"${expression}" is not a valid cron: ${(error as Error).message}` };
  }
}

function internals(schedule: Schedule): Parsed {
  const p = parsed.get(schedule);
  if (p === undefined) throw new Error('schedule was not made by parseSchedule');
  return p;
}

/** Window of {@link mostRecentTick}: ticks `t` with `after < t <= atOrBefore`. */
export interface TickWindow {
  /** Exclusive lower bound; also the anchor of `@every` schedules (ticks at after + k·d). */
  after: number;
  /** Inclusive upper bound (usually "now"). */
  atOrBefore: number;
}

/** mostRecentTick returns the newest tick in the window, or null; its cost does not grow with the window. */
export function mostRecentTick(schedule: Schedule, window: TickWindow): number | null {
  if (window.atOrBefore <= window.after) return null;
  const p = internals(schedule);
  if (p.everyMs !== null) {
    const anchor = Math.floor(window.after / 1000) * 1000;
    const k = Math.floor((window.atOrBefore - anchor) / p.everyMs);
    return k >= 1 ? anchor + k * p.everyMs : null;
  }
  const prev = p.cron?.previousRuns(1, new Date(window.atOrBefore + 1))[0];
  if (prev === undefined) return null;
  return prev.getTime() > window.after ? prev.getTime() : null;
}

/** Options of {@link nextTick}. */
export interface NextTickOptions {
  /** Exclusive lower bound. */
  after: number;
  /** Anchor of `@every` schedules: their ticks are anchor + k·d. Ignored by cron schedules. */
  anchor: number;
}

/** nextTick returns the first tick strictly after `options.after`, or null if the schedule never fires. */
export function nextTick(schedule: Schedule, options: NextTickOptions): number | null {
  const p = internals(schedule);
  if (p.everyMs !== null) {
    const anchor = Math.floor(options.anchor / 1000) * 1000;
    const k = Math.max(0, Math.floor((options.after - anchor) / p.everyMs)) + 1;
    return anchor + k * p.everyMs;
  }
  return p.cron?.nextRun(new Date(options.after))?.getTime() ?? null;
}
