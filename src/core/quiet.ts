/** Decide the quiet window before a tick: no Backup starts where a sync with an older view could start another. */

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
  const next = nextTick(schedule, { after: now, anchor: watermark ?? now });
  if (next === null) return { open: true };
  const previous = options.slot ?? (watermark === null ? null : mostRecentTick(schedule, { after: watermark, atOrBefore: now }));
  const quietMs = Math.min(options.staleViewGraceMs, previous === null ? Infinity : (next - previous) / 2);
  if (next - now >= quietMs) return { open: true };
  return {
    open: false,
    message:
      `the next tick ${formatTime(next)} is less than ${Math.round(quietMs / 1000)}s away (the stale-view grace, at most ` +
      `half the interval): a Backup started now could overlap the one a sync with an older view starts then, so it starts at that tick`,
    until: next,
    blocker: null,
  };
}
