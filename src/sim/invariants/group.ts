/**
 * Invariant 10: schedule groups. The hook promises (README "Schedule groups", `core/group-gate.ts`) that a schedule of a
 * group starts no Backup while a sibling's last Backup runs — last: its newest, the one the sibling's stored status
 * names or a newer snapshot Backup of it (by slot) that carries the group's label, as the hook takes a newer one in
 * its view; runs: it exists, is neither Complete, Failed nor Invalid and is not being deleted — best effort under
 * caches. Judged in truth when a sync's Backup is stored. Not held: one stuck past the sibling's own backupTimeout, as
 * its sync would judge it from the request (the Backup and the sibling's spec shown, the hook's clock). Excused only
 * where the request could not show it:
 * - the request shows neither the status naming it nor the Backup, and the Backup reached the store less than the
 *   longest cache lag before the request was built (the cache hid it), or after the request was built (the sibling's
 *   sync ran at once with this one: Metacontroller's workers), so that no cache could show it. Excused only where the
 *   design does not make one of the two wait for the other (group-unseen.ts: turns by due slot, then by name, one
 *   more for an overdue sibling);
 * - the request shows that status but not the Backup, the stale-view grace after the sibling asked for it has
 *   passed by the hook's clock (until then the hook counts it as running: statuses and Backups reach the cache
 *   through different informers), and no view could show the Backup: it lacks the group's label (made before its
 *   schedule joined the group), or it reached the store less than the longest cache lag before the request was
 *   built, or after it (otherwise the view would show it: only a cache stuck past the bound hides it longer);
 * - the request's related schedules lack the schedule itself (its customize answer, kept per generation for up to
 *   20 minutes, predates its group label: the hook cannot see its group and says so, condition GroupNotVisible).
 * A request that shows the Backup but an older status (or one naming none) is not excused: the hook takes a sibling's
 * newer Backup as its last. The status a sibling stores may name an older Backup than its newest, or none: written
 * from a view older than its own start (Metacontroller replaces the whole status).
 */

import { conditionIsTrue, isLogBackup } from '../../core/backup-state.js';
import { GROUP_LABEL, SCHEDULE_RELATED_TYPE } from '../../core/group.js';
import { BACKUP_CHILD_TYPE, SCHEDULE_LABEL, slotFromBackupName } from '../../core/names.js';
import { isObject, readSpec } from '../../core/spec.js';
import type { BackupSchedule, KubeObject, SyncRequest } from '../../core/types.js';
import { formatTime, parseTime } from '../../core/time.js';
import { objectKey } from '../store.js';
import { unseenStartExcuse } from './group-unseen.js';
import type { Creation } from './group-unseen.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

const HOUR_MS = 3_600_000;

/** What a schedule's stored status names as its last Backup, and since when. */
interface NamedLast {
  name: string;
  since: number;
}

/** A sibling's last Backup in truth: its name, since when it is stored (or named), and whether its status names it. */
interface SiblingLast extends NamedLast {
  named: boolean;
}

