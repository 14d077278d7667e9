/**
 * A schedule of a group whose spec a user breaks and fixes (fault `spec-broken`): while broken it has no due slot, so
 * its siblings start without waiting for its turn, but its running Backup still holds them (an invalid spec runs no
 * stuck rule); once fixed, its catch-up slot, older than theirs, takes its turn: it waits while a sibling's Backup
 * runs, then goes before a sibling due after it. Invariant 10 judges the turns and, for a schedule in a group, the
 * catch-up (`spec-fix.ts`); a hook that forgets a broken sibling, or never catches up, is caught.
 */

import assert from 'node:assert/strict';

import { GROUP_LABEL, SCHEDULE_RELATED_TYPE } from '../../src/core/group.js';
import { readSpec } from '../../src/core/spec.js';
import type { BackupSchedule, SyncRequest } from '../../src/core/types.js';
import { decideHook, isSuccess } from '../../src/sim/hook.js';
import type { Hook } from '../../src/sim/hook.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import type { InvariantNumber } from '../../src/sim/invariants/types.js';
import type { Scenario, ScheduleSetup } from '../../src/sim/scenario.js';
import type { WorldObserver } from '../../src/sim/world.js';
import { brokenSpecHooks } from './support/broken-hooks.js';
import { BROKEN_SPEC_WORLD } from './support/broken-spec-world.js';
import { describeViolations } from './support/property-run.js';
import { patchOf } from './support/spec-broken-arbitrary.js';
import { verdictsOf } from './support/spec-fix-verdicts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TEMPLATE = { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } };

function member(name: string, schedule: string): ScheduleSetup {
  return { name, namespace: 'db', labels: { [GROUP_LABEL]: 'g' }, spec: { schedule, maxBackups: 3, skipMissedOnUnpause: true, backupTemplate: TEMPLATE } };
}

const NIGHTLY = member('nightly', '0 */4 * * *');

/**
 * Every four hours: `nightly`, `alpha` two minutes before it, `zulu` two minutes after; Backups of 3–6 minutes but in
 * the slow windows; lags up to 20 s, a grace of 5 minutes. Broken windows of `nightly`:
 * - day 3, mid-turn: alpha's 11:58 runs to 12:28, nightly's 12:00 waits for it and zulu's 12:02 for nightly's turn;
 *   nightly breaks at 12:10 (a 4-field cron) and is fixed at 13:10: zulu starts once alpha is done, nightly after the fix;
 * - day 4, while its Backup runs: nightly's 16:00 (after alpha's 15:58) runs an hour, broken (an unknown zone) from 16:10 to 18:00: it still
 *   holds zulu's 16:02 until it is done;
 * - day 5, paused at 10:00, `retention` beside `maxBackups` from 11:00, fixed at 13:00 still paused, unpaused at 14:30:
 *   skipMissedOnUnpause, its 12:00 never runs;
 * - day 6, broken (`maxReservedTime: 2d`) from 19:00 to 20:20, over its 20:00 tick: fixed while alpha's 19:58 runs (to
 *   20:40) and zulu's 20:02 waits; the catch-up of 20:00 waits for alpha, then goes before zulu (its slot is older).
 */
const SCENARIO: Scenario = {
  seed: 72,
  start: '2024-05-01T00:00:00Z',
  durationMs: 8 * DAY,
  controller: 'hook',
  schedule: NIGHTLY,
  siblings: [member('alpha', '58 3-23/4 * * *'), member('zulu', '2 */4 * * *')],
  ...BROKEN_SPEC_WORLD,
  faults: [
    { kind: 'slow-backups', atMs: 2 * DAY + 11 * HOUR + 57 * MINUTE, forMs: 2 * MINUTE, runMs: 30 * MINUTE },
    { kind: 'spec-broken', atMs: 2 * DAY + 12 * HOUR + 10 * MINUTE, forMs: HOUR, patch: patchOf(NIGHTLY.spec, 'cron') },
    { kind: 'slow-backups', atMs: 3 * DAY + 16 * HOUR, forMs: 5 * MINUTE, runMs: HOUR },
    { kind: 'spec-broken', atMs: 3 * DAY + 16 * HOUR + 10 * MINUTE, forMs: HOUR + 50 * MINUTE, patch: patchOf(NIGHTLY.spec, 'time-zone') },
    { kind: 'spec-broken', atMs: 4 * DAY + 11 * HOUR, forMs: 2 * HOUR, patch: patchOf(NIGHTLY.spec, 'retention'), pause: { aheadMs: HOUR }, unpauseAfterMs: 90 * MINUTE },
    { kind: 'slow-backups', atMs: 5 * DAY + 19 * HOUR + 57 * MINUTE, forMs: 2 * MINUTE, runMs: 42 * MINUTE },
    { kind: 'spec-broken', atMs: 5 * DAY + 19 * HOUR, forMs: HOUR + 20 * MINUTE, patch: patchOf(NIGHTLY.spec, 'duration') },
  ],
};

/** The group properties' invariants: 1–4, 6 and 11 per schedule, 10 for the group (the turns, and the catch-up across a fix). */
const GROUP: InvariantNumber[] = [1, 2, 3, 4, 6, 10, 11];

