import assert from 'node:assert/strict';

import { snapshotState } from '../../src/core/backup-state.js';
import { tsoToMillis } from '../../src/core/tso.js';
import type { JsonObject } from '../../src/core/types.js';
import { VirtualClock } from '../../src/sim/clock.js';
import { BACKUP_FINALIZER, BackupExecutor } from '../../src/sim/executor.js';
import type { ExecutorConfig } from '../../src/sim/executor.js';
import { tsoOf } from '../../src/sim/backup-status.js';
import type { CompactExecutorSettings } from '../../src/sim/compact-executor.js';
import type { LogExecutorSettings } from '../../src/sim/log-executor.js';
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

const LOG_KEY = objectKey('Backup', 'db', 'log-s');
const LOG: LogExecutorSettings = { startMs: [10_000, 10_000], checkpointEveryMs: 60 * MIN, checkpointLagMs: [30_000, 30_000], truncateMs: [60_000, 60_000] };
const tsoMs = (value: unknown): number | null => (typeof value === 'string' ? tsoToMillis(value) : null);
const sub = (status: JsonObject | undefined, command: string): JsonObject | undefined => (status?.['logSubCommandStatuses'] as Record<string, JsonObject> | undefined)?.[command];

function logWorld(config: Partial<ExecutorConfig> = {}) {
  const clock = new VirtualClock(T0);
  const store = new ObjectStore(clock);
  const executor = new BackupExecutor({ clock, store, random: createRandom(7) }, { ...FIXED, log: LOG, ...config });
  const phases: string[] = [];
  store.subscribe((e) => {
    const phase = sub(e.object.status, 'log-start')?.['phase'];
    if (typeof phase === 'string' && phases[phases.length - 1] !== phase) phases.push(phase);
  });
  store.create({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'log-s', namespace: 'db' }, spec: { backupMode: 'log', s3: { prefix: 'p/log-2024-05-01t00-00-00' } } });
  const truncate = (until: number): void => {
    const log = store.get(LOG_KEY);
    assert.ok(log);
    store.update({ ...log, spec: { ...log.spec, logTruncateUntil: tsoOf(until) } });
  };
  return { clock, store, executor, phases, truncate };
}

describe('sim log backup executor', () => {
  it('runs log-start through Scheduled, Prepare, Running and Complete; the Backup stays Running with commitTs, finalizer and backupPath', async () => {
    const w = logWorld();
    await w.clock.runUntil(T0 + 5 * MIN);
    const log = w.store.get(LOG_KEY);
    assert.deepEqual(w.phases, ['Scheduled', 'Prepare', 'Running', 'Complete']);
    assert.equal(log?.status?.['phase'], 'Running');
    assert.deepEqual(conditions(log?.status), [['Scheduled', 'True'], ['Prepare', 'True'], ['Running', 'True']]);
    // Job 1 s, pod 2 s, prepare 3 s: Running at 6 s; log start takes 10 s.
    assert.equal(tsoMs(log?.status?.['commitTs']), T0 + 6000);
    assert.equal(sub(log?.status, 'log-start')?.['timeCompleted'], '2024-05-01T00:00:16Z');
    assert.equal(log?.status?.['backupPath'], 's3://backups/p/log-2024-05-01t00-00-00');
    assert.deepEqual(log?.metadata?.finalizers, [BACKUP_FINALIZER]);
  });

  it('advances logCheckpointTs with the clock, a lag behind, once per tracker period', async () => {
    const w = logWorld();
    await w.clock.runUntil(T0 + 3 * 60 * MIN);
    // Written at 16 s (behind the start: skipped), 1 h 16 s, 2 h 16 s: each 30 s behind.
    assert.equal(tsoMs(w.store.get(LOG_KEY)?.status?.['logCheckpointTs']), T0 + 2 * 60 * MIN + 16_000 - 30_000);
  });

  it('holds the checkpoint during a stall and moves on after it', async () => {
    const w = logWorld({ logStalls: [{ from: T0 + 90 * MIN, to: T0 + 5 * 60 * MIN }] });
    await w.clock.runUntil(T0 + 4 * 60 * MIN);
    assert.equal(tsoMs(w.store.get(LOG_KEY)?.status?.['logCheckpointTs']), T0 + 90 * MIN);
    await w.clock.runUntil(T0 + 6 * 60 * MIN);
    assert.equal(tsoMs(w.store.get(LOG_KEY)?.status?.['logCheckpointTs']), T0 + 5 * 60 * MIN + 16_000 - 30_000);
  });

  it('truncates on a new spec.logTruncateUntil with the log-truncate subcommand, then sets logSuccessTruncateUntil', async () => {
    const w = logWorld();
    await w.clock.runUntil(T0 + 2 * 60 * MIN);
    w.truncate(T0 + 60 * MIN);
    await w.clock.runUntil(T0 + 2 * 60 * MIN + 30_000);
    assert.equal(sub(w.store.get(LOG_KEY)?.status, 'log-truncate')?.['phase'], 'Running');
    assert.equal(w.store.get(LOG_KEY)?.status?.['logSuccessTruncateUntil'], undefined);
    await w.clock.runUntil(T0 + 2 * 60 * MIN + 2 * MIN);
    const log = w.store.get(LOG_KEY);
    assert.equal(sub(log?.status, 'log-truncate')?.['phase'], 'Complete');
    assert.equal(sub(log?.status, 'log-truncate')?.['logTruncatingUntil'], tsoOf(T0 + 60 * MIN));
    assert.equal(log?.status?.['logSuccessTruncateUntil'], tsoOf(T0 + 60 * MIN));
  });

  it('completes a truncation at or before the log start without a Job (upstream skips it)', async () => {
    const w = logWorld();
    await w.clock.runUntil(T0 + 5 * MIN);
    w.truncate(T0 + 1000);
    const log = w.store.get(LOG_KEY);
    assert.equal(sub(log?.status, 'log-truncate')?.['phase'], 'Complete');
    assert.equal(log?.status?.['logSuccessTruncateUntil'], undefined);
  });

  it('leaves log-start Scheduled while its pod cannot start, with no commitTs and no checkpoint', async () => {
    const w = logWorld({ podOutages: [{ from: T0, to: null, backupPods: true, cleanPods: false }] });
    await w.clock.runUntil(T0 + 5 * 60 * MIN);
    assert.deepEqual(w.phases, ['Scheduled']);
    assert.equal(w.store.get(LOG_KEY)?.status?.['logCheckpointTs'], undefined);
    assert.deepEqual(w.executor.stuck().map((s) => [s.name, s.what]), [['log-s', 'log-start pod in ContainerCreating']]);
  });

  it('stops the log with a clean job when it is deleted, then lets it go', async () => {
    const w = logWorld();
    await w.clock.runUntil(T0 + 2 * 60 * MIN);
    w.store.delete(LOG_KEY);
    assert.ok(w.store.get(LOG_KEY)?.metadata?.deletionTimestamp);
    await w.clock.runUntil(T0 + 2 * 60 * MIN + 2 * MIN);
    assert.equal(w.store.get(LOG_KEY), undefined);
  });
});