/** groupCheck watches every schedule of the world: the statuses and Backups in the store, and the Backups each sync creates. */
export function groupCheck(context: CheckContext): Check {
  const { world } = context;
  const named = new Map<string, NamedLast>();
  const addedAt = new Map<string, number>();
  /** The syncs that created Backups within the longest lag and an hour, by Backup key: those a request could not show. */
  const creations = new Map<string, Creation & { at: number }>();
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
      if (sync.created.length === 0) return;
      const group = sync.request.parent.metadata.labels?.[GROUP_LABEL];
      const namespace = sync.request.parent.metadata.namespace ?? '';
      const seesGroup = typeof group === 'string' && group !== '' && seesItself(sync.request, group);
      for (const [key, creation] of creations) if (creation.at < sync.appliedAt - HOUR_MS - context.maxLagMs) creations.delete(key);
      const creationOf = (backup: string): Creation => ({ backup, schedule: sync.request.parent.metadata.name ?? '', request: sync.request, calledAt: sync.calledAt, hookNow: sync.hookNow, seesGroup });
      for (const created of sync.created) creations.set(objectKey('Backup', namespace, created), { ...creationOf(created), at: sync.appliedAt });
      if (!seesGroup) return; // no group, or best effort: the group is not visible to the hook yet
      const cachedBy = sync.calledAt - context.maxLagMs;
      const backups = world.store.list('Backup', namespace);
      for (const created of sync.created) {
        const backup = world.store.get(objectKey('Backup', namespace, created));
        if (backup === undefined || isLogBackup(backup)) continue;
        const creation = creationOf(created);
        for (const sibling of world.store.list('BackupSchedule', namespace)) {
          const key = objectKey('BackupSchedule', namespace, sibling.metadata?.name ?? '');
          if (key === sync.parentKey || sibling.metadata?.labels?.[GROUP_LABEL] !== group) continue;
          const last = siblingLast(backups, { schedule: sibling.metadata?.name ?? '', group, named: named.get(key), addedAt });
          if (last === null) continue;
          const lastKey = objectKey('Backup', namespace, last.name);
          const running = world.store.get(lastKey);
          if (running === undefined || running.metadata?.deletionTimestamp != null) continue;
          // Finished: Complete, Failed (alone, as the schedule's own gate) or Invalid (no job ever runs for it).
          if (conditionIsTrue(running, 'Complete') || conditionIsTrue(running, 'Failed') || conditionIsTrue(running, 'Invalid')) continue;
          const shownSibling = related(sync.request, SCHEDULE_RELATED_TYPE, `${namespace}/${sibling.metadata?.name ?? ''}`);
          const shown = isObject(shownSibling?.status) ? shownSibling.status : undefined;
          const shownBackup = related(sync.request, BACKUP_CHILD_TYPE, `${namespace}/${last.name}`);
          // Stuck past the sibling's own backupTimeout, as its own sync would judge it from this request (the Backup shown,
          // its creation, the sibling's spec shown) by the hook's clock: it no longer holds its schedule, nor the group.
          if (shownBackup !== undefined && shownSibling !== undefined && stuckPastTimeout(shownBackup, { sibling: shownSibling, now: sync.hookNow })) continue;
          const stored = addedAt.get(lastKey) ?? last.since;
          if (shown?.['lastBackup'] !== last.name) {
            // The request shows an older status, or one naming none. If it shows the Backup, the hook must take it as the
            // sibling's last (its slot is newer than that status's); if not, the cache may not show either yet: best effort.
            if (shownBackup === undefined && stored > cachedBy) {
              // Hidden by the cache's lag, or stored after this request was built (the sibling's sync ran at once with
              // this one): the hook could not see it. Excused where the design does not make one of the two wait.
              const theirs = creations.get(lastKey);
              const excuse = theirs === undefined ? null : unseenStartExcuse(creation, theirs, { graceMs: context.settings.staleViewGraceMs });
              if (excuse !== null) continue;
              const how = stored > sync.calledAt ? 'by a sync that ran at once with this one' : "before it was built, hidden by the cache's lag";
              context.report(
                10,
                `${created} of ${sync.request.parent.metadata.name ?? '?'} (group ${group}, request built ${formatTime(sync.calledAt)}, hook's clock ` +
                  `${formatTime(sync.hookNow)}) was created at ${formatTime(sync.appliedAt)} while ${last.name}, the last Backup of ` +
                  `${sibling.metadata?.name ?? '?'}, was running: stored at ${formatTime(stored)} ${how} ` +
                  `(its request built ${theirs === undefined ? '?' : formatTime(theirs.calledAt)}): of two siblings due together, one waits for the other`,
              );
              continue;
            }
          } else if (shownBackup === undefined) {
            // The hook saw the status naming it, not the Backup: it must count it as running for the grace after it was
            // asked for; past that it takes it as gone, which is excused where no view could show it: it lacks the group's
            // label (made before its schedule joined the group: not a related object), or it reached the store less than
            // the longest lag before the request was built, or after (a cache stuck past the bound hides it for longer).
            const selectable = running.metadata?.labels?.[GROUP_LABEL] === group;
            if (!withinGrace(shown, { name: last.name, now: sync.hookNow, graceMs: context.settings.staleViewGraceMs }) && (!selectable || stored > cachedBy)) continue;
          }
          context.report(
            10,
            `${created} of ${sync.request.parent.metadata.name ?? '?'} (group ${group}) was created at ${formatTime(sync.appliedAt)} while ${last.name}, ` +
              `the last Backup of ${sibling.metadata?.name ?? '?'}, was running (${last.named ? 'stored and named by its status' : 'stored, newer than the Backup its status names,'} since ${formatTime(last.since)}; ` +
              `the request showed that status or that Backup, or they were older than the longest cache lag)`,
          );
        }
      }
    },
  };
}

