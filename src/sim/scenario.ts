/**
 * A scenario: everything a run depends on, as plain JSON, so that a failing property's shrunk case can be
 * saved and replayed exactly. Instants inside are offsets in ms from `start`.
 */

import type { JsonObject } from '../core/types.js';
import type { ExecutorConfig } from './executor.js';
import { maxLagMs } from './lag.js';
import type { LagConfig, MsRange } from './lag.js';
import type { MetacontrollerConfig } from './metacontroller.js';

/** Which controller runs the schedule. */
export type ControllerKind = 'hook' | 'hook-http' | 'upstream-seed-era' | 'upstream-release-1x';

/** A fault, placed at an offset from the start. */
export type Fault =
  | { kind: 'hook-restart'; atMs: number; forMs: number }
  | { kind: 'hook-errors'; atMs: number; forMs: number; rate: number }
  | { kind: 'hook-timeouts'; atMs: number; forMs: number; rate: number }
  /**
   * The API server refuses Metacontroller's child creates (a quota, an admission webhook, etcd unavailable): each
   * fails with this probability. Metacontroller writes the status anyway and retries the parent with backoff.
   */
  | { kind: 'create-errors'; atMs: number; forMs: number; rate: number }
  /**
   * Metacontroller itself goes down (its pod rescheduled, upgraded, OOM-killed) and is back after `forMs`: no sync
   * starts meanwhile, a sync in flight loses its answer (a prefix of its child writes may have been made, never its
   * status), and the new process starts from a new LIST (which may trail the store within the lag ranges) with an
   * empty work queue and every parent queued (`metacontroller.ts`, `crash.ts`, `cache.ts`). Only the hook's
   * controllers have a Metacontroller; the upstream ports ignore it.
   */
  | { kind: 'metacontroller-restart'; atMs: number; forMs: number }
  /**
   * The API server's watch cache is stuck (kubernetes#97294; with several API servers, one serving an old view,
   * #59848): from `atMs` for `forMs` Metacontroller's informers receive no change of the affected kinds — `children`
   * (Backups and CompactBackups), `parents` (BackupSchedules) or `all` — and sync on from the view they hold. The
   * changes held arrive, in order per object, when the window ends, each then with its usual lag (`cache.ts`). Past
   * the lag bound the hook is built for: the hunts measure what still holds (docs/simulator.md).
   */
  | { kind: 'cache-stuck'; atMs: number; forMs: number; which: 'children' | 'parents' | 'all' }
  | { kind: 'clock-jump'; atMs: number; byMs: number }
  | { kind: 'edit'; atMs: number; spec: JsonObject }
  | { kind: 'pause'; atMs: number; forMs: number }
  | { kind: 'pods-stuck'; atMs: number; forMs: number | null; backupPods: boolean; cleanPods: boolean }
  | { kind: 'slow-backups'; atMs: number; forMs: number; runMs: number }
  /** Someone deletes the schedule's log Backup (`kubectl delete backup log-<schedule>`). */
  | { kind: 'log-deleted'; atMs: number }
  /**
   * Someone deletes snapshot Backups of the schedule (`kubectl delete backup …`) by creation: the newest, the
   * oldest, or all of them (the incident's "all backups were deleted", this time for real). With `name`, that Backup
   * instead, pinned or not (if it exists and is not being deleted), its lag drawn as a named pin's.
   */
  | { kind: 'backups-deleted'; atMs: number; which: 'newest' | 'oldest' | 'all'; name?: string }
  /**
   * Someone pins a snapshot Backup of the schedule (`kubectl annotate backup … backup-schedule-hook/keep=true`): the
   * newest or the oldest, by creation, of those not pinned and not being deleted. Retention never deletes it again.
   * With `name`, that Backup instead (if it exists, even while being deleted: `kubectl annotate` works on it), and the
   * write's lag to the cache is drawn from a stream of its own, so the world is the one without the pin until the pin
   * reaches the cache: the pin-race hunt places it against the instant a run without it retired the Backup.
   */
  | { kind: 'backup-pinned'; atMs: number; which: 'newest' | 'oldest'; name?: string }
  /**
   * Someone unpins snapshot Backups of the schedule (`kubectl annotate backup … backup-schedule-hook/keep-`): the
   * newest, the oldest or all of the pinned ones not being deleted, by creation. Retention judges them again.
   * With `name`, that Backup instead, its lag drawn as a named pin's.
   */
  | { kind: 'backup-unpinned'; atMs: number; which: 'newest' | 'oldest' | 'all'; name?: string }
  /**
   * The schedule's status is emptied (`kubectl edit --subresource=status`, or the schedule restored from a copy
   * without it): the hook must find its last Backup again among the children.
   */
  | { kind: 'status-wiped'; atMs: number }
  /** The log backup's checkpoint stops advancing for a while. */
  | { kind: 'log-stall'; atMs: number; forMs: number }
  /** Someone asks for a Backup now: the schedule's backup-now annotation set to a new token. */
  | { kind: 'backup-now'; atMs: number; token: string }
  /**
   * Someone puts the schedule in a schedule group, moves it to another or takes it out (`kubectl label bks …
   * tidb.pingcap.com/backup-schedule-group=<group>`; null removes the label). A label edit keeps the generation.
   */
  | { kind: 'relabel'; atMs: number; group: string | null }
  /**
   * Someone breaks the schedule's spec and fixes it `forMs` later: at `atMs` a JSON merge patch the hook refuses as
   * invalid (a 4-field cron, an unknown time zone, a duration Go cannot read, `retention` beside `maxBackups`), and at
   * the fix a patch that puts back what it replaced (and removes what it added). `pause`: the schedule is also paused,
   * `'with-break'` by the breaking edit itself, `{ aheadMs }` by an edit that long before it; the fix then unpauses it,
   * or, with `unpauseAfterMs`, leaves it paused and an edit that long after the fix unpauses it.
   */
  | SpecBroken;

