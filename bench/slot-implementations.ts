/** The slot implementations section 3 compares: ours (src/core/schedule.ts), upstream's port, the brute-force reference. */

import { mostRecentTick, parseSchedule } from '../src/core/schedule.js';
import type { Schedule } from '../src/core/schedule.js';
import { bruteForceMostRecent } from '../test/support/brute-force-ticks.js';
import type { SlotImplementations } from './slots.js';
import { upstreamSlot } from './upstream-slot.js';

/** slotImplementations binds the three implementations (UTC, the default zone). */
export function slotImplementations(): SlotImplementations {
  return {
    ours(expression) {
      const schedule = parsed(expression);
      return (window) => mostRecentTick(schedule, window);
    },
    upstream(expression) {
      const schedule = parsed(expression);
      return (window) => {
        const found = upstreamSlot(schedule, window);
        return { slot: found.slot, nextCalls: found.visited, tooMany: found.tooMany };
      };
    },
    reference(matches, window) {
      return bruteForceMostRecent(matches, { timeZone: 'UTC', ...window });
    },
  };
}

function parsed(expression: string): Schedule {
  const result = parseSchedule(expression);
  if (!result.ok) throw new Error(`bench expression ${JSON.stringify(expression)} does not parse: ${result.error}`);
  return result.schedule;
}
