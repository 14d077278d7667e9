/** The schedule's interval around an instant, for "no successful Backup within N× the interval" alerts. */

import { isAnchored, mostRecentTick, nextTick } from './schedule.js';
import type { Schedule } from './schedule.js';

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
  // `@every` ticks are evenly spaced: the step after the next tick is the interval.
  if (isAnchored(schedule)) return stepAfter(schedule, { next, anchor });
  // Cron gaps vary (a weekend between hourly weekday ticks): the ticks before now are searched for however far back
  // they are (the search costs the same), not within a few steps.
  const previous = mostRecentTick(schedule, { after: -Infinity, atOrBefore: now });
  if (previous === null) return stepAfter(schedule, { next, anchor }); // now is before the calendar's first tick
  const beforePrevious = mostRecentTick(schedule, { after: -Infinity, atOrBefore: previous - 1 });
  return beforePrevious === null ? next - previous : Math.max(next - previous, previous - beforePrevious);
}

/** stepAfter returns the gap from a tick to the one after it, or null if it is the last. */
function stepAfter(schedule: Schedule, tick: { next: number; anchor: number }): number | null {
  const following = nextTick(schedule, { after: tick.next, anchor: tick.anchor });
  return following === null ? null : following - tick.next;
}
