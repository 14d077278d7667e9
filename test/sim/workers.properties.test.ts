/**
 * Metacontroller's five workers (`--workers`, its default): schedules of a group synced at once, each from a view read
 * before the others' answers are applied. The schedule-group property with five workers; and one schedule alone runs
 * as with one worker, since a parent is never synced twice at once. Longer: `npm run sim:soak -- --grep workers`.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { conditionIsTrue, isLogBackup } from '../../src/core/backup-state.js';
import { GROUP_LABEL } from '../../src/core/group.js';
import { SCHEDULE_LABEL } from '../../src/core/names.js';
import { NO_LAG } from '../../src/sim/lag.js';
import type { SyncObservation } from '../../src/sim/metacontroller.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { runScenario } from '../../src/sim/world.js';
import { checkSimProperty } from './support/property-run.js';
import { YEAR_MS, groupScenarioArb, scenarioArb, withWorkers } from './support/scenario-arbitrary.js';

const RUNS = Number(process.env['SIM_RUNS'] ?? 6);
const SEED = Number(process.env['SIM_SEED'] ?? 20_240_501) + 10;
/** Metacontroller's default `--workers`. */
const WORKERS = 5;

/** syncsOf runs a scenario and returns what each sync read and wrote, in order. */
async function syncsOf(scenario: Scenario): Promise<Array<Pick<SyncObservation, 'parentKey' | 'calledAt' | 'appliedAt' | 'created' | 'deleted' | 'updated'>>> {
  const syncs: Array<Pick<SyncObservation, 'parentKey' | 'calledAt' | 'appliedAt' | 'created' | 'deleted' | 'updated'>> = [];
  await runScenario(scenario, { observers: [{ onSync: ({ parentKey, calledAt, appliedAt, created, deleted, updated }) => syncs.push({ parentKey, calledAt, appliedAt, created, deleted, updated }) }] });
  return syncs;
}

describe(`simulator: Metacontroller with ${WORKERS} workers`, function () {
  this.timeout(0);

  it(`schedule groups (two or three schedules) under stale views: invariants 1–4, 6 for each schedule and 10 (${Math.ceil(RUNS / 2)} runs)`, async () => {
    const arbitrary = withWorkers(groupScenarioArb({ years: 0.25 }), WORKERS);
    const size = await checkSimProperty({ name: 'groups-workers', arbitrary, invariants: [1, 2, 3, 4, 6, 10, 11], seed: SEED, numRuns: Math.ceil(RUNS / 2) });
    console.log(`      ${size.runs} runs, ${(size.simulatedMs / YEAR_MS).toFixed(2)} simulated years, ${size.syncs} syncs`);
  });

  it('one schedule alone: the same syncs as with one worker', async () => {
    const [scenario] = fc.sample(scenarioArb('stale', { years: 0.1 }), { seed: SEED, numRuns: 1 });
    assert.ok(scenario !== undefined);
    const one = await syncsOf(scenario);
    assert.ok(one.length > 10);
    assert.deepEqual(await syncsOf({ ...scenario, metacontroller: { ...scenario.metacontroller, workers: WORKERS } }), one);
  });

  it('a group: syncs of sibling schedules overlap in time, as they never do with one worker', async () => {
    const [scenario] = fc.sample(groupScenarioArb({ years: 0.1 }), { seed: SEED, numRuns: 1 });
    assert.ok(scenario !== undefined);
    const overlapping = (syncs: Awaited<ReturnType<typeof syncsOf>>): number =>
      syncs.filter((s, i) => syncs.some((o, j) => j !== i && o.parentKey !== s.parentKey && o.calledAt <= s.calledAt && s.calledAt < o.appliedAt)).length;
    assert.equal(overlapping(await syncsOf(scenario)), 0);
    assert.ok(overlapping(await syncsOf({ ...scenario, metacontroller: { ...scenario.metacontroller, workers: WORKERS } })) > 0);
  });
});

const MINUTE = 60_000;
const TEMPLATE = { backupType: 'full', cleanPolicy: 'Delete', br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' }, s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'p', secretName: 's' } };

/**
 * Two schedules of group g, both due at midnight, a cache without lag, and the hook down from 23:50 to 00:10 (longer
 * than the 5-minute grace): when it is back, the 00:10 resync syncs both.
 */
function midnightAfterAnOutage(workers: number): Scenario {
  const labels = { [GROUP_LABEL]: 'g' };
  return {
    seed: 1,
    start: '2024-05-01T22:00:00Z',
    durationMs: 6 * 60 * MINUTE,
    controller: 'hook',
    schedule: { name: 'nightly', namespace: 'db', labels, spec: { schedule: '0 0 * * *', backupTemplate: TEMPLATE } },
    siblings: [{ name: 'sibling', namespace: 'db', labels, spec: { schedule: '0 0 * * *', backupTemplate: TEMPLATE } }],
    hook: { staleViewGraceMs: 5 * MINUTE, handoverLabelKey: 'backup-schedule-hook/controller' },
    metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace', workers },
    transport: { latencyMs: [2, 20], timeoutMs: 10_000 },
    lag: NO_LAG,
    executor: HEALTHY_EXECUTOR,
    faults: [{ kind: 'hook-restart', atMs: 110 * MINUTE, forMs: 20 * MINUTE }],
  };
}

/** groupOverlaps lists every snapshot Backup created while another schedule's Backup of its group ran, in truth. */
async function groupOverlaps(scenario: Scenario): Promise<string[]> {
  const found: string[] = [];
  await runScenario(scenario, {
    observers: [
      {
        onSync(sync, world) {
          const group = sync.request.parent.metadata.labels?.[GROUP_LABEL];
          for (const name of sync.created) {
            for (const other of world.store.list('Backup', 'db')) {
              if (other.metadata?.name === name || isLogBackup(other) || other.metadata?.labels?.[GROUP_LABEL] !== group) continue;
              if (other.metadata?.labels?.[SCHEDULE_LABEL] === sync.request.parent.metadata.name || other.metadata?.deletionTimestamp != null) continue;
              if (conditionIsTrue(other, 'Complete') || conditionIsTrue(other, 'Failed')) continue;
              found.push(`${name} (called ${new Date(sync.calledAt).toISOString()}) created while ${other.metadata?.name ?? '?'} ran`);
            }
          }
        },
      },
    ],
  });
  return found;
}

describe('simulator: a group after an outage longer than the grace, with a fresh cache', function () {
  this.timeout(0);

  it('one worker: the group runs one Backup at a time (the second sync sees the first one\'s Backup)', async () => {
    assert.deepEqual(await groupOverlaps(midnightAfterAnOutage(1)), []);
  });

  // Found by this simulator: both schedules were past their turn (slot + grace), so each started unless its view showed
  // the other's Backup, and 5 workers synced both from the same view at 00:10. The later one now gives an overdue
  // sibling one more grace from when it first sees it overdue (src/core/group-turn.ts).
  it(`${WORKERS} workers: the group runs one Backup at a time`, async () => {
    assert.deepEqual(await groupOverlaps(midnightAfterAnOutage(WORKERS)), []);
  });
});