/** The fault `spec-broken` (above). */
export interface SpecBroken {
  kind: 'spec-broken';
  atMs: number;
  forMs: number;
  patch: JsonObject;
  pause?: 'with-break' | { aheadMs: number };
  /** With a pause: the fix keeps it, and the schedule is unpaused this long after the fix. */
  unpauseAfterMs?: number;
}

/** specBrokenStartMs is the offset of a `spec-broken` fault's first write: its pause ahead of the break, else the break. */
export function specBrokenStartMs(fault: SpecBroken): number {
  return typeof fault.pause === 'object' ? fault.atMs - fault.pause.aheadMs : fault.atMs;
}

/** The executor's behaviour (durations in ms); its outages, slow windows and log stalls are faults. */
export type ExecutorSettings = Omit<ExecutorConfig, 'podOutages' | 'slowWindows' | 'logStalls'>;

/** The BackupSchedule the run starts with. */
export interface ScheduleSetup {
  name: string;
  namespace: string;
  spec: JsonObject;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Status it starts with (e.g. a preview of an existing schedule). */
  status?: JsonObject;
}

/** Everything a run depends on. */
export interface Scenario {
  /** Seed of every random draw. */
  seed: number;
  /** RFC 3339 instant the run (and the schedule) starts. */
  start: string;
  /** Length of the run. */
  durationMs: number;
  controller: ControllerKind;
  /** The schedule under test: schedule edits, pauses, backup-now and log deletions act on it. */
  schedule: ScheduleSetup;
  /**
   * More BackupSchedules run by the same controller in the schedule's namespace (the namespace field is ignored),
   * e.g. siblings of a schedule group (`tidb.pingcap.com/backup-schedule-group`). The cluster-wide faults act on
   * them too.
   */
  siblings?: ScheduleSetup[];
  /** The hook's settings (its environment). */
  hook: { staleViewGraceMs: number; handoverLabelKey: string };
  metacontroller: MetacontrollerConfig;
  /** Latency of a hook call that works, and Metacontroller's webhook timeout. */
  transport: { latencyMs: MsRange; timeoutMs: number };
  lag: LagConfig;
  executor: ExecutorSettings;
  faults: Fault[];
}

