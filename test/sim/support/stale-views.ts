/**
 * How stale a world's views were: each sync's request against the store at the instant of the call — whether it
 * lacked a Backup of its schedule that the store had, and whether it carried an older parent (status) than the
 * stored one. The cache's lag (`src/sim/cache.ts`) makes both; this says how often a world's lag ranges did.
 */

import type { SyncObservation } from '../../../src/sim/metacontroller.js';
import type { StoreEvent } from '../../../src/sim/store.js';
import type { World, WorldObserver } from '../../../src/sim/world.js';

const BACKUPS = 'Backup.pingcap.com/v1alpha1';

/** Counts of a world's syncs. */
export interface StaleViewCounts {
  syncs: number;
  /** Syncs whose request lacked a snapshot Backup of the parent's schedule that existed when it was called. */
  lackingBackup: number;
  /** Syncs whose request carried an older version of the parent than the one stored before the call. */
  olderParent: number;
}

/** staleViews returns an observer that counts the syncs of a run whose view trailed the store, and the counts. */
export function staleViews(): { observer: WorldObserver; counts: StaleViewCounts } {
  const counts: StaleViewCounts = { syncs: 0, lackingBackup: 0, olderParent: 0 };
  /** Every stored version of each parent, in order: when it was written and its resourceVersion (NaN: deleted). */
  const parents = new Map<string, Array<{ at: number; version: number }>>();
  const observer: WorldObserver = {
    onStoreEvent(event: StoreEvent) {
      if (event.object.kind !== 'BackupSchedule') return;
      const versions = parents.get(event.key) ?? [];
      versions.push({ at: event.at, version: event.type === 'deleted' ? NaN : Number(event.object.metadata?.resourceVersion) });
      parents.set(event.key, versions);
    },
    onSync(sync: SyncObservation, world: World) {
      counts.syncs += 1;
      const schedule = world.schedules.find((s) => s.parentKey === sync.parentKey);
      const listed = sync.request.children[BACKUPS] ?? {};
      const namespace = schedule?.setup.namespace ?? '';
      const lacking = [...(schedule?.recorder.backups.values() ?? [])].some(
        (b) => b.createdAt < sync.calledAt && (b.goneAt === null || b.goneAt > sync.calledAt) && !(`${namespace}/${b.name}` in listed),
      );
      if (lacking) counts.lackingBackup += 1;
      // The sync is observed when its answer is applied: the versions written since its call are not the view's due.
      // Older, not merely different: a version written at the very instant of the call may be in the request.
      const versions = parents.get(sync.parentKey) ?? [];
      let i = versions.length - 1;
      while (i >= 0 && (versions[i]?.at ?? 0) >= sync.calledAt) i -= 1;
      if (Number(sync.request.parent.metadata.resourceVersion) < (versions[i]?.version ?? NaN)) counts.olderParent += 1;
    },
  };
  return { observer, counts };
}
