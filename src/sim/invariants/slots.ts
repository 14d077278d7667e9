/** Invariant 1: never two Backups for one slot; never a Backup for a slot the schedule does not produce. */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { isLogBackup } from '../../core/backup-state.js';
import { BACKUP_NOW_ANNOTATION, SCHEDULED_AT_ANNOTATION, SCHEDULE_LABEL, backupName, backupNowName } from '../../core/names.js';
import { slotOf } from '../../core/observe.js';
import { nextTick } from '../../core/schedule.js';
import { readSpec } from '../../core/spec.js';
import { formatTime, parseTime } from '../../core/time.js';
import { BACKUP_CHILD_TYPE } from '../../core/names.js';
import { isSuccess } from '../hook.js';
import type { KubeObject } from '../../core/types.js';
import type { SyncObservation } from '../metacontroller.js';
import { goDuration } from '../backup-status.js';
import { USER_DELETION } from '../recorder.js';
import type { StoreEvent } from '../store.js';
import type { CheckContext } from './types.js';
import { seenBackups, watermarkOf } from './view.js';

/** A check that watches syncs and store events. */
export interface Check {
  onSync?(sync: SyncObservation): void;
  onStoreEvent?(event: StoreEvent): void;
  onFinish?(): void;
}

/**
 * slotCheck verifies every new snapshot Backup's slot against the schedule the hook was sent, and that no slot is
 * created twice. A backup-now Backup has no slot: it must be named by the token the request carries. (The log
 * Backup is invariant 7's.) The last Backup the request's status names may be asked for again (the hook does so
 * while the view lacks it, within the grace after it first asked: its create may have failed). One second Backup is
 * excused: the first was deleted by a user (`kubectl delete`) within the grace and longest lags of its creation —
 * the hook could not tell the deletion from a create that failed or a cache that lags — or before the status was
 * wiped: then no Backup and no status field is left to say the slot ran.
 */
export function slotCheck(context: CheckContext): Check {
  const created = new Map<number, { name: string; uid: string; at: number }>();
  // The hook asks for its last Backup again until the grace after it first asked, while the view lacks it.
  const recoverMs = context.settings.staleViewGraceMs + 2 * context.maxLagMs + 2 * context.maxLatencyMs + 2000;
  const scheduleName = context.world.scenario.schedule.name;
  const wipes = context.world.scenario.faults.flatMap((f) => (f.kind === 'status-wiped' ? [context.world.start + f.atMs] : []));
  return {
    onSync(sync) {
      if (!isSuccess(sync.answer)) return;
      const { request } = sync;
      const observed = new Set(Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => c.metadata?.name));
      const fresh = (Array.isArray(sync.answer.body.children) ? sync.answer.body.children : []).filter(
        (c) => c.kind === 'Backup' && (c.spec as KubeObject['spec'])?.['backupMode'] !== 'log' && !observed.has(c.metadata.name),
      );
      if (fresh.length === 0) return;
      const read = readSpec(request.parent);
      const seen = seenBackups(request);
      const watermark = watermarkOf(request, seen);
      for (const child of fresh) {
        const name = child.metadata.name;
        if (child.metadata.annotations?.[BACKUP_NOW_ANNOTATION] !== undefined) {
          const token = request.parent.metadata.annotations?.[BACKUP_NOW_ANNOTATION];
          if (token === undefined || name !== backupNowName(scheduleName, token)) context.report(1, `${name} is a backup-now Backup the request did not ask for (token ${String(token)})`);
          continue;
        }
        const slot = parseTime(child.metadata.annotations?.[SCHEDULED_AT_ANNOTATION]);
        if (slot === null) {
          context.report(1, `${name} was asked for without a ${SCHEDULED_AT_ANNOTATION} annotation`);
          continue;
        }
        if (name !== backupName(scheduleName, slot)) context.report(1, `${name} is not named by its slot ${formatTime(slot)}`);
        if (!read.ok) {
          context.report(1, `${name} was asked for under an invalid spec: ${read.problems.join('; ')}`);
          continue;
        }
        // The recorded last Backup asked for again (while the view lacks it, within the grace): no new slot.
        if (name === request.parent.status?.lastBackup && slot === parseTime(request.parent.status.lastBackupTime)) continue;
        const schedule = read.spec.schedule;
        const anchor = watermark ?? slot;
        const produced = nextTick(schedule, { after: slot - 1, anchor }) === slot;
        const following = nextTick(schedule, { after: slot, anchor });
        if (!produced) context.report(1, `${name}: ${formatTime(slot)} is not a tick of "${schedule.expression}" (watermark ${formatTime(anchor)})`);
        else if (watermark !== null && slot <= watermark) context.report(1, `${name}: slot ${formatTime(slot)} is not after the watermark ${formatTime(watermark)}`);
        else if (slot > sync.hookNow) context.report(1, `${name}: slot ${formatTime(slot)} is in the future (now ${formatTime(sync.hookNow)})`);
        else if (following !== null && following <= sync.hookNow) {
          context.report(1, `${name}: slot ${formatTime(slot)} is not the most recent tick; ${formatTime(following)} is (no backfill)`);
        }
      }
    },
    onStoreEvent(event) {
      const { object } = event;
      if (event.type !== 'added' || object.kind !== 'Backup' || object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName) return;
      if (isLogBackup(object) || isBackupNowBackup(object)) return;
      const name = object.metadata.name ?? '';
      const slot = slotOf(object, { scheduleName, name });
      if (slot === null) return;
      const earlier = created.get(slot);
      const uid = object.metadata.uid ?? '';
      created.set(slot, { name, uid, at: event.at });
      if (earlier === undefined) return;
      const first = context.world.recorder.backups.get(earlier.uid);
      const byUser = first?.deletionReason === USER_DELETION;
      if (byUser && event.at - earlier.at <= recoverMs) return;
      // Deleted by a user, then the status wiped: nothing the hook is sent says the slot ran.
      if (byUser && wipes.some((at) => (first?.deletingAt ?? Infinity) <= at && at <= event.at)) return;
      context.report(1, `${name} is a second Backup for slot ${formatTime(slot)} (first: ${earlier.name}${byUser ? `, deleted by a user; created again ${goDuration(event.at - earlier.at)} after it` : ''})`);
    },
  };
}
