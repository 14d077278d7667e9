/**
 * What each parent's first sync after a Metacontroller restart saw (fault `metacontroller-restart`), against the store
 * at the instant of the call: the schedule's Backups the view lacked, and whether it carried an older parent (status)
 * than the store's. The new process's first LIST may trail the store (`src/sim/cache.ts` `FirstListLag`); this says
 * how often a world's restarts made it trail, from what the hook was shown.
 */

import type { SyncObservation } from '../../../src/sim/metacontroller.js';
import type { Scenario } from '../../../src/sim/scenario.js';
import type { StoreEvent } from '../../../src/sim/store.js';
import type { World, WorldObserver } from '../../../src/sim/world.js';

const BACKUPS = 'Backup.pingcap.com/v1alpha1';

/** One parent's first sync after a restart. */
export interface RestartView {
  /** The instant Metacontroller came back (epoch ms). */
  restartAt: number;
  parentKey: string;
  calledAt: number;
  /** Names of the parent's snapshot Backups that existed when the sync was called and were missing from its request. */
  missing: string[];
  /** The request's parent was an older version than the stored one. */
  olderParent: boolean;
}

/** restartWindows are the scenario's restarts as windows of downtime (epoch ms), overlapping or touching ones merged. */
export function restartWindows(scenario: Scenario): Array<{ from: number; to: number }> {
  const start = Date.parse(scenario.start);
  const windows = scenario.faults
    .flatMap((f) => (f.kind === 'metacontroller-restart' ? [{ from: start + f.atMs, to: start + f.atMs + f.forMs }] : []))
    .sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const window of windows) {
    const last = merged[merged.length - 1];
    if (last !== undefined && window.from <= last.to) last.to = Math.max(last.to, window.to);
    else merged.push({ ...window });
  }
  return merged;
}

/** restartViews returns an observer that records each parent's first sync after each restart, and the records. */
export function restartViews(): { observer: WorldObserver; views: RestartView[] } {
  const views: RestartView[] = [];
  /** Every stored version of each parent: when it was written and its resourceVersion. */
  const parentVersions = new Map<string, Array<{ at: number; resourceVersion: string | undefined }>>();
  const seen = new Set<string>();
  /** The run's restart windows, worked out at its first sync. */
  let windows: Array<{ from: number; to: number }> | undefined;
  const observer: WorldObserver = {
    onStoreEvent(event: StoreEvent) {
      if (event.object.kind !== 'BackupSchedule') return;
      const versions = parentVersions.get(event.key) ?? [];
      versions.push({ at: event.at, resourceVersion: event.type === 'deleted' ? undefined : event.object.metadata?.resourceVersion });
      parentVersions.set(event.key, versions);
    },
    onSync(sync: SyncObservation, world: World) {
      windows ??= restartWindows(world.scenario);
      const restarts = windows;
      const index = restarts.findIndex((w, i) => sync.calledAt >= w.to && sync.calledAt < (restarts[i + 1]?.from ?? Infinity));
      const window = restarts[index];
      if (window === undefined || seen.has(`${index}/${sync.parentKey}`)) return;
      seen.add(`${index}/${sync.parentKey}`);
      const schedule = world.schedules.find((s) => s.parentKey === sync.parentKey);
      const listed = sync.request.children[BACKUPS] ?? {};
      const namespace = schedule?.setup.namespace ?? '';
      const missing = [...(schedule?.recorder.backups.values() ?? [])]
        .filter((b) => b.createdAt < sync.calledAt && (b.goneAt === null || b.goneAt > sync.calledAt) && !(`${namespace}/${b.name}` in listed))
        .map((b) => b.name);
      const stored = (parentVersions.get(sync.parentKey) ?? []).filter((v) => v.at < sync.calledAt).pop();
      // Older, not merely different: the request may carry a version written at the very instant of the call, after
      // the last one stored before it. The simulated store's resourceVersions are its revision counter.
      const olderParent = stored?.resourceVersion !== undefined && Number(sync.request.parent.metadata.resourceVersion) < Number(stored.resourceVersion);
      views.push({ restartAt: window.to, parentKey: sync.parentKey, calledAt: sync.calledAt, missing, olderParent });
    },
  };
  return { observer, views };
}
