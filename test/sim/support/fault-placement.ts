/** Where a drawn fault lands in a run: the shared placement of the restart and stuck-cache arbitraries. */

import { isAnchored, nextTick, parseSchedule } from '../../../src/core/schedule.js';
import { scheduleSeed } from '../../../src/core/spec.js';
import type { BackupSchedule } from '../../../src/core/types.js';
import type { Scenario } from '../../../src/sim/scenario.js';

const MINUTE = 60_000;

/** A fault's drawn place, before the run it lands in is known. */
export interface DrawnPlace {
  /** Its instant, as a share of the run. */
  at: number;
  /** Whether it starts just after the first tick of the schedule after that instant, `offsetMs` after it. */
  onTick: boolean;
  offsetMs: number;
}

/**
 * placeInRun returns a drawn fault's offset from the run's start: the whole minute at its share of the run, or
 * `offsetMs` after the schedule's first tick after that minute (a whole minute still where the schedule has no such
 * tick in the run, cannot be read, or is an `@every`, whose ticks count from an anchor the scenario does not know).
 */
export function placeInRun(scenario: Scenario, place: DrawnPlace): number {
  const minute = Math.floor((place.at * scenario.durationMs) / MINUTE) * MINUTE;
  if (!place.onTick) return minute;
  const { schedule, timeZone } = scenario.schedule.spec;
  if (typeof schedule !== 'string') return minute;
  // Drawn from the schedule's namespace/name as the hook draws them: without the seed, H is refused.
  const seed = scheduleSeed({ metadata: { name: scenario.schedule.name, namespace: scenario.schedule.namespace } } as BackupSchedule);
  const parsed = parseSchedule(schedule, typeof timeZone === 'string' ? { timeZone, seed } : { seed });
  if (!parsed.ok || isAnchored(parsed.schedule)) return minute;
  const start = Date.parse(scenario.start);
  const tick = nextTick(parsed.schedule, { after: start + minute, anchor: start });
  if (tick === null || tick - start >= scenario.durationMs) return minute;
  return tick - start + place.offsetMs;
}
