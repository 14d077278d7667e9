/** The invariant checks themselves: the real hook passes them, and each deliberately broken hook fails the one it breaks. */

import assert from 'node:assert/strict';

import { desiredFormOfKept } from '../../src/core/kept-form.js';
import { BACKUP_CHILD_TYPE, KEEP_ANNOTATION } from '../../src/core/names.js';
import { decideHook, isSuccess } from '../../src/sim/hook.js';
import type { Hook, HookAnswer } from '../../src/sim/hook.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import type { InvariantNumber } from '../../src/sim/invariants/types.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { brokenHooks } from './support/broken-hooks.js';
import { describeViolations } from './support/property-run.js';

const DAY = 86_400_000;
const SCENARIO: Scenario = {
  seed: 7,
  start: '2024-05-01T00:00:00Z',
  durationMs: 10 * DAY,
  controller: 'hook',
  schedule: {
    name: 'nightly',
    namespace: 'db',
    spec: { schedule: '0 */4 * * *', maxBackups: 3, backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } } },
  },
  hook: { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' },
  metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
  transport: { latencyMs: [1, 30], timeoutMs: 10_000 },
  lag: { parentMs: [0, 5000], childAddedMs: [0, 20_000], childChangedMs: [0, 5000] },
  executor: { ...HEALTHY_EXECUTOR, failRate: 0.1, slowRate: 0.1, slowRunMs: [5 * 3_600_000, 6 * 3_600_000] },
  faults: [
    { kind: 'hook-restart', atMs: 2 * DAY, forMs: 3 * 3_600_000 },
    // Someone deletes the newest Backup (the 00:00 one, Complete) at 02:00 on day four.
    { kind: 'backups-deleted', atMs: 3 * DAY + 2 * 3_600_000, which: 'newest' },
    // Someone pins the newest Backup at 05:00 on day two (the 04:00 one, Complete), for good; and the newest at 01:00 on
    // day five, until day seven.
    { kind: 'backup-pinned', atMs: DAY + 5 * 3_600_000, which: 'newest' },
    { kind: 'backup-pinned', atMs: 4 * DAY + 3_600_000, which: 'newest' },
    { kind: 'backup-unpinned', atMs: 6 * DAY, which: 'newest' },
  ],
};

