/**
 * A create the API server refuses (a quota, an admission webhook, etcd unavailable): Metacontroller writes the status
 * all the same, so the status names a Backup that does not exist. The hook asks for it again while the view lacks it,
 * within the stale-view grace, and the slot is not lost. A backup-now Backup is asked for again once no view showed it past
 * the grace after it was asked for, and never once one did.
 */

import assert from 'node:assert/strict';

import { BACKUP_CHILD_TYPE } from '../../src/core/names.js';
import type { SyncRequest } from '../../src/core/types.js';
import { decideHook } from '../../src/sim/hook.js';
import type { Hook, HookAnswer } from '../../src/sim/hook.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import { USER_DELETION } from '../../src/sim/recorder.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { describeViolations } from './support/property-run.js';

const DAY = 86_400_000;
const TICK = Date.parse('2024-05-03T02:00:00Z');
const SCENARIO: Scenario = {
  seed: 11,
  start: '2024-05-01T00:00:00Z',
  durationMs: 4 * DAY,
  controller: 'hook',
  schedule: {
    name: 'nightly',
    namespace: 'db',
    spec: { schedule: '0 2 * * *', maxBackups: 3, backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } } },
  },
  hook: { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' },
  metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
  transport: { latencyMs: [1, 30], timeoutMs: 10_000 },
  lag: { parentMs: [0, 5000], childAddedMs: [1000, 20_000], childChangedMs: [0, 5000] },
  executor: HEALTHY_EXECUTOR,
  // Every create refused from a second before the 02:00 tick of day three for a minute.
  faults: [{ kind: 'create-errors', atMs: TICK - Date.parse('2024-05-01T00:00:00Z') - 1000, forMs: 61_000, rate: 1 }],
};

/** The real hook without its second ask: the desired children lose the recorded last Backup the view lacks. */
function askingOnce(): Hook {
  const real = decideHook(SCENARIO.hook);
  return (request: SyncRequest, now: number) => {
    const answer = real(request, now) as HookAnswer & { body: { children: Array<{ metadata: { name: string } }> } };
    const last = request.parent.status?.lastBackup;
    const observed = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => c.metadata?.name);
    answer.body.children = answer.body.children.filter((c) => c.metadata.name !== last || observed.includes(last));
    return answer;
  };
}

describe('sim: a create the API server refuses', function () {
  this.timeout(0);

  it("is asked for again within the grace: the tick's Backup exists a minute late, every invariant holds", async () => {
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: SCENARIO });
    assert.deepEqual(describeViolations(violations), []);
    const backup = [...world.recorder.backups.values()].find((b) => b.slot === TICK);
    assert.ok(backup !== undefined, "the 02:00 tick's Backup was never created");
    assert.ok(backup.createdAt >= TICK + 60_000 && backup.createdAt < TICK + 300_000, `created at ${new Date(backup.createdAt).toISOString()}`);
  });

  it('is lost by a hook that asks only once (the check above can fail)', async () => {
    const { world } = await runChecked({ invariants: [], scenario: SCENARIO }, { hook: askingOnce() });
    assert.equal([...world.recorder.backups.values()].filter((b) => b.slot === TICK).length, 0);
    assert.ok([...world.recorder.backups.values()].some((b) => b.slot === TICK + DAY), 'the next tick runs');
  });
});

// A backup-now request at noon of day two; every create refused for twelve minutes from then. The hook first sees the
// token, waits out the grace after that (about 12:05) and asks for nightly-manual-now1: refused. Past the grace after
// that ask, no view ever showed it, so it is asked for again (under the same name), the grace after that sync first
// saw it pending again (about 12:15): creates succeed by then.
const NOON = 36 * 3_600_000;
const NOW_SCENARIO: Scenario = {
  ...SCENARIO,
  seed: 12,
  durationMs: 2 * DAY,
  faults: [
    { kind: 'backup-now', atMs: NOON, token: 'now1' },
    { kind: 'create-errors', atMs: NOON, forMs: 12 * 60_000, rate: 1 },
  ],
};
const REFUSED_UNTIL = Date.parse(SCENARIO.start) + NOON + 12 * 60_000;

/**
 * The hook with `status.lastBackupNow` missing one field: without `askedAt` (as the version before) a refused create is
 * never asked for again; without `seen` a deleted Backup reads as a create that failed.
 */
function recordingWithout(field: 'askedAt' | 'seen', scenario: Scenario): Hook {
  const real = decideHook(scenario.hook);
  return (request: SyncRequest, now: number) => {
    const answer = real(request, now) as HookAnswer & { body: { status?: { lastBackupNow?: Record<string, unknown> } } };
    const record = answer.body.status?.lastBackupNow;
    if (record !== undefined) delete record[field];
    return answer;
  };
}

describe('sim: a backup-now create the API server refuses', function () {
  this.timeout(0);

  it('is asked for again once no view showed it past the grace: created after creates succeed, every invariant holds', async () => {
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: NOW_SCENARIO });
    assert.deepEqual(describeViolations(violations), []);
    const created = [...world.recorder.backups.values()].filter((b) => b.name === 'nightly-manual-now1');
    assert.equal(created.length, 1, 'nightly-manual-now1 was never created');
    const at = created[0]!.createdAt;
    assert.ok(at >= REFUSED_UNTIL && at < REFUSED_UNTIL + 15 * 60_000, `created at ${new Date(at).toISOString()}`);
  });

  it('is lost by a hook whose record does not say when it asked (the check above can fail)', async () => {
    const { world } = await runChecked({ invariants: [], scenario: NOW_SCENARIO }, { hook: recordingWithout('askedAt', NOW_SCENARIO) });
    assert.equal([...world.recorder.backups.values()].filter((b) => b.name === 'nightly-manual-now1').length, 0);
  });
});

// The same request with creates that succeed; someone deletes the newest Backup (the backup-now one, created about
// 12:05) at 12:30, long after a view showed it.
const DELETED_SCENARIO: Scenario = {
  ...NOW_SCENARIO,
  faults: [
    { kind: 'backup-now', atMs: NOON, token: 'now1' },
    { kind: 'backups-deleted', atMs: NOON + 30 * 60_000, which: 'newest' },
  ],
};

describe('sim: a backup-now Backup a user deletes after a view showed it', function () {
  this.timeout(0);
  const manual = (world: Awaited<ReturnType<typeof runChecked>>['world']) => [...world.recorder.backups.values()].filter((b) => b.name === 'nightly-manual-now1');

  it('is never asked for again: created once, deleted by the user', async () => {
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: DELETED_SCENARIO });
    assert.deepEqual(describeViolations(violations), []);
    assert.deepEqual(manual(world).map((b) => b.deletionReason), [USER_DELETION]);
  });

  it('comes back with a hook whose record never says it was seen (the check above can fail)', async () => {
    const { world } = await runChecked({ invariants: [], scenario: DELETED_SCENARIO }, { hook: recordingWithout('seen', DELETED_SCENARIO) });
    assert.equal(manual(world).length, 2);
  });
});
