/**
 * Metacontroller restarting (fault `metacontroller-restart`) around the real hook: a sync in flight at the crash
 * loses its answer, or, crashing between the children and the status, leaves the tick's Backup without a status
 * naming it; the new process lists afresh and syncs every parent at once. The hook recovers either way: one Backup
 * for the slot, every invariant held. (Which of the two a seed gives is drawn from its `metacontroller-restart`
 * stream; the seeds below were picked for each.) The new process's first LIST may trail the store (`cache.ts`
 * `FirstListLag`): a Backup created, or a status written, a moment before the crash can be missing from it.
 */

import assert from 'node:assert/strict';

import { GROUP_LABEL } from '../../src/core/group.js';
import { recoveryDeadline } from '../../src/sim/invariants/deadline.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import { NO_LAG } from '../../src/sim/lag.js';
import type { SyncObservation } from '../../src/sim/metacontroller.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { objectKey } from '../../src/sim/store.js';
import type { World } from '../../src/sim/world.js';
import { describeViolations } from './support/property-run.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const START = Date.parse('2024-05-01T00:00:00Z');
/** The tick the crash lands in: the sync that starts at it is in flight for 20 ms. */
const TICK = Date.parse('2024-05-03T02:00:00Z');
const DOWN_MS = 2 * MINUTE;
const TEMPLATE = { backupType: 'full', cleanPolicy: 'Delete', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } };

/** nightly is a daily 02:00 schedule, Metacontroller down from 10 ms after the third day's tick for two minutes. */
function nightly(seed: number): Scenario {
  return {
    seed,
    start: '2024-05-01T00:00:00Z',
    durationMs: 4 * DAY,
    controller: 'hook',
    schedule: { name: 'nightly', namespace: 'db', spec: { schedule: '0 2 * * *', maxBackups: 2, backupTemplate: TEMPLATE } },
    hook: { staleViewGraceMs: 5 * MINUTE, handoverLabelKey: 'backup-schedule-hook/controller' },
    metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
    transport: { latencyMs: [20, 20], timeoutMs: 10_000 },
    lag: { parentMs: [0, 5000], childAddedMs: [1000, 20_000], childChangedMs: [0, 5000] },
    executor: HEALTHY_EXECUTOR,
    faults: [{ kind: 'metacontroller-restart', atMs: TICK - START + 10, forMs: DOWN_MS }],
  };
}

/** runNightly runs a seed under invariants 1–6 and 11, and returns the syncs, the status while down, and the tick's Backups. */
async function runNightly(seed: number) {
  const syncs: SyncObservation[] = [];
  let statusWhileDown: unknown;
  const observer = {
    onSync: (sync: SyncObservation) => void syncs.push(sync),
    onStoreEvent: (_event: unknown, world: World) => {
      if (world.clock.now > TICK + 10 && world.clock.now < TICK + DOWN_MS) statusWhileDown = world.store.get(world.parentKey)?.status?.['lastBackup'];
    },
  };
  const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: nightly(seed) }, { observers: [observer] });
  const tickBackups = [...world.recorder.backups.values()].filter((b) => b.slot === TICK);
  return { violations: describeViolations(violations), syncs, statusWhileDown, tickBackups, world };
}

