/**
 * The pin-race hunt in its three further situations (`support/pin-race-situations.ts`, `support/pin-race-companions.ts`),
 * on the hourly world of test/sim/pins.test.ts (every Backup Complete 63 s after it starts, every change of a Backup
 * 20 s on its way to the cache, calls of 1 ms): in a schedule group, beside a step of the hook's clock, in a stuck
 * watch cache. In each the hunt's placement lands where it says, the real hook loses a pin only to a view that lacked
 * it, and a hook that ignores pins is caught (invariant 4, outcome `retired-pinned`).
 */

import assert from 'node:assert/strict';

import { USER_DELETION } from '../../src/sim/recorder.js';
import type { Fault } from '../../src/sim/scenario.js';
import { runScenario } from '../../src/sim/world.js';
import { brokenHooks } from './support/broken-hooks.js';
import { HOURLY_PIN_WORLD_LAG_MS, hourlyPinWorld } from './support/hourly-pin-world.js';
import { PIN_RACE_INVARIANTS, groupWorld, retiredByAge } from './support/pin-race-situations.js';
import { huntPinRaces, outcomeOf, runPinRaceWorld } from './support/pin-race.js';
import type { PinRaceHunt, PinRaceRun, PinRaceStep, PlacedPin } from './support/pin-race.js';

const LAG = HOURLY_PIN_WORLD_LAG_MS;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2024-05-01T00:00:00Z');
const at = (iso: string): number => Date.parse(iso);
/** The real hook given every request without its pins (its report names the pinned Backup's rule). */
// Its runs judge invariant 4 alone: it also breaks 6 (its answers are not the real hook's), which re-decides every sync.
const IGNORES_PINS = brokenHooks(hourlyPinWorld([]).hook).find((h) => h.name.startsWith('ignores pins'))?.hook;

/** pin is a `pin` step aimed at the first qualifying retirement, at offset share `offset`. */
function pin(offset: number, companion?: PinRaceStep['companion']): PinRaceStep {
  return { kind: 'pin', target: 0, offset, second: 0.5, ...(companion === undefined ? {} : { companion }) };
}

/** pinnedDeletions lists the Backups invariant 4 reports as deleted although the view showed them pinned. */
function pinnedDeletions(hunt: Pick<PinRaceHunt, 'runs'>): string[] {
  const messages = hunt.runs.flatMap((r) => r.violations).filter((v) => v.invariant === 4 && /is pinned in the view/.test(v.message));
  return [...new Set(messages.map((v) => v.message.split(' ')[0] ?? ''))].sort();
}

