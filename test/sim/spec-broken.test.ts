/**
 * A user breaks the spec and fixes it (fault `spec-broken`): while it is broken the hook creates, deletes and changes
 * nothing and carries its status forward; once fixed, the schedule catches up the most recent tick it missed (as
 * upstream after a pause), except that with `spec.skipMissedOnUnpause` a schedule paused before the break, or by the
 * breaking edit, runs none (`status.pausedBeforeInvalidSpec`). The checks (invariants 4 and 5) pass the real hook and
 * catch hooks that get either wrong.
 */

import assert from 'node:assert/strict';

import { runChecked } from '../../src/sim/invariants/run.js';
import type { InvariantNumber } from '../../src/sim/invariants/types.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { brokenSpecHooks } from './support/broken-hooks.js';
import { BROKEN_SPEC_WORLD } from './support/broken-spec-world.js';
import { describeViolations } from './support/property-run.js';
import { brokenSchedule, patchOf } from './support/spec-broken-arbitrary.js';
import { verdictsOf } from './support/spec-fix-verdicts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPEC = {
  schedule: '0 */4 * * *',
  maxBackups: 3,
  skipMissedOnUnpause: true,
  backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } },
};

/**
 * Every four hours, skipMissedOnUnpause, lags up to 20 s, Backups of 3–6 minutes. Four broken windows, each over the
 * 12:00 tick (the 20:00 one for the last):
 * - day 2, a 4-field cron from 09:30 to 14:30: the 12:00 tick runs at the fix;
 * - day 3, paused at 09:00, `retention` beside `maxBackups` from 10:00, fixed and unpaused at 14:30: 12:00 never runs;
 * - day 4, paused and an unknown time zone by one edit at 10:30, fixed and unpaused at 13:30: 12:00 never runs;
 * - days 5–6, `maxReservedTime: 2d` from 01:00 on day 5 to 22:30 on day 6: only the 20:00 tick runs at the fix;
 * - day 7, paused at 10:00, `backupTimeout: "90"` from 11:00, fixed at 13:00 while still paused, unpaused at 15:00:
 *   12:00 never runs.
 */
const SCENARIO: Scenario = {
  seed: 71,
  start: '2024-05-01T00:00:00Z',
  durationMs: 8 * DAY,
  controller: 'hook',
  schedule: { name: 'nightly', namespace: 'db', spec: SPEC },
  ...BROKEN_SPEC_WORLD,
  faults: [
    { kind: 'spec-broken', atMs: DAY + 9.5 * HOUR, forMs: 5 * HOUR, patch: patchOf(SPEC, 'cron') },
    { kind: 'spec-broken', atMs: 2 * DAY + 10 * HOUR, forMs: 4.5 * HOUR, patch: patchOf(SPEC, 'retention'), pause: { aheadMs: HOUR } },
    { kind: 'spec-broken', atMs: 3 * DAY + 10.5 * HOUR, forMs: 3 * HOUR, patch: patchOf(SPEC, 'time-zone'), pause: 'with-break' },
    { kind: 'spec-broken', atMs: 4 * DAY + HOUR, forMs: DAY + 21.5 * HOUR, patch: patchOf(SPEC, 'duration') },
    { kind: 'spec-broken', atMs: 6 * DAY + 11 * HOUR, forMs: 2 * HOUR, patch: patchOf(SPEC, 'timeout'), pause: { aheadMs: HOUR }, unpauseAfterMs: 2 * HOUR },
  ],
};

const ALL: InvariantNumber[] = [1, 2, 3, 4, 5, 6, 11];