describe('sim: Metacontroller restarting around the real hook', function () {
  this.timeout(0);

  it('a crash between the children and the status: the Backup without its status, one Backup for the slot after the restart', async () => {
    const { violations, syncs, statusWhileDown, tickBackups, world } = await runNightly(4);
    const cut = syncs.find((s) => s.interruptedAt !== null);
    assert.deepEqual([cut?.calledAt, cut?.created, cut?.statusWritten], [TICK, ['nightly-2024-05-03t02-00-00'], false]);
    assert.equal(statusWhileDown, 'nightly-2024-05-02t02-00-00', 'the status still names the day before while Metacontroller is down');
    assert.equal(tickBackups.length, 1);
    assert.equal(tickBackups[0]?.createdAt, TICK + 10, 'created by the crashed process (the simulator lands its writes at the crash)');
    // The new process's first sync (at the restart) records it.
    const first = syncs.find((s) => s.calledAt >= TICK + DOWN_MS);
    assert.equal(first?.calledAt, TICK + 10 + DOWN_MS);
    assert.equal(world.store.get(objectKey('BackupSchedule', 'db', 'nightly'))?.status?.['lastBackup'], 'nightly-2024-05-04t02-00-00');
    assert.ok(syncs.some((s) => s.statusWritten && s.calledAt === first?.calledAt && s.answer.status === 200), 'the status is written at the restart');
    assert.deepEqual(violations, []);
  });

  it('a crash while the call is out: nothing written, the tick runs once after the restart', async () => {
    const { violations, syncs, tickBackups } = await runNightly(1);
    const cut = syncs.find((s) => s.interruptedAt !== null);
    assert.deepEqual([cut?.calledAt, cut?.created, cut?.deleted, cut?.statusWritten], [TICK, [], [], false]);
    assert.equal(tickBackups.length, 1);
    assert.equal(tickBackups[0]?.createdAt, TICK + 10 + DOWN_MS + 20, 'created by the first sync of the new process');
    assert.deepEqual(violations, []);
  });

  it('a group of three due at midnight, Metacontroller down across it: with 5 workers all three are synced at the restart from one view, one Backup at a time', async () => {
    const labels = { [GROUP_LABEL]: 'g' };
    const schedule = (name: string) => ({ name, namespace: 'db', labels, spec: { schedule: '0 0 * * *', backupTemplate: TEMPLATE } });
    const restartAt = Date.parse('2024-05-02T00:01:00Z');
    const scenario: Scenario = {
      ...nightly(1),
      start: '2024-05-01T22:00:00Z',
      durationMs: 6 * 60 * MINUTE,
      schedule: schedule('nightly'),
      siblings: [schedule('sibling'), schedule('third')],
      metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace', workers: 5 },
      transport: { latencyMs: [2, 20], timeoutMs: 10_000 },
      lag: NO_LAG,
      faults: [{ kind: 'metacontroller-restart', atMs: 119 * MINUTE, forMs: 2 * MINUTE }],
    };
    const syncs: SyncObservation[] = [];
    const { violations } = await runChecked({ invariants: [1, 2, 3, 4, 6, 10, 11], scenario }, { observers: [{ onSync: (s) => void syncs.push(s) }] });
    const atRestart = syncs.filter((s) => s.calledAt === restartAt);
    assert.deepEqual(atRestart.map((s) => s.parentKey).sort(), ['nightly', 'sibling', 'third'].map((name) => objectKey('BackupSchedule', 'db', name)));
    const [first, ...others] = atRestart.map((s) => JSON.stringify(s.request.related));
    for (const view of others) assert.equal(view, first, 'the same view');
    assert.deepEqual(atRestart.flatMap((s) => s.created), ['nightly-2024-05-02t00-00-00'], 'one of the group starts, the others wait');
    assert.deepEqual(describeViolations(violations), []);
  });

  it('the checks wait for Metacontroller to be back: a recovery due while it is down is due a resync period after it returns', () => {
    const world = { scenario: nightly(1), start: START };
    const down = TICK + 10;
    const resyncMs = 300_000;
    const cases: Array<[string, number, number]> = [
      ['due before the crash', down - 60_000, down - 30_000],
      ['due while down', down - 10_000, down + DOWN_MS + resyncMs + 30_000],
      ['due after the restart', down + DOWN_MS + 1000, down + DOWN_MS + 31_000],
    ];
    for (const [what, from, expected] of cases) assert.equal(recoveryDeadline(world, { from, recoverMs: 30_000 }), expected, what);
  });
});

describe('sim: Metacontroller restarting, its first LIST trailing the store', function () {
  this.timeout(0);
  const BACKUP = 'nightly-2024-05-03t02-00-00';
  const BEFORE = 'nightly-2024-05-02t02-00-00';
  // Seeds picked so that the first LIST's draws (stream `first-list`) leave the tick's Backup out of it.
  const cases = [
    { what: 'the crashed sync created the tick\'s Backup, its status unwritten; back 5 s later', seed: 4, atMs: TICK - START + 10, forMs: 5000, statusWritten: false },
    { what: 'the tick\'s sync ran to its end (Backup and status) a second before the crash; back 1 s later', seed: 2, atMs: TICK - START + 1000, forMs: 1000, statusWritten: true },
  ];
  for (const { what, seed, atMs, forMs, statusWritten } of cases) {
    it(`${what}: the first view lacks the Backup (the store's LIST has it), the hook asks for the same name, one Backup for the slot`, async () => {
      const scenario: Scenario = { ...nightly(seed), faults: [{ kind: 'metacontroller-restart', atMs, forMs }] };
      const restartAt = START + atMs + forMs;
      const run = async (firstList: 'trailing' | 'store') => {
        const syncs: SyncObservation[] = [];
        const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario }, { observers: [{ onSync: (s) => void syncs.push(s) }], firstList });
        const first = syncs.find((s) => s.calledAt >= restartAt);
        const seen = Object.keys(first?.request.children['Backup.pingcap.com/v1alpha1'] ?? {});
        const tickBackups = [...world.recorder.backups.values()].filter((b) => b.slot === TICK);
        return { violations: describeViolations(violations), first, seen, tickBackups, lastBackup: first?.request.parent.status?.['lastBackup'] };
      };
      const trailing = await run('trailing');
      const exact = await run('store');
      assert.equal(trailing.first?.calledAt, restartAt, 'synced at the restart');
      assert.ok(!trailing.seen.includes(`db/${BACKUP}`), `the first view lacks the tick's Backup: ${trailing.seen.join(', ')}`);
      assert.ok(exact.seen.includes(`db/${BACKUP}`), 'a LIST from the store has it');
      assert.equal(exact.lastBackup, statusWritten ? BACKUP : BEFORE);
      assert.equal(trailing.lastBackup, BEFORE, 'the first view\'s status names the day before');
      const answer = trailing.first?.answer;
      const desired = answer !== undefined && 'body' in answer ? (answer.body as { children?: Array<{ metadata: { name: string } }> }).children ?? [] : [];
      assert.ok(desired.some((child) => child.metadata.name === BACKUP), 'the hook asks for the tick\'s Backup again, by the same name');
      assert.deepEqual([trailing.first?.created, trailing.first?.alreadyExisted], [[], [BACKUP]], 'AlreadyExists: no second Backup');
      assert.equal(trailing.tickBackups.length, 1);
      assert.deepEqual(trailing.violations, []);
    });
  }
});