const COMPACT_KEY = objectKey('CompactBackup', 'db', 'c1');

function compactWorld(compact: Partial<CompactExecutorSettings>, options: { spec?: JsonObject; config?: Partial<ExecutorConfig> } = {}) {
  const clock = new VirtualClock(T0);
  const store = new ObjectStore(clock);
  const executor = new BackupExecutor({ clock, store, random: createRandom(7) }, { ...FIXED, compact: { runMs: [5 * MIN, 5 * MIN], failRate: 0, ...compact }, ...options.config });
  const states: string[] = [];
  store.subscribe((e) => {
    const state = e.object.status?.['state'];
    if (typeof state === 'string' && states[states.length - 1] !== state) states.push(state);
  });
  store.create({ apiVersion: 'pingcap.com/v1alpha1', kind: 'CompactBackup', metadata: { name: 'c1', namespace: 'db' }, spec: { startTs: '2024-04-30 18:00:00', endTs: '2024-05-01 00:00:00', ...options.spec } });
  return { clock, store, executor, states };
}

describe('sim compact backup executor', () => {
  it('moves status.state through Scheduled, Prepare, Running to Complete, with status.endTs at most the window end', async () => {
    const w = compactWorld({});
    await w.clock.runUntil(T0 + 20 * MIN);
    assert.deepEqual(w.states, ['Scheduled', 'Prepare', 'Running', 'Complete']);
    const endTs = tsoMs(w.store.get(COMPACT_KEY)?.status?.['endTs']);
    assert.ok(endTs !== null && endTs <= T0 && endTs >= T0 - 30_000, String(endTs));
  });

  it('retries a failed attempt (RetryFailed, one record each) while maxRetryTimes allows, then fails', async () => {
    const w = compactWorld({ failRate: 1 }, { spec: { maxRetryTimes: 1 } });
    await w.clock.runUntil(T0 + 60 * MIN);
    assert.deepEqual(w.states, ['Scheduled', 'Prepare', 'Running', 'RetryFailed', 'Running', 'Failed']);
    assert.equal((w.store.get(COMPACT_KEY)?.status?.['backoffRetryStatus'] as unknown[]).length, 1);
  });

  it('stays in Prepare while its pod cannot start', async () => {
    const w = compactWorld({}, { config: { podOutages: [{ from: T0, to: null, backupPods: true, cleanPods: false }] } });
    await w.clock.runUntil(T0 + 24 * 60 * MIN);
    assert.deepEqual(w.states, ['Scheduled', 'Prepare']);
    assert.deepEqual(w.executor.stuck().map((s) => [s.name, s.what]), [['c1', 'compact pod in ContainerCreating']]);
  });
});
