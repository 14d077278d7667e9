/**
 * A port of TiDB Operator's slot algorithm (`getLastScheduledTime`, see
 * ../shared/reference/tidb-backupschedule.md §5 step 6) on this project's nextTick, for the bench
 * (issue 7 §3) to set next to mostRecentTick: iterate next() from the watermark, collecting ticks at or
 * before now; more than 1000 missed ticks is "too many" (upstream then moves its watermark and runs
 * nothing in this pass).
 */

import { nextTick } from '../src/core/schedule.js';
import type { Schedule, TickWindow } from '../src/core/schedule.js';

/** Upstream's cap on collected missed ticks. */
export const UPSTREAM_MAX_MISSED_TICKS = 1000;

/** What upstream's loop finds. */
export interface UpstreamSlot {
  /** The newest tick in (after, atOrBefore], or null (none, or too many). */
  slot: number | null;
  /** Ticks visited by the loop (its cost). */
  visited: number;
  /** More than 1000 ticks were missed: upstream gives up on this pass. */
  tooMany: boolean;
}

/** upstreamSlot walks nextTick from the watermark (`after`) to now (`atOrBefore`), as upstream does. */
export function upstreamSlot(schedule: Schedule, window: TickWindow): UpstreamSlot {
  const { after: watermark, atOrBefore: now } = window;
  if (watermark > now) return { slot: null, visited: 0, tooMany: false }; // "timestamp fallback": wait
  const missed: number[] = [];
  for (let t = nextTick(schedule, { after: watermark, anchor: watermark }); t !== null && t <= now; t = nextTick(schedule, { after: t, anchor: watermark })) {
    missed.push(t);
    if (missed.length > UPSTREAM_MAX_MISSED_TICKS) return { slot: null, visited: missed.length, tooMany: true };
  }
  return { slot: missed.at(-1) ?? null, visited: missed.length, tooMany: false };
}
