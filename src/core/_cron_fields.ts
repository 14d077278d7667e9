/**
 * Cron field sets and the calendar search over local wall time (private to schedule.ts).
 *
 * Wall times are "naive" epoch milliseconds: the reading of a local clock written as if it were UTC
 * (2024-03-10 02:30 local is Date.UTC(2024, 2, 10, 2, 30)). The searches here know nothing of zones;
 * _cron_zone.ts maps wall times to instants.
 */

/** The calendar this module knows: wall times from year 1 to year 9999. */
export const FIRST_YEAR = 1;
/** The last year of the calendar this module knows. */
export const LAST_YEAR = 9999;
/**
 * Longest stretch without a matching day when one exists at all: a 29 February that must also be a
 * given weekday (`0 0 29 2 *\/7`, both day fields must match), Sunday 29 Feb 2088 → Sunday 29 Feb 2128.
 * Without a weekday, 29 Feb 2096 → 29 Feb 2104; a fixed date on a weekday, at most 12 years.
 */
const MAX_YEARS_BETWEEN_MATCHES = 40;

const MINUTE_MS = 60_000;

/** The set of values one cron field allows, e.g. minutes {0, 15, 30, 45}. */
export class FieldSet {
  readonly values: readonly number[];
  readonly #member: ReadonlySet<number>;

  constructor(values: Iterable<number>) {
    this.#member = new Set(values);
    this.values = [...this.#member].sort((a, b) => a - b);
  }

  /** has tells whether the field allows `value`. */
  has(value: number): boolean {
    return this.#member.has(value);
  }

  /** atOrAfter returns the smallest allowed value ≥ `value`, or null. */
  atOrAfter(value: number): number | null {
    for (const v of this.values) if (v >= value) return v;
    return null;
  }

  /** atOrBefore returns the largest allowed value ≤ `value`, or null. */
  atOrBefore(value: number): number | null {
    for (let i = this.values.length - 1; i >= 0; i--) {
      const v = this.values[i] as number;
      if (v <= value) return v;
    }
    return null;
  }
}

/**
 * How day-of-month and day-of-week combine (robfig's rule): when either field was written as
 * `*` or `?` (its "star bit"), a day must match both, so the other field alone decides;
 * when both are restricted, a day matching either fires.
 */
export type DayRule = 'both' | 'either';

/** The five fields of a cron schedule, parsed. */
export interface CronFields {
  minutes: FieldSet;
  hours: FieldSet;
  daysOfMonth: FieldSet;
  months: FieldSet;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: FieldSet;
  dayRule: DayRule;
}

/** A local wall-clock minute, as a matcher sees it. */
export interface WallTime {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** wallMs writes a civil date and time as naive milliseconds (years 1–99 included, unlike Date.UTC). */
export function wallMs(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  if (year >= 100) return ms;
  const date = new Date(ms); // Date.UTC reads years 0–99 as 1900–1999
  date.setUTCFullYear(year);
  return date.getTime();
}

/** wallTimeOf reads naive milliseconds back as a wall-clock minute. */
export function wallTimeOf(ms: number): WallTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    weekday: date.getUTCDay(),
  };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(wallMs(year, month, day)).getUTCDay();
}

function dayMatches(fields: CronFields, year: number, month: number, day: number): boolean {
  const byMonthDay = fields.daysOfMonth.has(day);
  const byWeekday = fields.daysOfWeek.has(weekdayOf(year, month, day));
  return fields.dayRule === 'both' ? byMonthDay && byWeekday : byMonthDay || byWeekday;
}

/** matchesWall tells whether a wall-clock minute matches the fields. */
export function matchesWall(fields: CronFields, wall: WallTime): boolean {
  return (
    fields.minutes.has(wall.minute) &&
    fields.hours.has(wall.hour) &&
    fields.months.has(wall.month) &&
    dayMatches(fields, wall.year, wall.month, wall.day)
  );
}

/**
 * canEverFire tells whether some wall minute matches: false for `0 0 30 2 *` (no 30 February).
 * Every month has every weekday, so a weekday restriction never makes a schedule impossible on
 * its own; only a day-of-month that no allowed month has (29 February counts) can.
 */
export function canEverFire(fields: CronFields): boolean {
  if (fields.minutes.values.length === 0 || fields.hours.values.length === 0) return false;
  const dayExists = fields.months.values.some((month) =>
    fields.daysOfMonth.values.some((day) => day <= daysInMonth(2000, month)),
  );
  const anyWeekday = fields.daysOfWeek.values.length > 0 && fields.months.values.length > 0;
  return fields.dayRule === 'both' ? dayExists && anyWeekday : dayExists || anyWeekday;
}

/** firstWallAtOrAfter returns the earliest matching wall minute ≥ `start`, or null. */
export function firstWallAtOrAfter(fields: CronFields, start: number): number | null {
  let { year, month, day, hour, minute } = wallTimeOf(Math.ceil(start / MINUTE_MS) * MINUTE_MS);
  const lastYear = Math.min(LAST_YEAR, year + MAX_YEARS_BETWEEN_MATCHES);
  // Each step either returns or moves to the start of a later minute, hour, day, month or year.
  while (year <= lastYear) {
    const m = fields.months.atOrAfter(month);
    if (m === null) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (m !== month) [month, day, hour, minute] = [m, 1, 0, 0];
    if (day > daysInMonth(year, month) || !dayMatches(fields, year, month, day)) {
      if (day >= daysInMonth(year, month)) [month, day] = [month + 1, 1];
      else day += 1;
      [hour, minute] = [0, 0];
      continue;
    }
    const h = fields.hours.atOrAfter(hour);
    if (h === null) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (h !== hour) [hour, minute] = [h, 0];
    const mi = fields.minutes.atOrAfter(minute);
    if (mi === null) {
      [hour, minute] = [hour + 1, 0];
      continue;
    }
    return wallMs(year, month, day, hour, mi);
  }
  return null;
}

/** lastWallAtOrBefore returns the latest matching wall minute ≤ `end`, or null. */
export function lastWallAtOrBefore(fields: CronFields, end: number): number | null {
  let { year, month, day, hour, minute } = wallTimeOf(Math.floor(end / MINUTE_MS) * MINUTE_MS);
  const firstYear = Math.max(FIRST_YEAR, year - MAX_YEARS_BETWEEN_MATCHES);
  // Each step either returns or moves to the end of an earlier minute, hour, day, month or year.
  while (year >= firstYear) {
    const m = fields.months.atOrBefore(month);
    if (m === null) {
      [year, month, day, hour, minute] = [year - 1, 12, 31, 23, 59];
      continue;
    }
    if (m !== month) [month, day, hour, minute] = [m, 31, 23, 59];
    if (day > daysInMonth(year, month)) [day, hour, minute] = [daysInMonth(year, month), 23, 59];
    if (day < 1) {
      [month, day, hour, minute] = [month - 1, 31, 23, 59];
      continue;
    }
    if (!dayMatches(fields, year, month, day)) {
      [day, hour, minute] = [day - 1, 23, 59];
      continue;
    }
    const h = fields.hours.atOrBefore(hour);
    if (h === null) {
      [day, hour, minute] = [day - 1, 23, 59];
      continue;
    }
    if (h !== hour) [hour, minute] = [h, 59];
    const mi = fields.minutes.atOrBefore(minute);
    if (mi === null) {
      [hour, minute] = [hour - 1, 59];
      continue;
    }
    return wallMs(year, month, day, hour, mi);
  }
  return null;
}
