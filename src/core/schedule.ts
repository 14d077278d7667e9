/**
 * The one module that knows cron: parsing a BackupSchedule's `spec.schedule` (robfig/cron v1.2.0
 * `ParseStandard`, as TiDB Operator runs it) and finding ticks. Instants are epoch milliseconds.
 *
 * Cron ticks are local wall-clock minutes of the schedule's IANA zone (default UTC). DST policy:
 * a tick at local wall time L runs at the first instant the zone's clock shows L or a later time.
 * - Spring forward: a wall time in the skipped interval runs once, when the gap ends (02:30 in New
 *   York's skipped hour runs at 03:00 EDT); ticks that land on the same instant are one run, so
 *   `*\/10 * * * *` runs once at 03:00 for 02:00…02:50 and 03:00.
 * - Fall back: a wall time in the repeated interval runs once, at its first occurrence (01:30 EDT,
 *   not again at 01:30 EST), also for `*\/10 * * * *` and `0 * * * *`.
 * `@every <duration>` ignores zones: its ticks are anchor + k·duration, k ≥ 1, with the anchor
 * truncated to whole seconds and the duration rounded down to whole seconds (minimum 1 s), as
 * robfig's ConstantDelaySchedule.
 *
 * A schedule that can never fire (`0 0 30 2 *`) parses, and has no ticks (null), where robfig returns
 * the zero time; a hashed one whose drawn values never fire (`0 0 31 H *` drawing February) is refused.
 * Unlike robfig, whose Next gives up after five years, a tick is found however far away it is (29 Feb 2096 →
 * 29 Feb 2104; a Sunday 29 February, 2088 → 2128). The calendar spans the years 1 to 9999; instants outside
 * have no cron ticks. Costs do not grow with the window: the search walks the calendar fields
 * backwards or forwards from one end of the window and reads the zone's offset a handful of times.
 */

import { BoundedMemo } from './bounded-memo.js';
import { canEverFire, firstWallAtOrAfter, lastWallAtOrBefore, matchesWall, wallMs } from './_cron_fields.js';
import type { CronFields, WallTime } from './_cron_fields.js';
import { parseExpression, quote } from './_cron_parse.js';
import { firstInstantShowing, highestWallAtOrBefore, zoneNamed } from './_cron_zone.js';
import type { Zone } from './_cron_zone.js';

export type { WallTime } from './_cron_fields.js';

/** A parsed schedule. Opaque to callers: only this module looks inside. */
export interface Schedule {
  /** The expression as written in the spec. */
  readonly expression: string;
  /** IANA zone the ticks are computed in ("UTC" by default). */
  readonly timeZone: string;
  /** What its hashed values were drawn from (the schedule's namespace/name); absent when it has none. */
  readonly seed?: string;
}

/** The result of parsing: a schedule, or a message a user can act on. */
export type ParseScheduleResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; error: string };

/** Options of {@link parseSchedule}. */
export interface ParseScheduleOptions {
  /** IANA time zone name; default "UTC". */
  timeZone?: string;
  /** The schedule's namespace/name, which hashed values (`H`, `@daily-random`) are drawn from; without it they are refused. */
  seed?: string;
}

type Plan = { kind: 'cron'; fields: CronFields; fires: boolean } | { kind: 'every'; periodMs: number };
interface Compiled {
  zone: Zone;
  plan: Plan;
}

const MINUTE_MS = 60_000;
/** Instants with cron ticks: two days inside the calendar, so that zone probes a day away stay inside. */
const FIRST_INSTANT = wallMs(1, 1, 3);
const LAST_INSTANT = wallMs(9999, 12, 29);

const compiled = new WeakMap<Schedule, Compiled>();
/** Parsed schedules by (expression, zone); inputs longer than this are parsed each time, not kept. */
const parsedSchedules = new BoundedMemo<ParseScheduleResult>(1000);
const MEMO_MAX_INPUT_LENGTH = 256;
const zones = new BoundedMemo<Zone | string>(1000);

/** parseSchedule parses a 5-field cron, a macro or `@every <Go duration>`; it never throws. */
export function parseSchedule(expression: string, options: ParseScheduleOptions = {}): ParseScheduleResult {
  const timeZone = options.timeZone ?? 'UTC';
  if (typeof expression !== 'string' || typeof timeZone !== 'string') {
    return { ok: false, error: 'the schedule and its time zone must be strings' };
  }
  // Only an expression with hashed values depends on the seed: others are kept once for every schedule.
  const seed = options.seed !== undefined && isHashed(expression) ? options.seed : undefined;
  if (expression.length + timeZone.length + (seed?.length ?? 0) > MEMO_MAX_INPUT_LENGTH) return compile(expression, timeZone, seed);
  return parsedSchedules.get(JSON.stringify([expression, timeZone, seed]), () => compile(expression, timeZone, seed));
}

/** isHashed tells whether an expression may hold hashed values (`H`, a `-random` macro), whose ticks depend on the seed. */
function isHashed(expression: string): boolean {
  return /(?:^|[^A-Za-z])H/.test(expression) || expression.endsWith('-random'); // an H that starts an item, not THU's
}

