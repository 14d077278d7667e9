/**
 * The pin-race hunt's worlds in three more situations, each drawn after the plain hunt's world (`pin-race-arbitrary.ts`),
 * so that a seed's plain worlds are unchanged and each situation's world is the plain one plus what it adds:
 * - `groups`: the schedule in a schedule group with one or two siblings due 0 to 3 minutes before or after it (the
 *   same spec and retention, without the log), taking turns; one Metacontroller worker or five; half the plain world's
 *   length (three schedules, five workers: several times its syncs). Every schedule retires its own Backups in its own
 *   syncs, which its siblings' changes trigger too; the steps are the plain hunt's, aimed at any schedule's retirements.
 * - `clock`: pins and unpins next to a step of the hook's clock within the lag bound, either way, placed around the
 *   retiring sync (`pin-race-companions.ts`).
 * - `stuck`: pins and unpins in a window in which the watch cache is stuck past the lag bound (1 minute to 4 hours),
 *   placed around the retiring sync.
 * A clock step moves only a retirement the hook's clock decides: by `maxReservedTime` without a log Backup (with one, the
 * cutoff counts back from the log's checkpoint and the snapshots' commits, cluster times). A stuck window holds back
 * what a count rule waits for (a newer Backup Complete), so its retirement comes after the window, with the pin; one by
 * age comes on the hook's call-back, from the stuck view. So three clock and stuck worlds in four retire by age on the
 * hook's clock (`retiredByAge`); the others keep the rule and log drawn.
 */

import fc from 'fast-check';