/** A healthy executor: Backups complete in a few minutes, deletions finish. */
export const HEALTHY_EXECUTOR: ExecutorSettings = {
  jobStartMs: [500, 3000],
  podStartMs: [2000, 15_000],
  prepareMs: [3000, 20_000],
  runMs: [3 * 60_000, 6 * 60_000],
  failRate: 0,
  slowRate: 0,
  slowRunMs: [60 * 60_000, 90 * 60_000],
  cleanMs: [20_000, 60_000],
  stuckDeletionRate: 0,
};

/** The faults that act on one schedule (spec edits, pauses, backup-now, deletions, pins); the others act on the cluster. */
const SCHEDULE_FAULTS: ReadonlySet<Fault['kind']> = new Set(['edit', 'pause', 'backup-now', 'log-deleted', 'backups-deleted', 'backup-pinned', 'backup-unpinned', 'status-wiped', 'relabel', 'spec-broken']);

/** clusterFaults returns the faults that act on every schedule of the world. */
export function clusterFaults(faults: readonly Fault[]): Fault[] {
  return faults.filter((fault) => !SCHEDULE_FAULTS.has(fault.kind));
}

/** faultEnd returns the offset at which a fault stops acting (null: never). */
export function faultEnd(fault: Fault): number | null {
  switch (fault.kind) {
    case 'clock-jump':
    case 'edit':
    case 'log-deleted':
    case 'backups-deleted':
    case 'backup-pinned':
    case 'backup-unpinned':
    case 'status-wiped':
    case 'backup-now':
    case 'relabel':
      return fault.atMs;
    case 'pods-stuck':
      return fault.forMs === null ? null : fault.atMs + fault.forMs;
    case 'spec-broken':
      return fault.atMs + fault.forMs + (fault.unpauseAfterMs ?? 0);
    default:
      return fault.atMs + fault.forMs;
  }
}

/** faultsEndMs returns the offset after which no fault acts any more (0 without faults; null if one never ends). */
export function faultsEndMs(scenario: Pick<Scenario, 'faults'>): number | null {
  let end = 0;
  for (const fault of scenario.faults) {
    const e = faultEnd(fault);
    if (e === null) return null;
    end = Math.max(end, e);
  }
  return end;
}

/** A window (epoch ms) in which the cache delivers no change of some kinds (fault `cache-stuck`). */
export interface StuckWindow {
  from: number;
  to: number;
  kinds: ReadonlySet<string>;
}

/** The kinds each `cache-stuck` fault holds back. */
const STUCK_KINDS: Readonly<Record<Extract<Fault, { kind: 'cache-stuck' }>['which'], ReadonlySet<string>>> = {
  children: new Set(['Backup', 'CompactBackup']),
  parents: new Set(['BackupSchedule']),
  all: new Set(['Backup', 'CompactBackup', 'BackupSchedule']),
};

/** stuckWindowsOf returns the scenario's `cache-stuck` windows as epoch ms from `start`, by start. */
export function stuckWindowsOf(scenario: Pick<Scenario, 'faults'>, start: number): StuckWindow[] {
  return scenario.faults
    .flatMap((fault) => (fault.kind === 'cache-stuck' ? [{ from: start + fault.atMs, to: start + fault.atMs + fault.forMs, kinds: STUCK_KINDS[fault.which] }] : []))
    .sort((a, b) => a.from - b.from);
}

/**
 * stuckLagMs is the longest extra delay a `cache-stuck` fault can give a change on top of its lag (0 without one):
 * the longest run of stuck windows less than `maxLagMs` apart (a change held by one may arrive inside the next).
 */
export function stuckLagMs(scenario: Pick<Scenario, 'faults'>, maxLagMs: number): number {
  let longest = 0;
  let span: { from: number; to: number } | null = null;
  for (const window of stuckWindowsOf(scenario, 0)) {
    if (span !== null && window.from <= span.to + maxLagMs) span.to = Math.max(span.to, window.to);
    else span = { from: window.from, to: window.to };
    longest = Math.max(longest, span.to - span.from);
  }
  return longest;
}

/** longestDelayMs is the longest a change can take to reach the cache: the lag ranges' longest, plus what stuck windows hold back. */
export function longestDelayMs(scenario: Pick<Scenario, 'faults' | 'lag'>): number {
  const lagMs = maxLagMs(scenario.lag);
  return lagMs + stuckLagMs(scenario, lagMs);
}