/** forgetsBrokenSiblings is the real hook on a request whose related schedules lack every sibling with an invalid spec. */
function forgetsBrokenSiblings(hook: Hook): Hook {
  return (request: SyncRequest, now: number) => {
    const blind = structuredClone(request);
    const schedules = blind.related?.[SCHEDULE_RELATED_TYPE] ?? {};
    for (const [key, schedule] of Object.entries(schedules)) {
      if (schedule.metadata?.name !== request.parent.metadata.name && !readSpec(schedule as BackupSchedule).ok) delete schedules[key];
    }
    return hook(blind, now);
  };
}

describe('sim: a schedule of a group whose spec is broken and fixed', function () {
  this.timeout(0);

  it('the real hook: turns stay exclusive, the broken schedule holds no turn but its running Backup, its catch-up waits for its turn and goes first', async () => {
    const judged = verdictsOf(SCENARIO);
    // Under an invalid spec the group's status fields are carried forward as the request showed them.
    const group = (status: Record<string, unknown> | undefined): unknown[] => [
      status?.['groupTurn'],
      (status?.['conditions'] as Array<{ type: string }> | undefined)?.find((c) => c.type === 'GroupNotVisible'),
    ];
    let invalidAnswers = 0;
    const carried: WorldObserver = {
      onSync(sync) {
        if (!isSuccess(sync.answer) || readSpec(sync.request.parent).ok) return;
        invalidAnswers += 1;
        assert.deepEqual(group(sync.answer.body.status), group(sync.request.parent.status), 'an invalid spec carries groupTurn and GroupNotVisible forward');
      },
    };
    const { violations, world } = await runChecked({ invariants: GROUP, scenario: SCENARIO }, { observers: [judged.observer, carried] });
    assert.deepEqual(describeViolations(violations), []);
    assert.ok(invalidAnswers >= 8, `answers under an invalid spec: ${invalidAnswers}`);
    assert.ok(
      [...world.store.list('BackupSchedule', 'db')].every((s) => group(s.status as Record<string, unknown>)[1] === undefined),
      'no schedule of the group says GroupNotVisible at the end',
    );
    assert.deepEqual(
      judged.verdicts.map((v) => [v.skipped, v.expected, v.inGroup, v.waitedForTurn]),
      [
        [null, 'none', true, false],
        [null, 'none', true, false],
        [null, 'skip', true, false],
        [null, 'catch-up', true, true],
      ],
      'every window was judged, the last one waiting for its turn',
    );
    const created = (name: string): number => {
      const record = world.schedules.flatMap((s) => [...s.recorder.backups.values()]).find((r) => r.name === name);
      assert.ok(record !== undefined, `${name} was created`);
      return record.createdAt;
    };
    const at = (iso: string): number => Date.parse(iso);
    // Day 3: broken mid-turn, nightly holds zulu back no more; fixed, its 12:00 runs after zulu's.
    assert.ok(created('zulu-2024-05-03t12-02-00') >= at('2024-05-03T12:28:00Z') && created('zulu-2024-05-03t12-02-00') < at('2024-05-03T13:10:00Z'), 'zulu starts once alpha is done, nightly broken');
    assert.ok(created('nightly-2024-05-03t12-00-00') >= at('2024-05-03T13:10:00Z'), 'nightly runs its 12:00 once fixed');
    // Day 4: broken while its Backup runs, it still holds zulu.
    assert.ok(created('zulu-2024-05-04t16-02-00') >= at('2024-05-04T17:00:00Z') && created('zulu-2024-05-04t16-02-00') < at('2024-05-04T18:00:00Z'), "zulu waits for nightly's running Backup, broken or not");
    // Day 5: fixed while paused, unpaused later: skipped.
    assert.ok(!world.recorder.backups.has('nightly-2024-05-05t12-00-00'), 'the 12:00 tick of day 5 is skipped');
    assert.ok(created('nightly-2024-05-05t16-00-00') > at('2024-05-05T16:00:00Z'), 'the schedule resumes at its next tick');
    // Day 6: the catch-up waits for alpha, then goes before zulu, due after it.
    assert.ok(created('nightly-2024-05-06t20-00-00') >= at('2024-05-06T20:40:00Z'), "the catch-up waits for alpha's Backup");
    assert.ok(created('nightly-2024-05-06t20-00-00') < created('zulu-2024-05-06t20-02-00'), 'the catch-up goes before zulu');
    assert.equal(world.store.get(world.parentKey)?.spec?.['pause'], false, 'unpaused at the end');
  });

  it("catches a hook that forgets a broken sibling's running Backup (invariant 10)", async () => {
    const hook = forgetsBrokenSiblings(decideHook(SCENARIO.hook));
    const { violations } = await runChecked({ invariants: GROUP, scenario: SCENARIO }, { hook });
    assert.ok(violations.some((v) => v.invariant === 10 && /zulu-2024-05-04t16-02-00 of zulu .* while nightly-2024-05-04t16-00-00/.test(v.message)), describeViolations(violations).slice(0, 3).join('; '));
  });

  it('catches a hook that never catches up after a fix (invariant 5, judged with the group)', async () => {
    const broken = brokenSpecHooks(SCENARIO.hook).find((h) => /never catches up/.test(h.name));
    assert.ok(broken !== undefined);
    const { violations } = await runChecked({ invariants: GROUP, scenario: SCENARIO }, { hook: broken.hook });
    assert.ok(violations.some((v) => v.invariant === 5 && /2024-05-06T20:00:00.* was backed up 0 times/.test(v.message)), describeViolations(violations).slice(0, 3).join('; '));
  });
});