describe('sim invariant checks', function () {
  this.timeout(0);

  it('find nothing wrong with the real hook over ten days of lag, failures, slow Backups, a restart, a user deleting a Backup and pinning two', async () => {
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: SCENARIO });
    assert.deepEqual(describeViolations(violations), []);
    assert.ok(world.recorder.backups.size > 40, 'the run did back up');
    // The Backup pinned for good outlives eight days of maxBackups: 3; the one unpinned on day seven goes then.
    const pinned = world.recorder.existingBackup('nightly-2024-05-02t04-00-00');
    assert.equal(pinned?.object.metadata?.annotations?.[KEEP_ANNOTATION], 'true', 'the Backup pinned on day two is still there');
    const unpinned = [...world.recorder.backups.values()].find((r) => r.name === 'nightly-2024-05-05t00-00-00');
    assert.ok(unpinned?.deletingAt !== undefined && unpinned.deletingAt !== null && unpinned.deletingAt >= Date.parse('2024-05-07T00:00:00Z'), 'the Backup pinned on day five is deleted once unpinned');
  });

  it("backs up a schedule that carries a higher-level controller's controller-uid label (Metacontroller would refuse Backups copying it)", async () => {
    const scenario: Scenario = { ...SCENARIO, durationMs: 2 * DAY, schedule: { ...SCENARIO.schedule, labels: { 'controller-uid': 'uid-of-a-higher-level-parent' } }, faults: [] };
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario });
    assert.deepEqual(describeViolations(violations), []);
    assert.ok(world.recorder.backups.size >= 10, `the run backed up (${world.recorder.backups.size})`);
  });

  it('keeps syncs every 5 minutes with RESYNC_EVERY where Metacontroller resyncs only every 30 (metacontroller#1136), and no hot loop', async () => {
    // A paused schedule: nothing happens, and its answers ask for no call-back of their own.
    const paused: Scenario = {
      ...SCENARIO,
      durationMs: DAY,
      schedule: { ...SCENARIO.schedule, spec: { ...SCENARIO.schedule.spec, pause: true } },
      metacontroller: { ...SCENARIO.metacontroller, resyncPeriodSeconds: 1800 },
      faults: [],
    };
    const counts: number[] = [];
    for (const hook of [{ ...SCENARIO.hook, resyncEveryMs: 300_000 }, SCENARIO.hook]) {
      const { violations, world } = await runChecked({ invariants: [3, 6, 11], scenario: { ...paused, hook } });
      assert.deepEqual(describeViolations(violations), []);
      counts.push(world.syncs);
    }
    const [every5m, every30m] = counts as [number, number];
    assert.ok(every5m >= 288 && every5m <= 288 + 48 + 4, `a day of 5-minute call-backs beside the 30-minute resyncs (${every5m})`);
    assert.ok(every30m <= 50, `a day of 30-minute resyncs (${every30m})`);
  });

  for (const broken of brokenHooks(SCENARIO.hook)) {
    it(`catch a hook that ${broken.name} (invariant ${broken.breaks})`, async () => {
      // Invariant 6 compares with the real decision, so it would flag every broken hook; leave it out except for its own case.
      const invariants: InvariantNumber[] = broken.breaks === 6 ? [6] : [1, 2, 3, 4, 5, 11];
      const { violations } = await runChecked({ invariants, scenario: SCENARIO }, { hook: broken.hook });
      const flagged = new Set<number>(violations.map((v) => v.invariant));
      assert.ok(flagged.has(broken.breaks), `invariant ${broken.breaks} flags it`);
      if (broken.says !== undefined) assert.ok(violations.some((v) => v.invariant === broken.breaks && broken.says?.test(v.message)), `invariant ${broken.breaks} says ${String(broken.says)}`);
      const unexpected = violations.filter((v) => v.invariant !== broken.breaks && !(broken.alsoBreaks ?? []).includes(v.invariant));
      assert.deepEqual(describeViolations(unexpected).slice(0, 5), []);
    });
  }

  describe('maxReservedTime (invariant 5) with the hook clock 6 s ahead: each tick is taken 6 s early, the last one just before the end', () => {
    // Every Backup fails (none is the newest Complete one, which stays); the last Backup stays too, until the next
    // tick's Backup supersedes it: the third day's tick is taken 6 s before the end.
    const scenario: Scenario = {
      ...SCENARIO,
      durationMs: 3 * DAY,
      schedule: { ...SCENARIO.schedule, spec: { schedule: '@daily', maxReservedTime: '2h', backupTemplate: SCENARIO.schedule.spec['backupTemplate'] ?? {} } },
      executor: { ...HEALTHY_EXECUTOR, failRate: 1 },
      faults: [{ kind: 'clock-jump', atMs: 3_600_000, byMs: 6000 }],
    };
    /** The real hook that answers every observed Backup back: nothing is ever deleted. */
    const keepsAll: Hook = (request, now) => {
      const answer = decideHook(scenario.hook)(request, now) as HookAnswer;
      if (!isSuccess(answer)) return answer;
      const desired = new Set(answer.body.children.map((c) => c.metadata.name));
      const kept = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).filter((c) => !desired.has(c.metadata?.name ?? ''));
      return { ...answer, body: { ...answer.body, children: [...answer.body.children, ...kept.map((c) => desiredFormOfKept(c, c.metadata?.name ?? ''))] } };
    };

    it('the real hook passes: it deletes each expired Backup once a newer one supersedes it as the last', async () => {
      const { violations, world } = await runChecked({ invariants: [5], scenario });
      assert.deepEqual(describeViolations(violations), []);
      assert.equal([...world.recorder.backups.values()].filter((r) => r.state === 'failed').length >= 2, true, 'the run has failed Backups');
    });

    it('a hook that never deletes is reported for the superseded Backup, not for the one that was the last until 6 s before the end', async () => {
      const { violations } = await runChecked({ invariants: [5], scenario }, { hook: keepsAll });
      // The first day's failed Backup, superseded a day before the end; not the second day's (the last until 6 s before).
      assert.deepEqual(violations.map((v) => v.message.split(' ')[0]), ['nightly-2024-05-02t00-00-00']);
    });
  });

  it('report an answer Metacontroller refuses (an unknown top-level key fails the strict v2 decoding) under invariant 6', async () => {
    const real = decideHook(SCENARIO.hook);
    const chatty: Hook = (request, now) => {
      const answer = real(request, now) as { status: 200; body: object };
      return { status: 200, body: { ...answer.body, debug: 'extra' } } as HookAnswer;
    };
    const { violations } = await runChecked({ invariants: [6], scenario: { ...SCENARIO, durationMs: DAY } }, { hook: chatty });
    assert.ok(violations.some((v) => v.invariant === 6 && /Metacontroller refuses the answer .*unknown field\(s\) "debug"/.test(v.message)));
  });
});
