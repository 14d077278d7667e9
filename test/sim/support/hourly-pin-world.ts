/** The fixed world the pin tests share: every step of it is known to the second. */

import { HEALTHY_EXECUTOR } from '../../../src/sim/scenario.js';
import type { Fault, Scenario } from '../../../src/sim/scenario.js';

const SECOND = 1000;
const HOUR = 3_600_000;

/** How long every change of a Backup takes to reach the cache in {@link hourlyPinWorld}. */
export const HOURLY_PIN_WORLD_LAG_MS = 20 * SECOND;

/**
 * hourlyPinWorld is hourly from midnight, maxBackups 2, every Backup Complete 63 s after its tick (no randomness), every
 * change of a Backup 20 s on its way to the cache, calls of 1 ms: the 03:00 Backup completes at 03:01:03, the view shows
 * it at 03:01:23, and that sync deletes the 01:00 one, the oldest.
 */
export function hourlyPinWorld(faults: Fault[]): Scenario {
  return {
    seed: 66,
    start: '2024-05-01T00:00:00Z',
    durationMs: 6 * HOUR,
    controller: 'hook',
    schedule: { name: 'hourly', namespace: 'db', spec: { schedule: '0 * * * *', maxBackups: 2, backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } } } },
    hook: { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' },
    metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
    transport: { latencyMs: [1, 1], timeoutMs: 10_000 },
    lag: { parentMs: [0, 0], childAddedMs: [0, 0], childChangedMs: [HOURLY_PIN_WORLD_LAG_MS, HOURLY_PIN_WORLD_LAG_MS] },
    executor: { ...HEALTHY_EXECUTOR, jobStartMs: [SECOND, SECOND], podStartMs: [SECOND, SECOND], prepareMs: [SECOND, SECOND], runMs: [60 * SECOND, 60 * SECOND] },
    faults,
  };
}
