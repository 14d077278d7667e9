/**
 * Local wall clocks of IANA time zones, read through Intl (private to schedule.ts).
 *
 * A zone's wall clock W(t) = t + offset(t) mostly runs forward; it jumps ahead over a gap (spring
 * forward) and back over a repeated interval (fall back). Two questions answer every schedule query:
 * - {@link highestWallAtOrBefore}: the latest reading the clock has shown up to an instant;
 * - {@link firstInstantShowing}: the first instant the clock shows a reading or a later one.
 * Both assume that a zone's offset changes at most once within a day on either side of the instant
 * asked about, which holds for every zone in tzdata (transitions are months apart).
 */

import { wallMs } from './_cron_fields.js';

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/** A time zone's offset function. */
export interface Zone {
  /** The name as written by the user. */
  readonly name: string;
  /** offsetAt returns the zone's UTC offset in milliseconds at an instant. */
  offsetAt(instant: number): number;
}

const UTC: Omit<Zone, 'name'> = { offsetAt: () => 0 };

/** zoneNamed returns the zone of an IANA name, or null if Intl does not know the name. */
export function zoneNamed(name: string): Zone | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null;
  }
  if (format.resolvedOptions().timeZone === 'UTC') return { name, ...UTC };
  return { name, offsetAt: (instant) => offsetFromFormat(format, instant) };
}

function offsetFromFormat(format: Intl.DateTimeFormat, instant: number): number {
  const second = Math.floor(instant / SECOND_MS) * SECOND_MS;
  const part: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(second)) part[type] = Number(value);
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0, second: s = 0 } = part;
  // hour % 24: some ICU versions write midnight as 24 even with hourCycle h23.
  return wallMs(year, month, day, hour % 24, minute) + s * SECOND_MS - second;
}

/**
 * firstChange returns the first instant in (from, to] whose offset is the offset at `to`, given that
 * the offset changes once in between. Transitions fall on whole seconds, so it bisects seconds.
 */
function firstChange(zone: Zone, from: number, to: number): number {
  const target = zone.offsetAt(to);
  let low = Math.floor(from / SECOND_MS); // offset here differs from target
  let high = Math.floor(to / SECOND_MS); // offset here is target
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (zone.offsetAt(mid * SECOND_MS) === target) high = mid;
    else low = mid;
  }
  return high * SECOND_MS;
}

/**
 * highestWallAtOrBefore returns max W(u) over u ≤ instant: the wall reading itself, except during the
 * second pass through a repeated interval, where it is the reading just before the clock went back.
 */
export function highestWallAtOrBefore(zone: Zone, instant: number): number {
  const now = zone.offsetAt(instant);
  const dayBefore = zone.offsetAt(instant - DAY_MS);
  if (dayBefore <= now) return instant + now; // no fall back within the last day
  const setBack = dayBefore - now;
  if (zone.offsetAt(instant - setBack) === now) return instant + now; // the repeated interval is over
  const change = firstChange(zone, instant - setBack, instant);
  return change - 1 + dayBefore;
}

/**
 * firstInstantShowing returns the first instant u with W(u) ≥ wall: the first occurrence of a
 * repeated reading, or, for a reading the clock skips, the instant the gap ends.
 */
export function firstInstantShowing(zone: Zone, wall: number): number {
  const before = zone.offsetAt(wall - DAY_MS);
  const after = zone.offsetAt(wall + DAY_MS);
  const early = wall - before;
  const late = wall - after;
  const shows = (u: number): boolean => zone.offsetAt(u) === wall - u;
  if (shows(early) && shows(late)) return Math.min(early, late);
  if (shows(early)) return early;
  if (shows(late)) return late;
  // Skipped: offsets `before` until the gap, `after` from its end; the end lies in (late, early].
  return late < early ? firstChange(zone, late, early) : early;
}
