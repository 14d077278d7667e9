/**
 * Adversarial worlds for the soak's hunt: dense schedules with every cache lagging near its bound (half the smaller
 * of the stale-view grace and the interval), the hook's clock stepped forward or back within that bound, half the
 * Backups slow or failing, a log Backup compacted every 2 h with failing compactions, a backup-now request, a log
 * stall, and a starting deadline, backup timeout or short retention; one world in three, Metacontroller restarting
 * (`restart-arbitrary.ts`); last of all (so the rest of each world is the one its seed drew before), up to two windows
 * in which a user breaks the spec and fixes it, some fixed while paused and unpaused later (`spec-broken-arbitrary.ts`).
 * Each piece is within the stale-view rules; it is their meeting, rare in the wider properties, that found the overlaps
 * of the quiet windows' issue.
 */

import fc from 'fast-check';

import type { JsonObject } from '../../../src/core/types.js';
import type { Scenario } from '../../../src/sim/scenario.js';
import { withRestarts } from './restart-arbitrary.js';
import { withBrokenSpecs } from './spec-broken-arbitrary.js';
import { DAY, DENSE_ROUGH_SCHEDULES, HOUR, MINUTE, ROUGH_TEMPLATE as TEMPLATE, roughExecutor } from './rough-world.js';

/** Dense schedules, with their shortest gap between ticks. */
const HUNT_SCHEDULES = [...DENSE_ROUGH_SCHEDULES, { expression: '*/7 3-5 * * *', minIntervalMs: 4 * MINUTE }];

/** huntScenarioArb draws one adversarial world of 7 to 20 days. */
export function huntScenarioArb(): fc.Arbitrary<Scenario> {
  const worlds = fc
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
        executor: roughExecutor(interval, { failRate: 0.2, slowRate: 0.4, slowUpTo: 2.5 }),
        faults: [
          { kind: 'hook-restart', atMs: 2 * DAY, forMs: 2 * HOUR },
          { kind: 'clock-jump', atMs: 3 * DAY, byMs: p.backInTime ? -Math.max(1000, bound - MINUTE) : Math.max(1000, bound - MINUTE) },
          { kind: 'backup-now', atMs: p.backupNowAtMinute * MINUTE, token: 'now1' },
          { kind: 'log-stall', atMs: 5 * DAY, forMs: 3 * HOUR },
        ],
      };
    });
  return withBrokenSpecs(withRestarts(worlds, { longestMs: 6 * HOUR }), { unpauseLater: true });
}
