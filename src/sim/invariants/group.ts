/**
 * Invariant 10: schedule groups. The hook promises (README "Schedule groups", `core/group.ts`) that a schedule of a
 * group starts no Backup while a sibling's last Backup runs — last: the one the sibling's status names; runs: it
 * exists, is neither Complete nor Failed and is not being deleted — best effort under caches. Judged in truth when
 * a sync's Backup is stored, excused only where the cache may not show it yet: the sibling's Backup, or the status
 * naming it, reached the store less than the longest cache lag before the request was built (a sibling's new
 * Backup not yet in the cache; two schedules due at the same instant, which one worker syncs one after the other);
 * and where the request's related schedules lack the schedule itself (its customize answer, kept per generation for
 * up to 20 minutes, predates its group label: the hook cannot see its group and says so, condition GroupNotVisible).
 */

import { conditionIsTrue, isLogBackup } from '../../core/backup-state.js';
import { GROUP_LABEL, SCHEDULE_RELATED_TYPE } from '../../core/group.js';
import type { SyncRequest } from '../../core/types.js';
import { formatTime } from '../../core/time.js';
import { objectKey } from '../store.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** What a schedule's stored status names as its last Backup, and since when. */
interface NamedLast {
  name: string;
  since: number;
}

/** groupCheck watches every schedule of the world: the statuses and Backups in the store, and the Backups each sync creates. */
export function groupCheck(context: CheckContext): Check {
  const { world } = context;
  const named = new Map<string, NamedLast>();
  const addedAt = new Map<string, number>();
  return {
    onStoreEvent(event) {
      const { object } = event;
      if (object.kind === 'Backup' && event.type === 'added') addedAt.set(event.key, event.at);
      if (object.kind !== 'BackupSchedule') return;
      const last = object.status?.['lastBackup'];
      const name = event.type === 'deleted' || typeof last !== 'string' ? '' : last;
      if (named.get(event.key)?.name !== name) named.set(event.key, { name, since: event.at });
    },
    onSync(sync) {
      const group = sync.request.parent.metadata.labels?.[GROUP_LABEL];
      if (sync.created.length === 0 || typeof group !== 'string' || group === '') return;
      if (!seesItself(sync.request, group)) return; // best effort: the group is not visible to the hook yet
      const namespace = sync.request.parent.metadata.namespace ?? '';
      const cachedBy = sync.calledAt - context.maxLagMs;
      for (const created of sync.created) {
        const backup = world.store.get(objectKey('Backup', namespace, created));
        if (backup === undefined || isLogBackup(backup)) continue;
        for (const sibling of world.store.list('BackupSchedule', namespace)) {
          const key = objectKey('BackupSchedule', namespace, sibling.metadata?.name ?? '');
          if (key === sync.parentKey || sibling.metadata?.labels?.[GROUP_LABEL] !== group) continue;
          const last = named.get(key);
          if (last === undefined || last.name === '') continue;
          const lastKey = objectKey('Backup', namespace, last.name);
          const running = world.store.get(lastKey);
          if (running === undefined || running.metadata?.deletionTimestamp != null) continue;
          if (conditionIsTrue(running, 'Complete') || conditionIsTrue(running, 'Failed')) continue;
          const since = Math.max(last.since, addedAt.get(lastKey) ?? -Infinity);
          if (since > cachedBy) continue; // the cache may not show it yet: best effort
          context.report(
            10,
            `${created} of ${sync.request.parent.metadata.name ?? '?'} (group ${group}) was created at ${formatTime(sync.appliedAt)} while ${last.name}, ` +
              `the last Backup of ${sibling.metadata?.name ?? '?'}, was running (stored and named by its status since ${formatTime(since)}, ` +
              `longer than the longest cache lag before the request)`,
          );
        }
      }
    },
  };
}

/** seesItself tells whether a request's related schedules hold its parent with the group label: its rules select the group. */
function seesItself(request: SyncRequest, group: string): boolean {
  const { name, namespace } = request.parent.metadata;
  const schedules = Object.values(request.related?.[SCHEDULE_RELATED_TYPE] ?? {});
  return schedules.some((s) => s.metadata?.name === name && s.metadata?.namespace === namespace && s.metadata?.labels?.[GROUP_LABEL] === group);
}
