/**
 * The seed incident as a scenario, run against upstream's two algorithms and this hook: a schedule every ten minutes,
 * `maxReservedTime: 1h`, a cache that lacks the newest Backup for seconds (so upstream's GC, right after the
 * create, never sees it), one Backup at 02:00 that runs 75 minutes (longer than maxReservedTime, so every
 * listed Backup expires), and from 06:00 the kernel bug: backup pods and clean pods stay in ContainerCreating.
 */

import type { JsonObject } from '../core/types.js';
import { MANIFEST_METACONTROLLER } from './metacontroller.js';
import { HEALTHY_EXECUTOR } from './scenario.js';
import type { ControllerKind, Scenario } from './scenario.js';
import { describeFrozen, measureSeed } from './seed-metrics.js';
import type { SeedMetrics } from './seed-metrics.js';
import { formatTable } from './table.js';
import { runScenario } from './world.js';
import type { World } from './world.js';

const HOUR = 3_600_000;

/** A row of the comparison: a controller, and spec fields it runs with (a later row can add `backupTimeout`, issue 9). */
export interface SeedRow {
  label: string;
  controller: ControllerKind;
  specPatch?: JsonObject;
}

/** The rows: both upstream algorithms, and this hook without and with its stuck-backup handling (issue 9). */
export const SEED_ROWS: readonly SeedRow[] = [
  { label: 'upstream, seed era', controller: 'upstream-seed-era' },
  { label: 'upstream, release-1.x', controller: 'upstream-release-1x' },
  { label: 'this hook, without spec.backupTimeout', controller: 'hook' },
  { label: 'this hook, with spec.backupTimeout: 2h', controller: 'hook', specPatch: { backupTimeout: '2h' } },
];

/** The instants (offsets from the start) at which stuck Backups are counted. */
export const SEED_SAMPLE_OFFSETS_MS: readonly number[] = [12 * HOUR, 24 * HOUR];

/** seedScenario is the seed's day for one controller. */
export function seedScenario(row: Pick<SeedRow, 'controller' | 'specPatch'>): Scenario {
  return {
    seed: 20240501,
    start: '2024-05-01T00:00:00Z',
    durationMs: 24 * HOUR,
    controller: row.controller,
    schedule: {
      name: 'seed',
      namespace: 'tidb-cluster',
      spec: {
        schedule: '*/10 * * * *',
        maxReservedTime: '1h',
        backupTemplate: {
          backupType: 'full',
          cleanPolicy: 'Delete',
          br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' },
          s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'schedule-backup', secretName: 's3-secret' },
        },
        ...(row.specPatch ?? {}),
      },
    },
    hook: { staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' },
    metacontroller: MANIFEST_METACONTROLLER,
    transport: { latencyMs: [2, 20], timeoutMs: 10_000 },
    lag: { parentMs: [100, 1000], childAddedMs: [2000, 8000], childChangedMs: [200, 2000] },
    executor: { ...HEALTHY_EXECUTOR, runMs: [5 * 60_000, 8 * 60_000] },
    faults: [
      { kind: 'slow-backups', atMs: 2 * HOUR, forMs: 5 * 60_000, runMs: 75 * 60_000 },
      { kind: 'pods-stuck', atMs: 6 * HOUR, forMs: null, backupPods: true, cleanPods: true },
    ],
  };
}

/** A row's result. */
export interface SeedResult {
  row: SeedRow;
  metrics: SeedMetrics;
  world: World;
}

/** runSeedComparison runs the seed's day for every row. */
export async function runSeedComparison(rows: readonly SeedRow[] = SEED_ROWS): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  for (const row of rows) {
    const scenario = seedScenario(row);
    const start = Date.parse(scenario.start);
    const stuck: Array<{ at: number; count: number }> = [];
    const world = await runScenario(scenario, {
      sampleAt: SEED_SAMPLE_OFFSETS_MS.map((offset) => start + offset - 1),
      onSample: (w) => stuck.push({ at: w.clock.now + 1, count: w.executor.stuck().length }),
    });
    results.push({ row, metrics: measureSeed(world, stuck), world });
  }
  return results;
}

/** The comparison table's headers. */
export const SEED_HEADERS = ['controller', 'lost lastBackup', 'overlapping backups', 'stuck Backups 12:00 → 24:00', 'stuck reported', 'frozen schedule'] as const;

/** seedTableRows renders the results as table cells. */
export function seedTableRows(results: readonly SeedResult[]): string[][] {
  return results.map(({ row, metrics }) => [
    row.label,
    String(metrics.lostLastBackup),
    String(metrics.overlaps),
    metrics.stuck.map((s) => String(s.count)).join(' → '),
    metrics.stuckReported.length === 0 ? 'no' : metrics.stuckReported.map((c) => c.split('=')[0]).sort().join(', '),
    describeFrozen(metrics),
  ]);
}

/** formatSeedTable renders the results as a plain-text table. */
export function formatSeedTable(results: readonly SeedResult[]): string {
  return formatTable(SEED_HEADERS, seedTableRows(results));
}
