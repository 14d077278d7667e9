/**
 * The invariant checker: a world observer that runs the chosen checks (issue 5's six, the log and compaction ones,
 * schedule groups, pace) and collects violations. The per-schedule checks judge one schedule of the world (the
 * scenario's, or a sibling) and its syncs; the group check judges the whole world.
 */

import type { HookSettings } from '../hook.js';
import { clusterFaults } from '../scenario.js';
import type { ScheduleHandle, World, WorldObserver } from '../world.js';
import { compactionCheck } from './compaction.js';
import { convergenceCheck } from './convergence.js';
import { deletionCheck } from './deletions.js';
import { determinismCheck } from './determinism.js';
import { groupCheck } from './group.js';
import { invalidSpecCheck } from './invalid-spec.js';
import { logBackupCheck } from './log-backup.js';
import { overlapCheck } from './overlap.js';
import { paceCheck } from './pace.js';
import { slotCheck } from './slots.js';
import { specFixCheck } from './spec-fix.js';
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
  /** The schedule the per-schedule checks judge, by name (default: the scenario's schedule). */
  schedule?: string;
}

/** A checker: observe a run with it, then read its violations. */
export interface InvariantChecker extends WorldObserver {
  readonly violations: Violation[];
}

/** The checks; `world` ones see every sync, the others only the judged schedule's. */
const CHECKS: ReadonlyArray<[InvariantNumber, (context: CheckContext) => Check, 'schedule' | 'world']> = [
  [1, slotCheck, 'schedule'],
  [2, overlapCheck, 'schedule'],
  [3, statusCheck, 'schedule'],
  [4, deletionCheck, 'schedule'],
  [4, invalidSpecCheck, 'schedule'],
  [5, convergenceCheck, 'schedule'],
  // A broken window of a schedule in a group is judged with the group (its catch-up takes its turn), the others with 5.
  [5, (context) => specFixCheck(context, { windows: 'alone' }), 'schedule'],
  [6, determinismCheck, 'schedule'],
  [7, logBackupCheck, 'schedule'],
  [8, truncationCheck, 'schedule'],
  [9, compactionCheck, 'schedule'],
  [10, groupCheck, 'world'],
  [10, (context) => specFixCheck(context, { windows: 'group' }), 'schedule'],
  [11, paceCheck, 'schedule'],
];

/** The invariants judged over the whole world: a run checks them once, not per schedule. */
export const WORLD_INVARIANTS: ReadonlySet<InvariantNumber> = new Set(CHECKS.filter(([, , scope]) => scope === 'world').map(([n]) => n));

/**
 * scheduleView returns the world as the per-schedule checks of one schedule see it: its setup as the scenario's
 * schedule, its key and recorder, and only the faults that act on it (a sibling gets the cluster-wide ones).
 */
export function scheduleView(world: World, name: string | undefined): World {
  const handle: ScheduleHandle | undefined = name === undefined ? world.schedules[0] : world.schedules.find((s) => s.setup.name === name);
  if (handle === undefined) throw new Error(`no schedule ${String(name)} in the world; name the scenario's schedule or one of its siblings`);
  if (handle.parentKey === world.parentKey) return world;
  const scenario = { ...world.scenario, schedule: handle.setup, faults: clusterFaults(world.scenario.faults) };
  return { ...world, scenario, parentKey: handle.parentKey, recorder: handle.recorder };
}

/** createInvariantChecker builds the checks lazily, on the first event of the run. */
export function createInvariantChecker(options: CheckerOptions): InvariantChecker {
  const wanted = new Set(options.invariants ?? ALL_INVARIANTS);
  const limit = options.limit ?? 20;
  const violations: Violation[] = [];
  let checks: Array<{ check: Check; scope: 'schedule' | 'world' }> | null = null;
  let parentKey = '';
  function checksOf(world: World): Array<{ check: Check; scope: 'schedule' | 'world' }> {
    if (checks !== null) return checks;
    const view = scheduleView(world, options.schedule);
    parentKey = view.parentKey;
    checks = CHECKS.filter(([n]) => wanted.has(n)).map(([invariant, make, scope]) => ({
      scope,
      check: make({
        world: scope === 'world' ? world : view,
        settings: options.settings,
        maxLagMs: options.maxLagMs,
        maxLatencyMs: options.maxLatencyMs,
        report(number, message) {
          if (violations.length < limit) violations.push({ invariant: number ?? invariant, at: world.clock.now, message });
        },
      }),
    }));
    return checks;
  }
  return {
    violations,
    onStoreEvent(event, world) {
      for (const { check } of checksOf(world)) check.onStoreEvent?.(event);
    },
    onSync(sync, world) {
      for (const { check, scope } of checksOf(world)) if (scope === 'world' || sync.parentKey === parentKey) check.onSync?.(sync);
    },
    onFinish(world) {
      for (const { check } of checksOf(world)) check.onFinish?.();
    },
  };
}
