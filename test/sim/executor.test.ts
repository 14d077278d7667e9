import assert from 'node:assert/strict';

import { snapshotState } from '../../src/core/backup-state.js';
import { tsoToMillis } from '../../src/core/tso.js';
import type { JsonObject } from '../../src/core/types.js';
import { VirtualClock } from '../../src/sim/clock.js';
import { BACKUP_FINALIZER, BackupExecutor } from '../../src/sim/executor.js';
import type { ExecutorConfig } from '../../src/sim/executor.js';
import { createRandom } from '../../src/sim/random.js';
import { ObjectStore, objectKey } from '../../src/sim/store.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const MIN = 60_000;
const KEY = objectKey('Backup', 'db', 'b1');
const FIXED: ExecutorConfig = {
  jobStartMs: [1000, 1000],
  podStartMs: [2000, 2000],
  prepareMs: [3000, 3000],
  runMs: [5 * MIN, 5 * MIN],
  failRate: 0,
  slowRate: 0,
  slowRunMs: [0, 0],
  cleanMs: [30_000, 30_000],
  stuckDeletionRate: 0,
  podOutages: [],
  slowWindows: [],
};

function world(config: Partial<ExecutorConfig> = {}, cleanPolicy = 'Delete') {
  const clock = new VirtualClock(T0);
  const store = new ObjectStore(clock);
  const executor = new BackupExecutor({ clock, store, random: createRandom(7) }, { ...FIXED, ...config });
  const phases: string[] = [];
  store.subscribe((e) => {
    const phase = e.object.status?.['phase'];
    if (typeof phase === 'string' && phases[phases.length - 1] !== phase) phases.push(phase);
  });
  store.create({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'b1', namespace: 'db' }, spec: { backupType: 'full', cleanPolicy, s3: { prefix: 'p/x' } } });
  return { clock, store, executor, phases };
}

const conditions = (status: JsonObject | undefined): Array<[unknown, unknown]> =>
  ((status?.['conditions'] as JsonObject[] | undefined) ?? []).map((c) => [c['type'], c['status']]);

describe('sim backup executor', () => {
  it('moves a Backup through Scheduled, Prepare, Running and Complete, with True conditions, commitTs and times', async () => {
    const w = world();
    await w.clock.runUntil(T0 + 10 * MIN);
    const b = w.store.get(KEY);
    assert.deepEqual(w.phases, ['Scheduled', 'Prepare', 'Running', 'Complete']);
    assert.deepEqual(conditions(b?.status), [['Scheduled', 'True'], ['Prepare', 'True'], ['Running', 'True'], ['Complete', 'True']]);
    assert.equal(snapshotState(b!), 'complete');
    assert.equal(tsoToMillis(String(b?.status?.['commitTs'])), T0 + 6000 + 1000);
    assert.equal(b?.status?.['timeCompleted'], '2024-05-01T00:05:06Z');
    assert.equal(b?.status?.['backupPath'], 's3://backups/p/x');
    assert.deepEqual(b?.metadata?.finalizers, [BACKUP_FINALIZER]);
  });

  it('fails a Backup with a Failed condition and no commitTs', async () => {
    const w = world({ failRate: 1 });
    await w.clock.runUntil(T0 + 10 * MIN);
    const b = w.store.get(KEY);
    assert.equal(snapshotState(b!), 'failed');
    assert.equal(b?.status?.['commitTs'], undefined);
  });

  it('leaves a Backup Scheduled for ever while its pod cannot start (ContainerCreating)', async () => {
    const w = world({ podOutages: [{ from: T0, to: null, backupPods: true, cleanPods: false }] });
    await w.clock.runUntil(T0 + 30 * 24 * 60 * MIN);
    assert.deepEqual(w.phases, ['Scheduled']);
    assert.deepEqual(w.executor.stuck().map((s) => [s.name, s.what]), [['b1', 'backup pod in ContainerCreating']]);
  });

  it('starts the pod once the outage ends', async () => {
    const w = world({ podOutages: [{ from: T0, to: T0 + 60 * MIN, backupPods: true, cleanPods: false }] });
    await w.clock.runUntil(T0 + 59 * MIN);
    assert.deepEqual(w.phases, ['Scheduled']);
    await w.clock.runUntil(T0 + 2 * 60 * MIN);
    assert.deepEqual(w.phases, ['Scheduled', 'Prepare', 'Running', 'Complete']);
    assert.deepEqual(w.executor.stuck(), []);
  });

  it('holds the finalizer until the clean job has run (cleanPolicy Delete)', async () => {
    const w = world();
    await w.clock.runUntil(T0 + 10 * MIN);
    w.store.delete(KEY);
    await w.clock.runUntil(T0 + 10 * MIN + 20_000);
    assert.ok(w.store.get(KEY)?.metadata?.deletionTimestamp);
    await w.clock.runUntil(T0 + 11 * MIN);
    assert.equal(w.store.get(KEY), undefined);
  });

  const stuckDeletions: Array<{ name: string; config: Partial<ExecutorConfig> }> = [
    { name: 'a clean pod that cannot start', config: { podOutages: [{ from: T0 + 9 * MIN, to: null, backupPods: false, cleanPods: true }] } },
    { name: 'a clean job that never runs', config: { stuckDeletionRate: 1 } },
  ];
  for (const c of stuckDeletions) {
    it(`keeps deletionTimestamp set for ever with ${c.name}`, async () => {
      const w = world(c.config);
      await w.clock.runUntil(T0 + 10 * MIN);
      w.store.delete(KEY);
      await w.clock.runUntil(T0 + 365 * 24 * 60 * MIN);
      assert.ok(w.store.get(KEY)?.metadata?.deletionTimestamp);
      assert.equal(w.executor.stuck().length, 1);
    });
  }

  it('adds no finalizer with cleanPolicy Retain, so a deleted Backup goes at once', async () => {
    const w = world({}, 'Retain');
    await w.clock.runUntil(T0 + 10 * MIN);
    assert.equal(w.store.get(KEY)?.metadata?.finalizers, undefined);
    w.store.delete(KEY);
    assert.equal(w.store.get(KEY), undefined);
  });
});
