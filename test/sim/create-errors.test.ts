/**
 * A create the API server refuses (a quota, an admission webhook, etcd unavailable): Metacontroller writes the status
 * all the same, so the status names a Backup that does not exist. The hook asks for it again while the view lacks it,
 * within the stale-view grace, and the slot is not lost.
 */

import assert from 'node:assert/strict';

import { BACKUP_CHILD_TYPE } from '../../src/core/names.js';
import type { SyncRequest } from '../../src/core/types.js';
import { decideHook } from '../../src/sim/hook.js';
import type { Hook, HookAnswer } from '../../src/sim/hook.js';
import { runChecked } from '../../src/sim/invariants/run.js';
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