import { GROUP_LABEL } from '../../../src/core/group.js';
import type { JsonObject } from '../../../src/core/types.js';
import type { InvariantNumber } from '../../../src/sim/invariants/types.js';
import type { Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';
import type { Companion } from './pin-race-companions.js';
import { pinRaceCaseArb } from './pin-race-arbitrary.js';
import { SCHEDULES } from './pin-race-arbitrary.js';
import type { PinRaceCase } from './pin-race-arbitrary.js';
import type { PinRaceStep } from './pin-race.js';

/** A situation of the hunt beyond its plain worlds. */
export type PinRaceSituation = 'groups' | 'clock' | 'stuck';

/**
 * The invariants each kind of world is run under: 1–9 and 11 for the plain worlds and beside clock steps; in a group
 * 5 gives way to 10 (a group's due tick may wait behind a sibling until it is missed); with a stuck cache 2 does not
 * hold (a Backup started in the window is not in the view once its grace is over: docs/simulator.md), and the stuck
 * time counts as lag.
 */
export const PIN_RACE_INVARIANTS: Readonly<Record<'plain' | PinRaceSituation, readonly InvariantNumber[]>> = {
  plain: [1, 2, 3, 4, 5, 6, 7, 8, 9, 11],
  groups: [1, 2, 3, 4, 6, 7, 8, 9, 10, 11],
  clock: [1, 2, 3, 4, 5, 6, 7, 8, 9, 11],
  stuck: [1, 3, 4, 5, 6, 7, 8, 9, 11],
};

/** The names of the siblings: one sorts before the schedule (`nightly`), one after, so turns by name go either way. */
const SIBLING_NAMES = ['alpha', 'zulu'] as const;

/**
 * nearSchedule is a schedule due `minutes` (−3 to 3) after each tick of one of the hunt's schedules: `@every 45m`'s
 * neighbours tick 10 s more or less often per minute drawn (their k-th ticks k times that apart, as every `@every`
 * counts from the schedules' common creation).
 */
export function nearSchedule(expression: string, minutes: number): string {
  const m = (n: number, of: number): number => ((n % of) + of) % of;
  switch (expression) {
    case '*/10 * * * *':
      return minutes === 0 ? expression : `${m(minutes, 10)}-59/10 * * * *`;
    case '0 * * * *':
      return `${m(minutes, 60)} * * * *`;
    case '@every 45m': {
      const seconds = 45 * 60 + 10 * minutes;
      return `@every ${Math.floor(seconds / 60)}m${seconds % 60}s`;
    }
    case '0 */6 * * *':
      return minutes < 0 ? `${60 + minutes} 5,11,17,23 * * *` : `${minutes} */6 * * *`;
    default:
      throw new Error(`no near schedule for "${expression}": add one to nearSchedule`);
  }
}

/** groupWorld puts the world's schedule in a group with a sibling per drawn offset (in minutes), run by `workers` workers. */
export function groupWorld(world: Scenario, options: { offsets: readonly number[]; workers: number }): Scenario {
  const labels = { [GROUP_LABEL]: 'g' };
  const { logBackupTemplate: _log, compactBackupTemplate: _compact, compactInterval: _interval, ...spec } = world.schedule.spec;
  const expression = String(world.schedule.spec['schedule']);
  return {
    ...world,
    schedule: { ...world.schedule, labels },
    siblings: options.offsets.map((minutes, i) => ({ name: SIBLING_NAMES[i] ?? `sibling-${i}`, namespace: world.schedule.namespace, labels, spec: { ...(spec as JsonObject), schedule: nearSchedule(expression, minutes) } })),
    metacontroller: { ...world.metacontroller, workers: options.workers },
  };
}

/**
 * retiredByAge makes a world retire by `maxReservedTime` alone, 2 to 6 intervals (`share` of that range), on the hook's
 * clock: without its log Backup and compaction.
 */
export function retiredByAge(world: Scenario, share: number): Scenario {
  const expression = String(world.schedule.spec['schedule']);
  const interval = SCHEDULES.find((s) => s.expression === expression)?.minIntervalMs;
  if (interval === undefined) throw new Error(`"${expression}" is not one of the hunt's schedules: add it to SCHEDULES`);
  const { logBackupTemplate: _log, compactBackupTemplate: _compact, compactInterval: _interval, maxBackups: _count, retention: _gfs, ...spec } = world.schedule.spec;
  const { compactBackups: _component, ...metacontroller } = world.metacontroller;
  return { ...world, metacontroller, schedule: { ...world.schedule, spec: { ...spec, maxReservedTime: `${Math.round(((2 + 4 * share) * interval) / 60_000)}m` } } };
}

const share = evenDouble({ min: 0, max: 1 });

const clockArb: fc.Arbitrary<Companion> = fc.record({ kind: fc.constant('clock' as const), at: share, by: share });
const stuckArb: fc.Arbitrary<Companion> = fc.record({
  kind: fc.constant('stuck' as const),
  at: share,
  length: share,
  which: fc.constantFrom('children' as const, 'children' as const, 'all' as const, 'all' as const, 'parents' as const),
});

/** Steps with a companion: two pins for each unpin, as the plain hunt draws them. */
function companionStepsArb(companion: fc.Arbitrary<Companion>): fc.Arbitrary<PinRaceStep[]> {
  const step = fc.record({
    kind: fc.constantFrom('pin' as const, 'pin' as const, 'unpin' as const),
    target: evenDouble({ min: 0, max: 1, maxExcluded: true }),
    offset: share,
    second: fc.constant(0.5),
    companion,
  });
  return fc.array(step, { minLength: 1, maxLength: 4 });
}

/** pinRaceSituationArb draws a world of the hunt in one situation, and its steps. */
export function pinRaceSituationArb(situation: PinRaceSituation): fc.Arbitrary<PinRaceCase> {
  const base = pinRaceCaseArb();
  if (situation === 'groups') {
    const group = fc.record({ offsets: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 2 }), workers: fc.constantFrom(1, 5) });
    return fc.tuple(base, group).map(([plain, drawn]) => ({ world: groupWorld({ ...plain.world, durationMs: plain.world.durationMs / 2 }, drawn), steps: plain.steps }));
  }
  // One world in four (fc.option: nil once in freq) keeps its rule and log.
  const age = fc.option(share, { freq: 4, nil: null });
  const steps = companionStepsArb(situation === 'clock' ? clockArb : stuckArb);
  return fc.tuple(base, age, steps).map(([plain, byAge, drawn]) => ({ world: byAge === null ? plain.world : retiredByAge(plain.world, byAge), steps: drawn }));
}
