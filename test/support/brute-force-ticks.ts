/**
 * A brute-force tick reference (a test oracle; the bench imports it too). It walks UTC minute by
 * minute, reads each minute's local wall time from a table of the zone's offsets (precomputed with
 * Intl's `longOffset` names, a different path from the module's), and applies the DST policy literally:
 * - a UTC minute whose wall time matches is a tick unless an earlier instant showed the same wall
 *   time (fall back: first occurrence only);
 * - the first UTC minute after a gap is a tick if any skipped wall minute matches (spring forward).
 * It knows nothing of `@every`; whole-minute offsets are assumed (true for every zone since 1970).
 */

import type { WallTime } from '../../src/core/schedule.js';

/** A cron schedule's meaning, written independently of the module: does a wall minute match? */
export type WallMatcher = (wall: WallTime) => boolean;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** The table starts this long before the first instant asked about, to see earlier occurrences. */
const MARGIN_MS = 2 * 86_400_000;

/** offsetByIntl reads a zone's offset in milliseconds at an instant from Intl's "GMT+hh:mm[:ss]" name. */
export function offsetByIntl(format: Intl.DateTimeFormat, instant: number): number {
  const name = format.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (m === null) throw new Error(`unexpected offset name ${JSON.stringify(name)}`);
  const [, sign, hh = '0', mm = '0', ss = '0'] = m;
  const ms = (Number(hh) * 3600 + Number(mm) * 60 + Number(ss)) * 1000;
  return sign === '-' ? -ms : ms;
}

/** wallTimeOfNaive reads a wall-clock instant (epoch ms of the wall time read as UTC) as a WallTime. */
export function wallTimeOfNaive(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/** BruteForceClock holds a zone's offset for every UTC minute of a range and enumerates ticks in it. */
export class BruteForceClock {
  readonly timeZone: string;
  /** First UTC minute of the table. */
  readonly start: number;
  /** Offset in milliseconds of each UTC minute from `start`. */
  readonly #offsets: Float64Array;
  readonly #distinctOffsets: readonly number[];

  /** `range.offsetAt` replaces Intl as the source of the zone's offsets (another tz database, such as Go's). */
  constructor(timeZone: string, range: { from: number; to: number; offsetAt?: (instant: number) => number }) {
    this.timeZone = timeZone;
    this.start = Math.floor((range.from - MARGIN_MS) / HOUR_MS) * HOUR_MS;
    const end = Math.ceil((range.to + HOUR_MS) / HOUR_MS) * HOUR_MS;
    this.#offsets = new Float64Array((end - this.start) / MINUTE_MS);
    const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    const offsetOf = range.offsetAt ?? ((instant: number): number => offsetByIntl(format, instant));
    // Probe every hour; fill an hour whose two ends differ minute by minute (one change per hour at most).
    let previous = offsetOf(this.start);
    for (let hour = this.start; hour < end; hour += HOUR_MS) {
      const next = offsetOf(hour + HOUR_MS);
      for (let i = 0; i < 60; i++) {
        const minute = hour + i * MINUTE_MS;
        this.#offsets[(minute - this.start) / MINUTE_MS] = previous === next ? previous : offsetOf(minute);
      }
      previous = next;
    }
    this.#distinctOffsets = [...new Set(this.#offsets)];
  }

  /** offsetAt returns the offset (ms) of the UTC minute containing `instant`, inside the table. */
  offsetAt(instant: number): number | undefined {
    return this.#offsets[Math.floor((instant - this.start) / MINUTE_MS)];
  }

  /** transitions lists the instants in (from, to] where the offset changes. */
  transitions(from: number, to: number): number[] {
    const found: number[] = [];
    for (let u = Math.floor(from / MINUTE_MS) * MINUTE_MS + MINUTE_MS; u <= to; u += MINUTE_MS) {
      if (this.offsetAt(u) !== this.offsetAt(u - MINUTE_MS)) found.push(u);
    }
    return found;
  }

  /** ticks lists every tick in (after, atOrBefore], ascending. */
  ticks(matches: WallMatcher, window: { after: number; atOrBefore: number }): number[] {
    const found: number[] = [];
    const first = Math.floor(window.after / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    for (let u = first; u <= window.atOrBefore; u += MINUTE_MS) {
      if (this.isTick(matches, u)) found.push(u);
    }
    return found;
  }

  /** isTick applies the DST policy to one UTC minute. */
  isTick(matches: WallMatcher, u: number): boolean {
    const offset = this.offsetAt(u);
    const previousOffset = this.offsetAt(u - MINUTE_MS);
    if (offset === undefined || previousOffset === undefined) throw new Error('instant outside the table');
    const wall = u + offset;
    if (matches(wallTimeOfNaive(wall)) && this.#firstShowing(u, wall)) return true;
    const previousWall = u - MINUTE_MS + previousOffset;
    for (let skipped = previousWall + MINUTE_MS; skipped < wall; skipped += MINUTE_MS) {
      if (matches(wallTimeOfNaive(skipped))) return true;
    }
    return false;
  }

  /** Whether no earlier instant in the table showed this wall time. */
  #firstShowing(u: number, wall: number): boolean {
    for (const offset of this.#distinctOffsets) {
      const earlier = wall - offset;
      if (earlier < u && earlier >= this.start && this.offsetAt(earlier) === offset) return false;
    }
    return true;
  }
}

/** bruteForceTicks lists every tick in (after, atOrBefore] of a wall-time matcher in a zone. */
export function bruteForceTicks(matches: WallMatcher, options: { timeZone: string; after: number; atOrBefore: number }): number[] {
  const clock = new BruteForceClock(options.timeZone, { from: options.after, to: options.atOrBefore });
  return clock.ticks(matches, options);
}

/** bruteForceMostRecent returns the newest tick in (after, atOrBefore], or null, the slow way. */
export function bruteForceMostRecent(matches: WallMatcher, options: { timeZone: string; after: number; atOrBefore: number }): number | null {
  const clock = new BruteForceClock(options.timeZone, { from: options.after, to: options.atOrBefore });
  const first = Math.floor(options.after / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (let u = Math.floor(options.atOrBefore / MINUTE_MS) * MINUTE_MS; u >= first; u -= MINUTE_MS) {
    if (clock.isTick(matches, u)) return u;
  }
  return null;
}
