/** Pieces the soak's rough worlds share (support/hunt-arbitrary.ts, support/mixed-arbitrary.ts): schedules, template, executor. */

import type { JsonObject } from '../../../src/core/types.js';
import { HEALTHY_EXECUTOR } from '../../../src/sim/scenario.js';
import type { Scenario } from '../../../src/sim/scenario.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A schedule with its shortest gap between ticks. */
export interface RoughSchedule {
  expression: string;
  minIntervalMs: number;
}

/** Dense schedules the rough worlds draw from (each family adds its own). */
export const DENSE_ROUGH_SCHEDULES: readonly RoughSchedule[] = [
  { expression: '*/10 * * * *', minIntervalMs: 10 * MINUTE },
  { expression: '0 * * * *', minIntervalMs: HOUR },
  { expression: '@every 45m', minIntervalMs: 45 * MINUTE },
  { expression: '*/30 9-17 * * 1-5', minIntervalMs: 30 * MINUTE },
  { expression: '0 */6 * * *', minIntervalMs: 6 * HOUR },
];

/** The Backup template of the rough worlds (the log and compact templates add to it). */
export const ROUGH_TEMPLATE: JsonObject = { backupType: 'full', br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' }, s3: { bucket: 'backups', prefix: 'nightly' } };

/**
 * roughExecutor runs Backups that fail at `failRate` and run slow (half an interval to `slowUpTo` intervals) at
 * `slowRate`, with rare stuck deletions, an hourly log checkpoint up to 3 minutes behind, and compactions of 2 to 40
 * minutes failing 30 % of the attempts.
 */
export function roughExecutor(intervalMs: number, rates: { failRate: number; slowRate: number; slowUpTo: number }): Scenario['executor'] {
  return {
    ...HEALTHY_EXECUTOR,
    failRate: rates.failRate,
    slowRate: rates.slowRate,
    slowRunMs: [intervalMs / 2, rates.slowUpTo * intervalMs],
    stuckDeletionRate: 0.003,
    log: { startMs: [5000, 30_000], checkpointEveryMs: HOUR, checkpointLagMs: [2000, 180_000], truncateMs: [30_000, 120_000] },
    compact: { runMs: [2 * MINUTE, 40 * MINUTE], failRate: 0.3 },
  };
}
