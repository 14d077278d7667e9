/** The seed incident's day against upstream's two algorithms and this hook (issue 5); the table is printed. */

import assert from 'node:assert/strict';

import { formatSeedTable, runSeedComparison } from '../../src/sim/seed-comparison.js';
import type { SeedResult } from '../../src/sim/seed-comparison.js';

describe('sim: the seed incident over a simulated day', function () {
  this.timeout(0);
  let results: SeedResult[] = [];
  const row = (controller: string, options: { timeout?: boolean } = {}): SeedResult => {
    const found = results.find((r) => r.row.controller === controller && (r.row.specPatch?.['backupTimeout'] !== undefined) === (options.timeout ?? false));
    assert.ok(found, `no row for ${controller}`);
    return found;
  };

  before(async () => {
    results = await runSeedComparison();
    console.log(`\n${formatSeedTable(results)}\n`);
  });

  it('this hook: no lost lastBackup, no overlapping backup, no pile of stuck Backups', () => {
    const { metrics } = row('hook');
    assert.equal(metrics.lostLastBackup, 0);
    assert.equal(metrics.overlaps, 0);
    const [noon, midnight] = metrics.stuck;
    assert.ok(noon !== undefined && midnight !== undefined);
    assert.equal(midnight.count, noon.count, 'the stuck Backups do not grow after the incident began');
  });

  it('this hook without spec.backupTimeout: frozen behind the stuck Backup, saying so in Ready, and reporting the stuck deletions', () => {
    const { metrics } = row('hook');
    assert.equal(metrics.frozen, true);
    assert.equal(metrics.ready?.reason, 'WaitingForPreviousBackup');
    assert.match(metrics.ready?.message ?? '', /seed-2024-05-01t06-00-00/);
    assert.deepEqual(metrics.stuckReported, ['DeletionStuck=DeletionNotFinished']);
  });

  it('this hook with spec.backupTimeout: passes the one stuck Backup after the timeout, stops at two, reports both; still nothing lost or overlapping', () => {
    const { metrics, world } = row('hook', { timeout: true });
    assert.equal(metrics.lostLastBackup, 0);
    assert.equal(metrics.overlaps, 0);
    assert.ok([...world.recorder.backups.values()].some((b) => b.name === 'seed-2024-05-01t08-00-00'), 'the 08:00 slot runs past the stuck 06:00 Backup');
    assert.equal(metrics.frozen, true);
    assert.ok(metrics.stuckReported.includes('BackupStuck=TooManyStuckBackups'), metrics.stuckReported.join());
    const [noon, midnight] = metrics.stuck;
    assert.equal(midnight?.count, noon?.count, 'at most two unfinished Backups: no pile');
  });

  it('this hook keeps the slow 02:00 Backup (the newest Complete) although it expired, skips the ticks it ran over, and catches up none in the quiet window before the next tick', () => {
    const { world } = row('hook');
    const slow = [...world.recorder.backups.values()].find((b) => b.name === 'seed-2024-05-01t02-00-00');
    assert.ok(slow?.finishedAt !== null && slow?.finishedAt !== undefined);
    assert.ok(slow.deletingAt === null || slow.deletingAt > Date.parse('2024-05-01T03:20:00Z'), 'kept while it was the newest Complete');
    const slots = [...world.recorder.backups.values()].map((b) => b.name);
    assert.ok(!slots.includes('seed-2024-05-01t02-10-00') && !slots.includes('seed-2024-05-01t03-00-00'), 'no backfill of the ticks it ran over');
    // It finished at 03:15:25, inside the quiet window before 03:20 (the 5-minute stale-view grace): catching up
    // 03:10 there could overlap the 03:20 Backup a sync with an older view would start, so 03:20 runs at its tick.
    assert.ok(slow.finishedAt > Date.parse('2024-05-01T03:15:00Z') && slow.finishedAt < Date.parse('2024-05-01T03:20:00Z'));
    assert.ok(!slots.includes('seed-2024-05-01t03-10-00'), 'no catch-up in the quiet window before the next tick');
    const next = [...world.recorder.backups.values()].find((b) => b.name === 'seed-2024-05-01t03-20-00');
    assert.ok(next !== undefined && next.createdAt < Date.parse('2024-05-01T03:20:01Z'), 'the next tick runs at its time');
  });

  it('seed era: the gate lets a stuck Scheduled Backup pass, so Backups overlap and stuck ones pile up', () => {
    const { metrics } = row('upstream-seed-era');
    assert.ok(metrics.overlaps > 50, `overlaps ${metrics.overlaps}`);
    const [noon, midnight] = metrics.stuck;
    assert.ok(noon !== undefined && midnight !== undefined && midnight.count > noon.count + 30, JSON.stringify(metrics.stuck));
    assert.equal(metrics.frozen, false);
  });

  it('seed era: the reset on an empty cached list forgets the very first Backup', () => {
    const { metrics, world } = row('upstream-seed-era');
    assert.ok(metrics.lostLastBackup >= 1);
    const first = world.recorder.knowledgeGaps[0];
    assert.equal(first?.newest, 'seed-2024-05-01t00-10-00');
  });

  it('release-1.x: the reset after the slow Backup forgets the Backup just created, and the next one overlaps it', () => {
    const { metrics, world } = row('upstream-release-1x');
    assert.ok(metrics.lostLastBackup >= 1);
    assert.ok(metrics.overlaps >= 1);
    const lost = world.recorder.knowledgeGaps.find((g) => (g.to ?? world.end) - g.from > 60_000);
    assert.match(lost?.newest ?? '', /^seed-2024-05-01t03-1/);
  });

  it('release-1.x: frozen behind the stuck Backup with nothing in the status', () => {
    const { metrics } = row('upstream-release-1x');
    assert.equal(metrics.frozen, true);
    assert.equal(metrics.ready, null);
  });
});
