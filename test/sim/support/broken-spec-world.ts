/** What the fixed broken-spec worlds share besides their schedules and faults. */

import { HEALTHY_EXECUTOR } from '../../../src/sim/scenario.js';
import type { Scenario } from '../../../src/sim/scenario.js';

/** A grace of 5 minutes, calls of 1–30 ms, lags up to 20 s (new Backups) and 5 s (the parent, changes), healthy Backups. */
export const BROKEN_SPEC_WORLD: Pick<Scenario, 'hook' | 'metacontroller' | 'transport' | 'lag' | 'executor'> = {
  hook: { staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' },
  metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' },
  transport: { latencyMs: [1, 30], timeoutMs: 10_000 },
  lag: { parentMs: [0, 5000], childAddedMs: [0, 20_000], childChangedMs: [0, 5000] },
  executor: HEALTHY_EXECUTOR,
};