describe('sim: a spec broken and fixed (fault spec-broken)', function () {
  this.timeout(0);

  it('breaks schedules as users do: a field left out, a macro misspelt, an @every without its unit', () => {
    assert.deepEqual(['0 */4 * * *', 'H/20 H(0-5) * * *', '@every 45m', '@daily', '@hourly'].map(brokenSchedule), ['0 */4 * *', 'H/20 H(0-5) * *', '@every 45', '@dayly', '@hourlyx']);
    assert.deepEqual(patchOf({ maxReservedTime: '6h' }, 'retention'), { retention: { keepWithin: '6h' } });
    assert.deepEqual(patchOf({ maxBackups: 4 }, 'retention'), { retention: { keepLast: 4 } });
    assert.deepEqual(patchOf({ retention: { keepDaily: 7 } }, 'retention'), { maxBackups: 3 });
  });

  it('the real hook keeps everything while broken, catches up the latest missed tick after a fix, and skips it after a pause', async () => {
    const judged = verdictsOf(SCENARIO);
    const { violations, world } = await runChecked({ invariants: ALL, scenario: SCENARIO }, { observers: [judged.observer] });
    assert.deepEqual(describeViolations(violations), []);
    assert.deepEqual(judged.verdicts.map((v) => [v.skipped, v.expected]), [[null, 'catch-up'], [null, 'skip'], [null, 'skip'], [null, 'catch-up'], [null, 'skip']], 'every window was judged');
    const created = (name: string): number | undefined => [...world.recorder.backups.values()].find((r) => r.name === name)?.createdAt;
    // Caught up at the fix: 12:00 on day 2 and 20:00 on day 6, nothing older of the days-long window.
    assert.ok((created('nightly-2024-05-02t12-00-00') ?? 0) >= Date.parse('2024-05-02T14:30:00Z'), 'the 12:00 tick of day 2 runs once the cron is fixed');
    assert.ok((created('nightly-2024-05-06t20-00-00') ?? 0) >= Date.parse('2024-05-06T22:30:00Z'), 'the 20:00 tick of day 6 runs once the duration is fixed');
    for (const slot of ['2024-05-05t04-00-00', '2024-05-05t12-00-00', '2024-05-06t16-00-00']) assert.equal(created(`nightly-${slot}`), undefined, `${slot} does not run`);
    // Paused, then broken, then fixed and unpaused: skipMissedOnUnpause holds across the invalid spec.
    assert.equal(created('nightly-2024-05-03t12-00-00'), undefined, 'paused before the break: the 12:00 tick of day 3 is skipped');
    assert.equal(created('nightly-2024-05-04t12-00-00'), undefined, 'paused by the breaking edit: the 12:00 tick of day 4 is skipped');
    assert.ok(created('nightly-2024-05-04t16-00-00') !== undefined, 'the schedule resumes at its next tick');
    // Fixed while still paused, unpaused two hours later: skipped as after any pause.
    assert.equal(created('nightly-2024-05-07t12-00-00'), undefined, 'fixed while paused: the 12:00 tick of day 7 is skipped');
    assert.ok((created('nightly-2024-05-07t16-00-00') ?? 0) >= Date.parse('2024-05-07T16:00:00Z'), 'and the schedule resumes at 16:00');
    const parent = world.store.get(world.parentKey);
    assert.equal(parent?.spec?.['schedule'], SPEC.schedule, 'the fix put the schedule back');
    assert.equal(parent?.spec?.['timeZone'], undefined, 'the fix removed the zone it added');
    assert.equal(parent?.spec?.['pause'], false, 'the fix unpaused it');
  });

  for (const broken of brokenSpecHooks(SCENARIO.hook)) {
    it(`catches a hook that ${broken.name} (invariant ${broken.breaks})`, async () => {
      const invariants: InvariantNumber[] = [1, 2, 3, 4, 5, 11];
      const { violations } = await runChecked({ invariants, scenario: SCENARIO }, { hook: broken.hook });
      assert.ok(violations.some((v) => v.invariant === broken.breaks && broken.says.test(v.message)), `invariant ${broken.breaks} says ${String(broken.says)}: ${describeViolations(violations).slice(0, 3).join('; ')}`);
      const unexpected = violations.filter((v) => v.invariant !== broken.breaks && !(broken.alsoBreaks ?? []).includes(v.invariant));
      assert.deepEqual(describeViolations(unexpected).slice(0, 5), []);
    });
  }
});
