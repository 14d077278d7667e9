/**
 * Metacontroller's five workers (`--workers`, its default): schedules of a group synced at once, each from a view read
 * before the others' answers are applied. The schedule-group property with five workers; and one schedule alone runs
 * as with one worker, since a parent is never synced twice at once. Longer: `npm run sim:soak -- --grep workers`.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import type { SyncObservation } from '../../src/sim/metacontroller.js';
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