function compile(expression: string, timeZone: string, seed: string | undefined): ParseScheduleResult {
  const parsed = parseExpression(expression, seed === undefined ? {} : { seed });
  const zone = timeZone.length > MEMO_MAX_INPUT_LENGTH ? zoneOrProblem(timeZone) : zones.get(timeZone, zoneOrProblem);
  if (!parsed.ok) return Object.freeze({ ok: false, error: typeof zone === 'string' ? `${parsed.error}. Also: ${zone}` : parsed.error });
  if (typeof zone === 'string') return Object.freeze({ ok: false, error: zone });
  const plan: Plan =
    parsed.kind === 'every'
      ? { kind: 'every', periodMs: parsed.periodMs }
      : { kind: 'cron', fields: parsed.fields, fires: canEverFire(parsed.fields) };
  if (seed !== undefined && plan.kind === 'cron' && !plan.fires) {
    // A hashed schedule has no upstream reading to keep: its ticks would depend on its name, so never firing is a problem.
    return Object.freeze({
      ok: false,
      error:
        `${quote(expression)} never runs with the values drawn for this schedule from its namespace/name (a day of the month ` +
        'no month it runs in has, such as 31 in a drawn February); write a day every month has (1-28, or H) or name the month',
    });
  }
  const schedule: Schedule = Object.freeze(seed === undefined ? { expression, timeZone } : { expression, timeZone, seed });
  compiled.set(schedule, { zone, plan });
  return Object.freeze({ ok: true, schedule });
}

function zoneOrProblem(name: string): Zone | string {
  const suggestion = 'use an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"';
  if (/^[+\-\u2212\d]/.test(name)) return `time zone ${quote(name)} is an offset, not a zone name; ${suggestion} (for a fixed offset, "Etc/GMT-1" is UTC+1)`;
  return zoneNamed(name) ?? `time zone ${quote(name)} is not a known IANA time zone name; ${suggestion}`;
}

/** The internals of a schedule; a look-alike object not made by parseSchedule is parsed again. */
function internals(schedule: Schedule): Compiled | null {
  const known = compiled.get(schedule);
  if (known !== undefined) return known;
  const parsed = parseSchedule(schedule.expression, { timeZone: schedule.timeZone, ...(schedule.seed === undefined ? {} : { seed: schedule.seed }) });
  return parsed.ok ? (compiled.get(parsed.schedule) ?? null) : null;
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
  const found = internals(schedule);
  if (found === null || !(window.after < window.atOrBefore)) return null;
  const { zone, plan } = found;
  if (plan.kind === 'every') {
    if (!Number.isFinite(window.after) || !Number.isFinite(window.atOrBefore)) return null;
    const anchor = wholeSeconds(window.after);
    const k = Math.floor((window.atOrBefore - anchor) / plan.periodMs);
    return k >= 1 ? anchor + k * plan.periodMs : null;
  }
  if (!plan.fires) return null;
  const after = Math.max(window.after, FIRST_INSTANT);
  const atOrBefore = Math.min(window.atOrBefore, LAST_INSTANT);
  if (!(after < atOrBefore)) return null;
  // The newest wall minute the clock has shown by atOrBefore, unless it had shown it by `after`.
  const wall = lastWallAtOrBefore(plan.fields, highestWallAtOrBefore(zone, atOrBefore));
  if (wall === null || wall <= highestWallAtOrBefore(zone, after)) return null;
  return firstInstantShowing(zone, wall);
}

/** isAnchored tells whether a schedule's ticks count from an anchor (`@every`: anchor + k·d), not from the calendar. */
export function isAnchored(schedule: Schedule): boolean {
  return internals(schedule)?.plan.kind === 'every';
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
  const found = internals(schedule);
  if (found === null || Number.isNaN(options.after)) return null;
  const { zone, plan } = found;
  if (plan.kind === 'every') {
    if (!Number.isFinite(options.anchor) || !Number.isFinite(options.after)) return null;
    const anchor = wholeSeconds(options.anchor);
    const k = Math.max(1, Math.floor((options.after - anchor) / plan.periodMs) + 1);
    return anchor + k * plan.periodMs;
  }
  if (!plan.fires || options.after >= LAST_INSTANT) return null;
  const after = Math.max(options.after, FIRST_INSTANT);
  // The first wall minute the clock has not shown by `after`.
  const shown = highestWallAtOrBefore(zone, after);
  const wall = firstWallAtOrAfter(plan.fields, Math.floor(shown / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  if (wall === null || wall > LAST_INSTANT) return null;
  return firstInstantShowing(zone, wall);
}

/** matchesWallTime tells whether a local wall-clock minute is one of a cron schedule's times (never for `@every`). */
export function matchesWallTime(schedule: Schedule, wall: WallTime): boolean {
  const plan = internals(schedule)?.plan;
  return plan?.kind === 'cron' && matchesWall(plan.fields, wall);
}

function wholeSeconds(instant: number): number {
  return Math.floor(instant / 1000) * 1000;
}