/**
 * siblingLast is a sibling's last Backup in truth, as its own sync and its siblings' judge it: the one its stored status
 * names, or a newer one of its snapshot Backups in the store (by the slot in its name; ties by name). Only Backups that
 * carry the sibling's schedule label and the group's label count: a sibling's Backups reach a request's related objects
 * by the group's label, so one made before the sibling joined the group is never shown. Null when there is none.
 */
function siblingLast(backups: readonly KubeObject[], options: { schedule: string; group: string; named: NamedLast | undefined; addedAt: ReadonlyMap<string, number> }): SiblingLast | null {
  const { schedule, named } = options;
  let last: SiblingLast | null = named === undefined || named.name === '' ? null : { ...named, named: true };
  let lastSlot = last === null ? null : slotFromBackupName(schedule, last.name);
  for (const backup of backups) {
    const labels = backup.metadata?.labels;
    const name = backup.metadata?.name ?? '';
    if (labels?.[SCHEDULE_LABEL] !== schedule || labels[GROUP_LABEL] !== options.group || isLogBackup(backup)) continue;
    const slot = slotFromBackupName(schedule, name); // null for a backup-now Backup: it never becomes the last
    if (slot === null || (last !== null && lastSlot !== null && (slot < lastSlot || (slot === lastSlot && name <= last.name)))) continue;
    const key = objectKey('Backup', backup.metadata?.namespace ?? '', name);
    last = { name, since: options.addedAt.get(key) ?? 0, named: name === named?.name };
    lastSlot = slot;
  }
  return last;
}

/** seesItself tells whether a request's related schedules hold its parent with the group label: its rules select the group. */
function seesItself(request: SyncRequest, group: string): boolean {
  const { name, namespace } = request.parent.metadata;
  const schedules = Object.values(request.related?.[SCHEDULE_RELATED_TYPE] ?? {});
  return schedules.some((s) => s.metadata?.name === name && s.metadata?.namespace === namespace && s.metadata?.labels?.[GROUP_LABEL] === group);
}

/**
 * stuckPastTimeout restates the stuck rule for a sibling's Backup a request shows: the sibling's `spec.backupTimeout`
 * (its spec as shown, valid: an invalid one runs no stuck rule) has passed since the Backup's creation by `now`.
 */
function stuckPastTimeout(backup: KubeObject, options: { sibling: KubeObject; now: number }): boolean {
  const read = readSpec(options.sibling as BackupSchedule);
  const timeoutMs = read.ok ? read.spec.backupTimeout?.ms : undefined;
  const created = parseTime(backup.metadata?.creationTimestamp);
  return timeoutMs !== undefined && created !== null && created + timeoutMs <= options.now;
}

/** related reads one object of a request's related objects by key. */
function related(request: SyncRequest, type: string, key: string): KubeObject | undefined {
  return request.related?.[type]?.[key];
}

/**
 * withinGrace restates the hook's promise for a sibling's last Backup the view lacks: it counts as running from when it
 * was asked for (`lastBackupCreation`, else `lastBackupTime`) until a stale-view grace later, unless that time is more
 * than a grace ahead of the hook's clock.
 */
function withinGrace(status: Record<string, unknown>, options: { name: string; now: number; graceMs: number }): boolean {
  const recorded = status['lastBackupCreation'];
  const askedAt = parseTime(isObject(recorded) && recorded['name'] === options.name ? recorded['time'] : undefined) ?? parseTime(status['lastBackupTime']);
  return askedAt !== null && askedAt <= options.now + options.graceMs && options.now < askedAt + options.graceMs;
}
