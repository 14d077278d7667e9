/**
 * Adversarial worlds for the soak's hunt: dense schedules with every cache lagging near its bound (half the smaller
 * of the stale-view grace and the interval), the hook's clock stepped forward or back within that bound, half the
 * Backups slow or failing, a log Backup compacted every 2 h with failing compactions, a backup-now request, a log
 * stall, and a starting deadline, backup timeout or short retention. Each piece is within the stale-view rules; it
 * is their meeting, rare in the wider properties, that found the overlaps of the quiet windows' issue.
 */

import fc from 'fast-check';

import type { JsonObject } from '../../../src/core/types.js';
import { HEALTHY_EXECUTOR } from '../../../src/sim/scenario.js';
import type { Scenario } from '../../../src/sim/scenario.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Dense schedules, with their shortest gap between ticks. */
const HUNT_SCHEDULES: ReadonlyArray<{ expression: string; minIntervalMs: number }> = [
  { expression: '*/10 * * * *', minIntervalMs: 10 * MINUTE },
  { expression: '0 * * * *', minIntervalMs: HOUR },
  { expression: '@every 45m', minIntervalMs: 45 * MINUTE },
  { expression: '*/30 9-17 * * 1-5', minIntervalMs: 30 * MINUTE },
  { expression: '0 */6 * * *', minIntervalMs: 6 * HOUR },
  { expression: '*/7 3-5 * * *', minIntervalMs: 4 * MINUTE },
];

const TEMPLATE: JsonObject = { backupType: 'full', br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' }, s3: { bucket: 'backups', prefix: 'nightly' } };

/** huntScenarioArb draws one adversarial world of 7 to 20 days. */
export function huntScenarioArb(): fc.Arbitrary<Scenario> {
  return fc
    .record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      schedule: fc.constantFrom(...HUNT_SCHEDULES),
      graceMs: fc.constantFrom(MINUTE, 5 * MINUTE, 15 * MINUTE),
      extra: fc.constantFrom('none', 'backupTimeout', 'startingDeadline', 'shortRetention'),
      backInTime: fc.boolean(),
      days: fc.integer({ min: 7, max: 20 }),
      backupNowAtMinute: fc.integer({ min: 60, max: 6 * 24 * 60 }),
    })
    .map((p): Scenario => {
      const interval = p.schedule.minIntervalMs;
      const bound = Math.min(p.graceMs, interval) / 2 - 1000;
      const extra: JsonObject =
        p.extra === 'backupTimeout'
          ? { backupTimeout: `${Math.round((1.5 * interval) / MINUTE)}m`, maxBackups: 4 }
          : p.extra === 'startingDeadline'
            ? { startingDeadlineSeconds: Math.round(interval / 2000), maxBackups: 4 }
            : p.extra === 'shortRetention'
              ? { maxReservedTime: '2h' }
              : { maxBackups: 4 };
      return {
        seed: p.seed,
        start: '2024-05-01T00:00:00Z',
        durationMs: p.days * DAY,
        controller: 'hook',
        schedule: {
          name: 'nightly',
          namespace: 'db',
          spec: {
            schedule: p.schedule.expression,
            ...extra,
            backupTemplate: { ...TEMPLATE, cleanPolicy: 'Delete' },
            logBackupTemplate: { ...TEMPLATE, backupMode: 'log' },
            compactBackupTemplate: { ...TEMPLATE, maxRetryTimes: 1 },
            compactInterval: '2h',
          },
        },
        hook: { staleViewGraceMs: p.graceMs, handoverLabelKey: 'backup-schedule-hook/controller' },
        metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace', compactBackups: { updateStrategy: 'OnDelete' } },
        transport: { latencyMs: [1, 50], timeoutMs: 10_000 },
        lag: { parentMs: [bound / 2, bound], childAddedMs: [bound / 2, bound], childChangedMs: [0, bound] },
        executor: {
          ...HEALTHY_EXECUTOR,
          failRate: 0.2,
          slowRate: 0.4,
          slowRunMs: [interval / 2, 2.5 * interval],
          stuckDeletionRate: 0.003,
          log: { startMs: [5000, 30_000], checkpointEveryMs: HOUR, checkpointLagMs: [2000, 180_000], truncateMs: [30_000, 120_000] },
          compact: { runMs: [2 * MINUTE, 40 * MINUTE], failRate: 0.3 },
        },
        faults: [
          { kind: 'hook-restart', atMs: 2 * DAY, forMs: 2 * HOUR },
          { kind: 'clock-jump', atMs: 3 * DAY, byMs: p.backInTime ? -Math.max(1000, bound - MINUTE) : Math.max(1000, bound - MINUTE) },
          { kind: 'backup-now', atMs: p.backupNowAtMinute * MINUTE, token: 'now1' },
          { kind: 'log-stall', atMs: 5 * DAY, forMs: 3 * HOUR },
        ],
      };
    });
}
