/** The simulator drives the real HTTP service (createApp on 127.0.0.1:0, called through fetch) and gets the in-process history. */

import assert from 'node:assert/strict';

import { runChecked } from '../../src/sim/invariants/run.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { describeViolations } from './support/property-run.js';

const HOUR = 3_600_000;
const scenario = (controller: Scenario['controller']): Scenario => ({
  seed: 11,
  start: '2024-05-01T00:00:00Z',
  durationMs: 2 * 24 * HOUR,
  controller,
  schedule: {
    name: 'hourly',
    namespace: 'db',
    spec: { schedule: '0 * * * *', maxReservedTime: '6h', backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' }, cleanPolicy: 'Delete' } },
  },
  hook: { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' },
  metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
  transport: { latencyMs: [1, 20], timeoutMs: 10_000 },
  lag: { parentMs: [0, 3000], childAddedMs: [0, 10_000], childChangedMs: [0, 3000] },
  executor: { ...HEALTHY_EXECUTOR, failRate: 0.1 },
  faults: [
    { kind: 'hook-restart', atMs: 10 * HOUR + 59 * 60_000, forMs: 20 * 60_000 },
    { kind: 'hook-errors', atMs: 20 * HOUR, forMs: HOUR, rate: 0.5 },
  ],
});

describe('sim: the real HTTP service as the hook', function () {
  this.timeout(0);

  it('answers every sync over two days as the in-process decision does: same history, invariants 1–6 hold', async () => {
    const overHttp = await runChecked({ invariants: [1, 2, 3, 4, 5, 6], scenario: scenario('hook-http') });
    const inProcess = await runChecked({ invariants: [1, 2, 3, 4, 5, 6], scenario: scenario('hook') });
    assert.deepEqual(describeViolations(overHttp.violations), []);
    assert.ok(overHttp.world.syncs > 500, `${overHttp.world.syncs} syncs over HTTP`);
    assert.equal(overHttp.world.syncs, inProcess.world.syncs);
    const lines = (run: typeof overHttp): string[] => run.world.recorder.timeline.map((e) => `${e.at} ${e.kind} ${e.name}`);
    assert.deepEqual(lines(overHttp), lines(inProcess));
    assert.deepEqual(overHttp.world.store.get(overHttp.world.parentKey)?.status, inProcess.world.store.get(inProcess.world.parentKey)?.status);
  });
});
