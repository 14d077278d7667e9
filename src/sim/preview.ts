/**
 * Preview: what a BackupSchedule manifest will do, simulated with a healthy cluster (no cache lag, Backups that
 * take a fixed time, deletions that finish) and the real decision, as a timeline of Backups created, completed
 * and deleted, and why.
 */

import { backupName } from '../core/names.js';
import { MISSED_CONDITION } from '../core/schedule-edit.js';
import { formatTime } from '../core/time.js';
import type { JsonObject } from '../core/types.js';
import type { HookSettings } from './hook.js';
import { NO_LAG } from './lag.js';
import { DEFAULT_LOG_EXECUTOR } from './log-executor.js';
import { MANIFEST_COMPACT_BACKUPS, MANIFEST_METACONTROLLER } from './metacontroller.js';
import type { SyncObservation } from './metacontroller.js';
import type { TimelineEvent } from './recorder.js';
import type { Scenario } from './scenario.js';
import { runScenario } from './world.js';

/** The parts of a BackupSchedule manifest the preview uses. */
export interface ScheduleManifest {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: JsonObject;
  status?: JsonObject;
}

/** Options of {@link previewSchedule}. */
export interface PreviewOptions {
  /** Start of the preview (epoch ms); the schedule is created then. */
  from: number;
  /** Length of the preview. */
  forMs: number;
  settings: HookSettings;
  /** How long each Backup runs (default 5 minutes). */
  backupMs?: number;
  /**
   * The most work the preview does, counted as the children all its syncs carry: the cost of a sync grows with the
   * Backups the schedule keeps, so a schedule without retention costs the square of its window. Unlimited by default.
   */
  maxSyncedChildren?: number;
}

/** The preview stopped because its syncs carried more than {@link PreviewOptions.maxSyncedChildren} children. */
export class PreviewTooLargeError extends Error {
  constructor(
    /** The simulated instant it stopped at (epoch ms). */
    readonly reachedAt: number,
    /** The children the last sync carried. */
    readonly children: number,
  ) {
    super(`the preview stopped at ${formatTime(reachedAt)}: its syncs carried more children than allowed (${children} in the last one)`);
  }
}

/** The kinds of timeline lines the preview prints. */
const SHOWN: ReadonlySet<TimelineEvent['kind']> = new Set(['CREATE', 'COMPLETE', 'FAIL', 'INVALID', 'DELETE']);

/** previewScenario builds the scenario the preview runs. */
export function previewScenario(manifest: ScheduleManifest, options: PreviewOptions): Scenario {
  const name = manifest.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new Error('the manifest has no metadata.name; give the BackupSchedule a name');
  if (typeof manifest.spec !== 'object' || manifest.spec === null) throw new Error('the manifest has no spec; is it a BackupSchedule?');
  const backupMs = options.backupMs ?? 5 * 60_000;
  return {
    seed: 1,
    start: new Date(options.from).toISOString(),
    durationMs: options.forMs,
    controller: 'hook',
    schedule: {
      name,
      namespace: manifest.metadata?.namespace ?? 'default',
      spec: manifest.spec,
      ...(manifest.metadata?.labels === undefined ? {} : { labels: manifest.metadata.labels }),
      ...(manifest.metadata?.annotations === undefined ? {} : { annotations: manifest.metadata.annotations }),
      ...(manifest.status === undefined ? {} : { status: manifest.status }),
    },
    hook: options.settings,
    // A schedule that compacts needs the compact-backups component installed: the preview assumes it is.
    metacontroller: 'compactBackupTemplate' in manifest.spec ? { ...MANIFEST_METACONTROLLER, compactBackups: MANIFEST_COMPACT_BACKUPS } : MANIFEST_METACONTROLLER,
    transport: { latencyMs: [0, 0], timeoutMs: 10_000 },
    lag: NO_LAG,
    executor: {
      jobStartMs: [0, 0],
      podStartMs: [0, 0],
      prepareMs: [0, 0],
      runMs: [backupMs, backupMs],
      failRate: 0,
      slowRate: 0,
      slowRunMs: [0, 0],
      cleanMs: [0, 0],
      stuckDeletionRate: 0,
      // The log's checkpoint every 15 minutes, not every minute: a month of checkpoints is otherwise 43,200 syncs.
      log: { ...DEFAULT_LOG_EXECUTOR, checkpointEveryMs: 15 * 60_000 },
    },
    faults: [],
  };
}

/** previewEvents runs the preview and returns the events it shows (Backups created, finished and deleted), in order. */
export async function previewEvents(manifest: ScheduleManifest, options: PreviewOptions): Promise<TimelineEvent[]> {
  const max = options.maxSyncedChildren ?? Number.POSITIVE_INFINITY;
  const scenario = previewScenario(manifest, options);
  let synced = 0;
  // A slot the hook decided not to run: said once, by the first sync that decided it.
  const missed = new Map<number, TimelineEvent>();
  const observer = {
    onSync(sync: SyncObservation): void {
      const children = Object.values(sync.request.children).reduce((sum, map) => sum + Object.keys(map).length, 0);
      synced += children;
      if (synced > max) throw new PreviewTooLargeError(sync.hookNow, children);
      if (!('report' in sync.answer)) return;
      const miss = sync.answer.report?.missed;
      if (miss == null || missed.has(miss.slot)) return;
      // Said as the hook says it, in the MissedSchedule condition of the same answer.
      const condition = sync.answer.body.status.conditions?.find((c) => c.type === MISSED_CONDITION);
      const detail = condition?.message ?? `the slot ${formatTime(miss.slot)} does not run (${miss.cause})`;
      missed.set(miss.slot, { at: sync.hookNow, kind: 'MISSED', name: backupName(scenario.schedule.name, miss.slot), detail });
    },
  };
  const world = await runScenario(scenario, { observers: [observer] });
  // Stable: a MISSED line comes after the other events of its instant.
  return [...world.recorder.timeline.filter((e) => SHOWN.has(e.kind)), ...missed.values()].sort((a, b) => a.at - b.at);
}

/** previewSchedule runs the preview and returns its timeline, one line per event. */
export async function previewSchedule(manifest: ScheduleManifest, options: PreviewOptions): Promise<string[]> {
  return (await previewEvents(manifest, options)).map(formatEvent);
}

/** formatEvent writes a timeline event as `time  KIND  name  reason`. */
export function formatEvent(event: TimelineEvent): string {
  return `${formatTime(event.at)}  ${event.kind.padEnd(8)}  ${event.name}  ${event.detail}`;
}