describe('sim: pin-race hunt in schedule groups, beside clock steps, in stuck caches', function () {
  this.timeout(0);
  assert.ok(IGNORES_PINS !== undefined, 'broken-hooks.ts has the hook that ignores pins');

  describe('a schedule group: alpha and hourly due at the same slot, alpha first by name', () => {
    // Four hours: the retirements aimed at come at 03:01 and 03:02 (a group runs invariant 10, not 5's settling).
    const world = groupWorld({ ...hourlyPinWorld([]), durationMs: 4 * HOUR }, { offsets: [0], workers: 1 });
    const invariants = [...PIN_RACE_INVARIANTS.groups];
    // A pin on the sibling's Backup half a lag before its retirement, then one on the schedule's own two lags before its.
    const steps = [pin(1 / 2), pin(0)];

    it("finds each schedule's retirements, the schedule's after its turn, and a pin on either lands against its own", async () => {
      const hunt = await huntPinRaces(world, steps, { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      const dry = hunt.runs[0]?.retirements.slice(0, 2).map((r) => [r.schedule, r.name, new Date(r.readAt).toISOString()]);
      // alpha's 03:00 Backup is Complete at 03:01:03 and in the view at 03:01:23; hourly's waited for it, so its own came 83 s later.
      assert.deepEqual(dry, [
        ['alpha', 'alpha-2024-05-01t01-00-00', '2024-05-01T03:01:23.001Z'],
        ['hourly', 'hourly-2024-05-01t01-00-00', '2024-05-01T03:02:46.003Z'],
      ]);
      assert.deepEqual(
        hunt.placed.map((p) => [p.schedule, new Date(p.writtenAt).toISOString()]),
        [
          ['alpha', '2024-05-01T03:01:13.001Z'],
          ['hourly', '2024-05-01T03:02:06.003Z'],
        ],
      );
      assert.deepEqual(hunt.outcomes, ['lost-race', 'kept']);
    });

    it('a hook that ignores pins is caught on both schedules', async () => {
      const hunt = await huntPinRaces(world, [pin(0), pin(0)], { invariants: [4], lastShare: 1, hook: IGNORES_PINS });
      assert.deepEqual(hunt.outcomes, ['retired-pinned', 'retired-pinned']);
      assert.deepEqual(pinnedDeletions(hunt), ['alpha-2024-05-01t01-00-00', 'hourly-2024-05-01t01-00-00']);
    });

    it("a user's deletion of the sibling's Backup by name (a pin-deleted step) is recorded as the sibling's, by a user", async () => {
      const name = 'alpha-2024-05-01t01-00-00';
      const deleted = await runScenario({ ...world, durationMs: 2 * HOUR, faults: [{ kind: 'backups-deleted', atMs: 90 * MINUTE, which: 'oldest', name }] });
      const [alpha, hourly] = ['alpha', 'hourly'].map((n) => deleted.schedules.find((s) => s.setup.name === n)?.recorder);
      assert.equal([...(alpha?.backups.values() ?? [])].find((r) => r.name === name)?.deletionReason, USER_DELETION);
      assert.deepEqual([...(hourly?.backups.values() ?? [])].map((r) => [r.name, r.deletionReason]), [['hourly-2024-05-01t01-00-00', null]]);
    });
  });

  describe('beside a clock step: maxReservedTime 2h, the 01:00 Backup retired on the call-back at 03:00:04.002', () => {
    const world = retiredByAge(hourlyPinWorld([]), 0);
    const invariants = [...PIN_RACE_INVARIANTS.clock];
    // The step at a lag before the retirement (share 0.4 of [−2×lag, +½×lag]), by a lag forward (1) or back (0).
    const forward = { kind: 'clock' as const, at: 0.4, by: 1 };
    const back = { kind: 'clock' as const, at: 0.4, by: 0 };

    it('a step forward brings the retirement to the 03:00 tick’s sync, and the pin lands against that', async () => {
      const hunt = await huntPinRaces(world, [pin(0, forward)], { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      const [placed] = hunt.placed;
      assert.deepEqual(placed?.companion, { fault: { kind: 'clock-jump', atMs: at('2024-05-01T02:59:44.002Z') - START, byMs: LAG }, targetBefore: at('2024-05-01T03:00:04.002Z') });
      assert.equal(placed.targetReadAt, at('2024-05-01T03:00:00.000Z'));
      assert.equal(placed.writtenAt, at('2024-05-01T02:59:20.000Z'));
      assert.deepEqual(hunt.outcomes, ['kept']);
    });

    it('a step back puts it off by the step, past a pin written after the old retirement', async () => {
      const hunt = await huntPinRaces(world, [pin(1 / 2, back)], { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      assert.equal(hunt.placed[0]?.targetReadAt, at('2024-05-01T03:00:24.002Z'));
      assert.equal(hunt.placed[0]?.writtenAt, at('2024-05-01T03:00:14.002Z'));
      assert.deepEqual(hunt.outcomes, ['lost-race']);
    });

    it('the step is what loses a pin written at 02:59:44: kept without it, lost to the race with it', async () => {
      const pinAt: Fault = { kind: 'backup-pinned', atMs: at('2024-05-01T02:59:44.002Z') - START, which: 'oldest', name: 'hourly-2024-05-01t01-00-00' };
      const step: Fault = { kind: 'clock-jump', atMs: at('2024-05-01T02:59:44.002Z') - START, byMs: LAG };
      const placed = { kind: 'pin' as const, name: 'hourly-2024-05-01t01-00-00', schedule: 'hourly', pin: true, writtenAt: START + pinAt.atMs, targetReadAt: 0, reason: '', phase: '' };
      const [without, withStep] = await Promise.all([runPinRaceWorld({ ...world, faults: [pinAt] }, invariants), runPinRaceWorld({ ...world, faults: [step, pinAt] }, invariants)]);
      assert.deepEqual([...without.violations, ...withStep.violations], []);
      assert.deepEqual([outcomeOf(placed, without, { lagMs: LAG }), outcomeOf(placed, withStep, { lagMs: LAG })], ['kept', 'lost-race']);
    });

    it('a hook that ignores pins is caught beside a step back', async () => {
      const hunt = await huntPinRaces(world, [pin(0, back)], { invariants: [4], lastShare: 1, hook: IGNORES_PINS });
      assert.deepEqual(hunt.outcomes, ['retired-pinned']);
      assert.deepEqual(pinnedDeletions(hunt), ['hourly-2024-05-01t01-00-00']);
    });
  });

  describe('in a stuck watch cache (children, 30 minutes)', () => {
    const invariants = [...PIN_RACE_INVARIANTS.stuck];
    // 240^0.62 ≈ 30 minutes.
    const stuck = (share: number) => ({ kind: 'stuck' as const, at: share, length: 0.62, which: 'children' as const });

    it('a pin written in the window is not in the stuck view that retires the Backup by age: lost while stuck, no violation', async () => {
      // The window from 02:52:34 (a quarter of 1.25 windows before the retirement); the pin in the middle of its range.
      const hunt = await huntPinRaces(retiredByAge(hourlyPinWorld([]), 0), [pin(1 / 2, stuck(0.2))], { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      const [placed] = hunt.placed;
      assert.deepEqual(placed?.companion?.fault, { kind: 'cache-stuck', atMs: at('2024-05-01T02:52:34.002Z') - START, forMs: 1_800_000, which: 'children' });
      assert.equal(placed.targetReadAt, at('2024-05-01T03:00:04.002Z'), 'the call-back retires it from the stuck view');
      assert.equal(placed.writtenAt, at('2024-05-01T02:56:19.002Z'));
      assert.deepEqual(hunt.outcomes, ['lost-while-stuck']);
      assert.equal(hunt.runs.at(-1)?.arrivals[0]?.at, at('2024-05-01T03:22:54.002Z'), 'the pin arrives a lag after the window');
    });

    it('a window that holds the Complete a count rule waits for moves the retirement past it, and a pin in it arrives with it: kept', async () => {
      const hunt = await huntPinRaces(hourlyPinWorld([]), [pin(1 / 2, stuck(0.05))], { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      assert.equal(hunt.placed[0]?.companion?.targetBefore, at('2024-05-01T03:01:23.001Z'));
      assert.equal(hunt.placed[0]?.targetReadAt, at('2024-05-01T03:29:50.501Z'));
      assert.deepEqual(hunt.outcomes, ['kept']);
    });

    it('a pin the view showed before the window is kept from the stuck view; a hook that ignores pins is caught there', async () => {
      const world = retiredByAge(hourlyPinWorld([]), 0);
      const faults: Fault[] = [
        { kind: 'backup-pinned', atMs: at('2024-05-01T02:51:34.002Z') - START, which: 'oldest', name: 'hourly-2024-05-01t01-00-00' },
        { kind: 'cache-stuck', atMs: at('2024-05-01T02:52:34.002Z') - START, forMs: 1_800_000, which: 'children' },
      ];
      const [real, broken] = await Promise.all([runPinRaceWorld({ ...world, faults }, invariants), runPinRaceWorld({ ...world, faults }, [4], { hook: IGNORES_PINS })]);
      assert.deepEqual(real.violations, []);
      assert.equal(real.retirements.find((r) => r.name === 'hourly-2024-05-01t01-00-00'), undefined);
      assert.deepEqual(
        broken.retirements.filter((r) => r.name === 'hourly-2024-05-01t01-00-00').map((r) => [new Date(r.readAt).toISOString(), r.pinnedInView]),
        [['2024-05-01T03:00:04.002Z', true]],
      );
      assert.deepEqual(pinnedDeletions({ runs: [broken] }), ['hourly-2024-05-01t01-00-00']);
    });

    it('a pin and an unpin held by one window arrive together, and the Backup goes with the unpin: kept until unpinned, not lost after a relist', async () => {
      // Backups Complete 0.8 s after they start, before the pin a second after the creation: the window holds the pin alone.
      const base = hourlyPinWorld([]);
      const world = { ...base, executor: { ...base.executor, jobStartMs: [100, 100] as const, podStartMs: [100, 100] as const, prepareMs: [100, 100] as const, runMs: [500, 500] as const } };
      const name = 'hourly-2024-05-01t01-00-00';
      const pinAt = at('2024-05-01T01:00:01.001Z');
      const unpinAt = at('2024-05-01T01:30:00Z');
      const faults: Fault[] = [
        { kind: 'backup-pinned', atMs: pinAt - START, which: 'oldest', name },
        { kind: 'cache-stuck', atMs: at('2024-05-01T01:00:20.950Z') - START, forMs: 2 * HOUR, which: 'children' },
        { kind: 'backup-unpinned', atMs: unpinAt - START, which: 'oldest', name },
      ];
      const run = await runPinRaceWorld({ ...world, faults }, invariants);
      assert.deepEqual(run.violations, []);
      const together = at('2024-05-01T03:00:40.950Z');
      assert.deepEqual(run.arrivals, [{ name, pinned: true, at: together }, { name, pinned: false, at: together }]);
      assert.deepEqual(run.retirements.filter((r) => r.name === name).map((r) => [r.readAt, r.pinnedInView]), [[together, false]]);
      const placed = { kind: 'unpin' as const, name, schedule: 'hourly', pin: true, writtenAt: pinAt, targetReadAt: 0, reason: '', phase: '' };
      assert.deepEqual([outcomeOf(placed, run, { lagMs: LAG }), outcomeOf({ ...placed, pin: false, writtenAt: unpinAt }, run, { lagMs: LAG })], ['kept-until-unpinned', 'retired-after-unpin']);
    });

    it('a window that begins before the Backup is made places no pin before it, and a write that changed nothing is a no-op', async () => {
      // 4 hours from 3.5 h before the 03:00:04 retirement (0.7 × 1.25 × 4 h), which is before the run: from its first
      // millisecond. The 01:00 Backup is made at 01:00:00.001.
      const hunt = await huntPinRaces(retiredByAge(hourlyPinWorld([]), 0), [pin(0, { kind: 'stuck', at: 0.7, length: 1, which: 'children' })], { invariants, lastShare: 1 });
      assert.deepEqual(hunt.runs.flatMap((r) => r.violations), []);
      assert.equal(hunt.placed[0]?.companion?.fault.atMs, 1);
      assert.equal(hunt.placed[0]?.writtenAt, at('2024-05-01T01:00:01.001Z'), 'a second after the Backup is made');
      const placed = { ...(hunt.placed[0] as PlacedPin), writtenAt: at('2024-05-01T00:30:00Z') };
      const final = hunt.runs.at(-1) as PinRaceRun;
      assert.equal(outcomeOf(placed, final, { lagMs: LAG }), 'no-op', 'a pin written before the Backup was made');
      // Without the writes it would take the placed pin's arrival for its own: kept (the window hid the Backup until 04:00).
      assert.equal(outcomeOf(placed, { retirements: final.retirements, arrivals: final.arrivals }, { lagMs: LAG }), 'kept');
    });

    it('outcomeOf: a pin lost younger than the longest lag is the race; one at least that old was held by a stuck cache', () => {
      const placed = { kind: 'pin' as const, name: 'b', schedule: 'hourly', pin: true, writtenAt: 100, targetReadAt: 0, reason: '', phase: 'Complete' };
      const final = (readAt: number) => ({ retirements: [{ name: 'b', schedule: 'hourly', readAt, reason: '', phase: 'Complete', pinnedInStore: true, pinnedInView: false }], arrivals: [{ name: 'b', pinned: true, at: 500 }] });
      assert.equal(outcomeOf(placed, final(119), { lagMs: 20 }), 'lost-race');
      assert.equal(outcomeOf(placed, final(120), { lagMs: 20 }), 'lost-while-stuck');
      assert.equal(outcomeOf(placed, final(120)), 'lost-race', 'without the lag it cannot tell');
    });
  });
});
