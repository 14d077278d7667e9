/** The schedule's interval around an instant, for "no successful Backup within N× the interval" alerts. */

import { mostRecentTick, nextTick } from './schedule.js';
import type { Schedule } from './schedule.js';

/** How many schedule steps before the anchor the search for past ticks reaches. */
const LOOKBACK_STEPS = 8;

/** Options of {@link expectedIntervalMs}. */
export interface IntervalOptions {
  now: number;
  /** Anchor of `@every` schedules (the last slot or the watermark); ignored by cron schedules. */
  anchor: number;
}

/**
 * expectedIntervalMs returns the longest gap among the tick gap that contains `now` and the one before it, so an
 * irregular schedule ("0 2 * * 1-5") reports its weekend gap until the first weekday tick has run; null if the
 * schedule has no future tick.
 */
export function expectedIntervalMs(schedule: Schedule, options: IntervalOptions): number | null {
  const { now, anchor } = options;
  const next = nextTick(schedule, { after: now, anchor });
  if (next === null) return null;
  const following = nextTick(schedule, { after: next, anchor });
  const step = following === null ? null : following - next;
  // Reaching back whole steps keeps an `@every` window aligned to its anchor (its step is its duration).
  const from = Math.min(anchor, now) - LOOKBACK_STEPS * (step ?? 0);
  const previous = step === null ? null : mostRecentTick(schedule, { after: from, atOrBefore: now });
  const beforePrevious = previous === null ? null : mostRecentTick(schedule, { after: from, atOrBefore: previous - 1 });
  const gaps: number[] = [];
  if (previous !== null) gaps.push(next - previous);
  if (previous !== null && beforePrevious !== null) gaps.push(previous - beforePrevious);
  if (gaps.length === 0 && step !== null) gaps.push(step);
  return gaps.length === 0 ? null : Math.max(...gaps);
}
