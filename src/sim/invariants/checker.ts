/** The invariant checker: a world observer that runs the chosen checks (issue 5's six, the log and compaction ones) and collects violations. */

import type { HookSettings } from '../hook.js';
import type { WorldObserver } from '../world.js';
import { compactionCheck } from './compaction.js';
import { convergenceCheck } from './convergence.js';
import { deletionCheck } from './deletions.js';
import { determinismCheck } from './determinism.js';
import { logBackupCheck } from './log-backup.js';
import { overlapCheck } from './overlap.js';
import { slotCheck } from './slots.js';
import type { Check } from './slots.js';
import { statusCheck } from './status.js';
import { truncationCheck } from './truncation.js';
import { ALL_INVARIANTS } from './types.js';
import type { CheckContext, InvariantNumber, Violation } from './types.js';

/** Options of {@link createInvariantChecker}. */
export interface CheckerOptions {
  /** Which invariants to check (all by default). */
  invariants?: readonly InvariantNumber[];
  settings: HookSettings;
  maxLagMs: number;
  maxLatencyMs: number;
  /** Stop collecting after this many violations. */
  limit?: number;
}

/** A checker: observe a run with it, then read its violations. */
export interface InvariantChecker extends WorldObserver {
  readonly violations: Violation[];
}

const CHECKS: ReadonlyArray<[InvariantNumber, (context: CheckContext) => Check]> = [
  [1, slotCheck],
  [2, overlapCheck],
  [3, statusCheck],
  [4, deletionCheck],
  [5, convergenceCheck],
  [6, determinismCheck],
  [7, logBackupCheck],
  [8, truncationCheck],
  [9, compactionCheck],
];

/** createInvariantChecker builds the checks lazily, on the first event of the run. */
export function createInvariantChecker(options: CheckerOptions): InvariantChecker {
  const wanted = new Set(options.invariants ?? ALL_INVARIANTS);
  const limit = options.limit ?? 20;
  const violations: Violation[] = [];
  let checks: Check[] | null = null;
  function checksOf(world: CheckContext['world']): Check[] {
    checks ??= CHECKS.filter(([n]) => wanted.has(n)).map(([invariant, make]) =>
      make({
        world,
        settings: options.settings,
        maxLagMs: options.maxLagMs,
        maxLatencyMs: options.maxLatencyMs,
        report(number, message) {
          if (violations.length < limit) violations.push({ invariant: number ?? invariant, at: world.clock.now, message });
        },
      }),
    );
    return checks;
  }
  return {
    violations,
    onStoreEvent(event, world) {
      for (const check of checksOf(world)) check.onStoreEvent?.(event);
    },
    onSync(sync, world) {
      for (const check of checksOf(world)) check.onSync?.(sync);
    },
    onFinish(world) {
      for (const check of checksOf(world)) check.onFinish?.();
    },
  };
}
