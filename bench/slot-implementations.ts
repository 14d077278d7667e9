/** The slot implementations section 3 compares: ours (src/core/schedule.ts), upstream's port, the brute-force reference. */

import { mostRecentTick, parseSchedule } from '../src/core/schedule.js';
import type { SlotImplementations } from './slots.js';

/** slotImplementations binds the three implementations to the expressions of issue 7. */
export function slotImplementations(): SlotImplementations {
  return {
    ours(expression) {
      const parsed = parseSchedule(expression);
      if (!parsed.ok) throw new Error(`bench expression does not parse: ${parsed.error}`);
      return (window) => mostRecentTick(parsed.schedule, window);
    },
    upstream() {
      throw new Error('TODO(cron): bench/upstream-slot.ts is not merged yet');
    },
    reference() {
      throw new Error('TODO(cron): test/support/brute-force-ticks.ts is not merged yet');
    },
  };
}
