/**
 * Worlds for the pin-race hunt (`pin-race.ts`): dense schedules (every ten minutes to six-hourly) under every retention
 * rule the hook has — maxBackups, maxReservedTime, both, and `spec.retention` (GFS) — with no log Backup, a log Backup
 * (truncated up to the oldest Backup kept) or a log compacted every 2 h, a quarter of the Backups failing, caches
 * lagging up to half the smaller of the stale-view grace and the interval (the parent's view near its bound in half of
 * them: a stale parent), and up to two faults from users and the cluster (a Backup deleted, the status wiped, the hook
 * down a while). With each world, up to four steps of the hunt (one in five with Metacontroller restarting after the pin).
 */

import fc from 'fast-check';

import type { JsonObject } from '../../../src/core/types.js';
import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';
import type { PinRaceStep } from './pin-race.js';
import { DAY, HOUR, MINUTE, ROUGH_TEMPLATE as TEMPLATE, roughExecutor } from './rough-world.js';

/** Schedules, with their shortest gap between ticks and the days a world of them runs. */
export const SCHEDULES: ReadonlyArray<{ expression: string; minIntervalMs: number; days: number }> = [
  { expression: '*/10 * * * *', minIntervalMs: 10 * MINUTE, days: 2 },
  { expression: '0 * * * *', minIntervalMs: HOUR, days: 4 },
  { expression: '@every 45m', minIntervalMs: 45 * MINUTE, days: 3 },
  { expression: '0 */6 * * *', minIntervalMs: 6 * HOUR, days: 10 },
];

/** Retention, by a kind and a size in [0, 1); the sizes scale with the interval, so each rule retires Backups within the run. */
function retentionOf(kind: 'maxBackups' | 'maxReservedTime' | 'both' | 'gfs', size: number, intervalMs: number): JsonObject {
  const hours = Math.max(1, Math.round(((2 + 4 * size) * intervalMs) / HOUR));
  const count = 1 + Math.floor(size * 3);
  switch (kind) {
    case 'maxBackups':
      return { maxBackups: count };
    case 'maxReservedTime':
      return { maxReservedTime: `${hours}h` };
    case 'both':
      return { maxBackups: count + 1, maxReservedTime: `${hours}h` };
    default:
      return { retention: { keepLast: count, keepHourly: intervalMs <= HOUR ? Math.floor(size * 4) : 0, keepDaily: intervalMs >= 6 * HOUR ? 1 : 0, failedBackupsHistoryLimit: 1 } };
  }
}

const stepArb: fc.Arbitrary<PinRaceStep> = fc.record({
  kind: fc.constantFrom('pin' as const, 'pin' as const, 'unpin' as const, 'pin-deleted' as const, 'pin-restart' as const),
  target: evenDouble({ min: 0, max: 1, maxExcluded: true }),
  offset: evenDouble({ min: 0, max: 1 }),
  second: evenDouble({ min: 0, max: 1 }),
});

/** A world of the hunt and its steps. */
export interface PinRaceCase {
  world: Scenario;
  steps: PinRaceStep[];
}

/** pinRaceCaseArb draws a world of the pin-race hunt and up to four steps. */
export function pinRaceCaseArb(): fc.Arbitrary<PinRaceCase> {
  return fc
    .record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      schedule: fc.constantFrom(...SCHEDULES),
      graceMs: fc.constantFrom(MINUTE, 5 * MINUTE, 15 * MINUTE),
      retention: fc.constantFrom('maxBackups' as const, 'maxReservedTime' as const, 'both' as const, 'gfs' as const),
      size: evenDouble({ min: 0, max: 1, maxExcluded: true }),
      log: fc.constantFrom('none', 'log', 'compact'),
      staleParent: fc.boolean(),
      faults: fc.array(fc.record({ kind: fc.constantFrom('backups-deleted', 'status-wiped', 'hook-restart'), at: evenDouble({ min: 0, max: 1, maxExcluded: true }), size: evenDouble({ min: 0, max: 1, maxExcluded: true }) }), { maxLength: 2 }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: 4 }),
    })
    .map((p): PinRaceCase => {
      const interval = p.schedule.minIntervalMs;
      const bound = Math.min(p.graceMs, interval) / 2 - 1000;
      const durationMs = p.schedule.days * DAY;
      const spec: JsonObject = { schedule: p.schedule.expression, backupTemplate: { ...TEMPLATE, cleanPolicy: 'Delete' }, ...retentionOf(p.retention, p.size, interval) };
      if (p.log !== 'none') spec['logBackupTemplate'] = { ...TEMPLATE, backupMode: 'log' };
      if (p.log === 'compact') Object.assign(spec, { compactBackupTemplate: { ...TEMPLATE, maxRetryTimes: 1 }, compactInterval: '2h' });
      const faults = p.faults
        .map((f): Fault => {
          const atMs = Math.floor(f.at * durationMs * 0.6);
          if (f.kind === 'backups-deleted') return { kind: 'backups-deleted', atMs, which: f.size < 0.5 ? 'newest' : 'oldest' };
          if (f.kind === 'status-wiped') return { kind: 'status-wiped', atMs };
          return { kind: 'hook-restart', atMs, forMs: Math.floor(f.size * 2 * HOUR) };
        })
        .sort((a, b) => a.atMs - b.atMs);
      const world: Scenario = {
        seed: p.seed,
        start: '2024-05-01T00:00:00Z',
        durationMs,
        controller: 'hook',
        schedule: { name: 'nightly', namespace: 'db', spec },
        hook: { staleViewGraceMs: p.graceMs, handoverLabelKey: 'backup-schedule-hook/controller' },
        metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace', ...(p.log === 'compact' ? { compactBackups: { updateStrategy: 'OnDelete' as const } } : {}) },
        transport: { latencyMs: [1, 50], timeoutMs: 10_000 },
        lag: { parentMs: p.staleParent ? [bound / 2, bound] : [0, bound], childAddedMs: [bound / 2, bound], childChangedMs: [0, bound] },
        executor: roughExecutor(interval, { failRate: 0.25, slowRate: 0.3, slowUpTo: 1.5 }),
        faults,
      };
      return { world, steps: p.steps };
    });
}
