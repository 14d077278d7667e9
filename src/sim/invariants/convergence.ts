/**
 * Invariant 5: once the faults have stopped (and a settling time has passed), every tick whose gate is open is
 * backed up exactly once (and a tick whose previous Backup ran past the next tick is not), the retention
 * bounds hold, and a Backup that blocks the schedule is reported in the Ready condition.
 */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { backupAge } from '../../core/backup-state.js';
import { KEEP_ANNOTATION, logBackupName } from '../../core/names.js';
import { FAILED_BACKUPS_KEPT } from '../../core/retention.js';
import { nextTick } from '../../core/schedule.js';
import type { Schedule } from '../../core/schedule.js';
import { readSpec } from '../../core/spec.js';
import { BACKUP_STUCK_CONDITION, DEFAULT_DELETION_STUCK_AFTER_MS, DELETION_STUCK_CONDITION } from '../../core/stuck.js';
import { formatTime, parseTime } from '../../core/time.js';
import type { BackupSchedule, Condition } from '../../core/types.js';
import { DEFAULT_LOG_EXECUTOR } from '../log-executor.js';
import type { BackupRecord } from '../recorder.js';
import { faultsEndMs } from '../scenario.js';
import { objectKey } from '../store.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** settleMs is how long after the last fault the system gets before it must have converged. */
export function settleMs(context: Pick<CheckContext, 'world' | 'maxLagMs' | 'maxLatencyMs'>): number {
  const { scenario } = context.world;
  return (
    scenario.metacontroller.resyncPeriodSeconds * 1000 +
    scenario.hook.staleViewGraceMs +
    2 * context.maxLagMs +
    2 * context.maxLatencyMs +
    scenario.transport.timeoutMs +
    60_000
  );
}

/** convergenceCheck judges the end of the run. */
export function convergenceCheck(context: CheckContext): Check {
  // The newest `status.lastMissedTime` stored, by when: a missed slot anchors `@every` like a Backup's does.
  const missed: Array<{ at: number; slot: number }> = [];
  return {
    onStoreEvent(event) {
      if (event.key !== context.world.parentKey) return;
      const slot = parseTime(event.object.status?.['lastMissedTime']);
      if (slot !== null && slot > (missed.at(-1)?.slot ?? -Infinity)) missed.push({ at: event.at, slot });
    },
    onFinish() {
      const { world } = context;
      const parent = world.store.get(world.parentKey) as BackupSchedule | undefined;
      if (parent === undefined) return;
      const read = readSpec(parent);
      if (!read.ok || read.spec.pause) return;
      const facts: Facts = {
        context,
        schedule: read.spec.schedule,
        offset: world.nowOf(world.end) - world.end,
        slackMs: context.maxLagMs + context.maxLatencyMs + 2000,
        records: [...world.recorder.backups.values()].filter((r): r is BackupRecord & { slot: number } => r.slot !== null).sort((a, b) => a.slot - b.slot),
        parent,
        quiet: null,
        missed,
        backupTimeoutMs: read.spec.backupTimeout?.ms ?? null,
        startingDeadlineMs: read.spec.startingDeadlineMs,
      };
      reportStuck(facts);
      const faultsEnd = faultsEndMs(world.scenario);
      if (faultsEnd === null) return;
      const quiet = world.start + faultsEnd + settleMs(context);
      if (quiet >= world.end) return;
      facts.quiet = quiet;
      checkTicks(facts);
      // spec.retention (GFS) has no simple bound to check here; maxReservedTime and maxBackups do.
      if (read.spec.retention === null) checkRetention(facts, { maxReservedTimeMs: read.spec.maxReservedTimeMs, maxBackups: read.spec.maxBackups });
    },
  };
}

interface Facts {
  context: CheckContext;
  schedule: Schedule;
  /** The controller's clock minus the world's, after the last clock jump. */
  offset: number;
  slackMs: number;
  records: Array<BackupRecord & { slot: number }>;
  parent: BackupSchedule;
  quiet: number | null;
  /** Every newer `status.lastMissedTime` stored, in order. */
  missed: ReadonlyArray<{ at: number; slot: number }>;
  backupTimeoutMs: number | null;
  startingDeadlineMs: number | null;
}

function checkTicks(facts: Facts): void {
  const { context, schedule, offset, records } = facts;
  const { world, maxLagMs, maxLatencyMs } = context;
  const quiet = facts.quiet ?? world.end;
  const endHook = world.end + offset;
  const bySlot = new Map<number, number>();
  for (const r of records) if (!isBackupNowBackup(r.object)) bySlot.set(r.slot, (bySlot.get(r.slot) ?? 0) + 1);
  // A backup-now Backup's "slot" is its creation: it anchors nothing and backs up no tick.
  // The hook's watermark (the anchor of `@every`) is the newer of its last Backup's slot and a missed slot.
  const anchorRecord = [...records].reverse().find((r) => r.slot <= quiet + offset && !isBackupNowBackup(r.object));
  const missedSlot = [...facts.missed].reverse().find((m) => m.at <= quiet)?.slot ?? null;
  const anchor = Math.max(anchorRecord?.slot ?? parseTime(facts.parent.metadata.creationTimestamp) ?? world.start, missedSlot ?? -Infinity);
  // Ticks are on the hook's clock, and so are the slots of scheduled Backups; a backup-now Backup's creation is on the
  // cluster's, so it takes its place among them at the hook's reading of that instant.
  const inOrder = records
    .map((r) => ({ record: r, at: isBackupNowBackup(r.object) ? world.nowOf(r.createdAt) : r.slot }))
    .sort((a, b) => a.at - b.at);
  let index = 0;
  for (let t = nextTick(schedule, { after: highestHookReading(world, quiet), anchor }); t !== null && t <= endHook; ) {
    const following = nextTick(schedule, { after: t, anchor });
    while (index < inOrder.length && (inOrder[index] as { at: number }).at < t) index += 1;
    const previous = inOrder[index - 1]?.record;
    if (previous !== undefined) {
      const freeAt = freeAtOf(previous, facts);
      const knownAt = freeAt === null ? Infinity : freeAt + offset + maxLagMs + maxLatencyMs + 1000;
      const count = bySlot.get(t) ?? 0;
      // The slot runs if the gate opens before the quiet windows (no Backup starts there): before the next tick (the
      // stale-view grace, at most half the interval) and before the starting deadline, when set (the grace, at most
      // half the deadline).
      const grace = context.settings.staleViewGraceMs;
      const quietMs = following === null ? 0 : Math.min(grace, (following - t) / 2);
      const deadlineMs = facts.startingDeadlineMs;
      const closesAt = Math.min((following ?? Infinity) - quietMs, deadlineMs === null ? Infinity : t + deadlineMs - Math.min(grace, deadlineMs / 2));
      if (freeAt !== null && knownAt < closesAt - 1000 && Math.max(t, knownAt) + maxLatencyMs + 1000 <= endHook) {
        if (count !== 1) context.report(5, `tick ${formatTime(t)} was backed up ${count} times; its gate was open (${previous.name} done or stuck at ${formatTime(freeAt)})`);
      } else if (following !== null && (freeAt === null || freeAt + offset >= following) && facts.backupTimeoutMs === null && count !== 0) {
        context.report(5, `tick ${formatTime(t)} was backed up although ${previous.name} ran until after the next tick ${formatTime(following)}`);
      }
    }
    t = following;
  }
}

/**
 * highestHookReading is the latest instant the hook's clock has read by world time `at`: after a step back, the
 * hook lives through its readings again, and their ticks were judged the first time (they do not run twice).
 */
export function highestHookReading(world: CheckContext['world'], at: number): number {
  let highest = world.nowOf(at);
  for (const fault of world.scenario.faults) {
    const jumpAt = world.start + fault.atMs;
    if (fault.kind === 'clock-jump' && fault.byMs < 0 && jumpAt <= at) highest = Math.max(highest, world.nowOf(jumpAt) - fault.byMs);
  }
  return highest;
}

/**
 * freeAtOf is when the Backup before a tick stopped holding the gate (world time): finished, being deleted, or —
 * with spec.backupTimeout — stuck, when it is the only one running; null when that cannot be told (two stuck).
 */
export function freeAtOf(previous: BackupRecord, facts: { backupTimeoutMs: number | null; offset: number; records: readonly BackupRecord[] }): number | null {
  const done = Math.min(previous.finishedAt ?? Infinity, previous.deletingAt ?? Infinity);
  if (facts.backupTimeoutMs === null) return done;
  // The hook reads the creationTimestamp (the cluster's clock) against its own: stuck once its clock passes
  // creation + timeout, which is that much later in world time when its clock is behind — and, with its clock ahead
  // by more than the timeout, from the Backup's creation on.
  const stuckAt = Math.max(previous.createdAt, previous.createdAt + facts.backupTimeoutMs - facts.offset);
  if (done <= stuckAt) return done;
  const othersRunning = facts.records.some(
    (r) => r !== previous && r.createdAt < stuckAt && (r.finishedAt ?? Infinity) > stuckAt && (r.deletingAt ?? Infinity) > stuckAt,
  );
  return othersRunning ? null : stuckAt;
}

/** logSlackOf is how far a log Backup's checkpoint may trail the clock, or null when the schedule has no live log Backup. */
function logSlackOf(world: CheckContext['world']): number | null {
  const { namespace, name } = world.scenario.schedule;
  const log = world.store.get(objectKey('Backup', namespace, logBackupName(name)));
  if (log === undefined || log.metadata?.deletionTimestamp != null) return null;
  const settings = world.scenario.executor.log ?? DEFAULT_LOG_EXECUTOR;
  return settings.checkpointEveryMs + settings.checkpointLagMs[1];
}

function checkRetention(facts: Facts, policy: { maxReservedTimeMs: number | null; maxBackups: number | null }): void {
  const { context, offset, slackMs, parent } = facts;
  const { world } = context;
  const quiet = facts.quiet ?? world.end;
  const lastName = parent.status?.lastBackup;
  const live = facts.records.filter((r) => r.goneAt === null && r.deletingAt === null);
  const complete = live.filter((r) => r.state === 'complete').sort((a, b) => b.slot - a.slot || (a.name < b.name ? 1 : -1));
  const newestComplete = complete[0];
  const due = (r: BackupRecord, from: number): boolean => Math.max(from, r.finishedAt ?? Infinity, quiet) + slackMs <= world.end;
  if (policy.maxReservedTimeMs !== null) {
    const maxAge = policy.maxReservedTimeMs;
    // With a log Backup the cutoff counts back from its checkpoint (written once per tracker period, a little
    // behind) or the newest finished snapshot, and the newest expired Complete one stays as the restore base. That
    // cutoff is read from the cluster's timestamps, never the hook's clock, so a skewed hook clock moves nothing.
    const pitr = logSlackOf(world);
    // The newest Complete Backup is kept: a Complete one may go only once a newer one has finished.
    const newerFinished = (r: BackupRecord): number => {
      const at = complete.findIndex((c) => c === r);
      return at === -1 ? -Infinity : Math.min(...complete.slice(0, at).map((c) => c.finishedAt ?? Infinity));
    };
    // The recorded last Backup is kept; a Backup stops being the last one when the next scheduled Backup is created.
    const supersededAt = (r: BackupRecord & { slot: number }): number =>
      isBackupNowBackup(r.object) ? -Infinity : Math.min(...facts.records.filter((n) => n.slot > r.slot && !isBackupNowBackup(n.object)).map((n) => n.createdAt));
    const expired = (r: BackupRecord & { slot: number }): boolean => {
      const age = backupAge(r.object);
      return age.ok && due(r, Math.max(age.at + maxAge + (pitr === null ? -offset : pitr), newerFinished(r), supersededAt(r)));
    };
    const ageOf = (r: BackupRecord): number => {
      const age = backupAge(r.object);
      return age.ok ? age.at : Infinity;
    };
    for (const r of live) {
      if (r.state === 'unfinished' || r === newestComplete || r.name === lastName || pinned(r) || !expired(r)) continue;
      // The restore base is the newest expired Complete one that still exists (the hook deletes a base only for a newer one).
      const newerBase = live.some((c) => c !== r && c.state === 'complete' && (r.state !== 'complete' || ageOf(c) > ageOf(r)) && expired(c));
      if (pitr !== null && !newerBase) continue;
      context.report(5, `${r.name} (${r.state}, aged from ${formatTime(ageOf(r))}) outlived maxReservedTime${pitr === null ? '' : ' (a newer restore base had expired too)'}`);
    }
    return;
  }
  if (policy.maxBackups === null) return;
  // Pinned Backups stay, and take no place in the counts.
  const failed = live.filter((r) => (r.state === 'failed' || r.state === 'invalid') && !pinned(r)).sort((a, b) => b.slot - a.slot || (a.name < b.name ? 1 : -1));
  for (const [kept, list] of [[policy.maxBackups, complete.filter((r) => !pinned(r))], [FAILED_BACKUPS_KEPT, failed]] as const) {
    for (let i = kept; i < list.length; i += 1) {
      const r = list[i] as BackupRecord;
      const newerFinished = list.slice(0, i).map((b) => b.finishedAt ?? Infinity).sort((a, b) => a - b);
      if (r.name !== lastName && due(r, newerFinished[kept - 1] ?? Infinity)) {
        context.report(5, `${r.name} (${r.state}) is beyond the newest ${kept} and was not deleted`);
      }
    }
  }
}

/**
 * pinned tells whether a Backup is pinned at the end (`backup-schedule-hook/keep: "true"`): a pin or unpin is a fault,
 * so the settling time counts from the last one, and the state at the end is the one the hook has had time to see.
 */
function pinned(r: BackupRecord): boolean {
  return r.object.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
}

/**
 * reportStuck: what is stuck at the end must be in the status. A last Backup still unfinished after the next
 * tick is named by Ready=WaitingForPreviousBackup (or, past spec.backupTimeout, by BackupStuck); with
 * spec.backupTimeout every Backup running longer is named by BackupStuck; a Backup being deleted for longer than
 * an hour is named by DeletionStuck. (Messages name the five oldest and count the rest.)
 */
function reportStuck(facts: Facts): void {
  const { context, parent, offset } = facts;
  const { world, maxLagMs, maxLatencyMs } = context;
  const endHook = world.end + offset;
  const seenBy = (at: number): boolean => at + maxLagMs + maxLatencyMs + 1000 <= endHook;
  // A change the hook must have seen happened early enough on the world's clock too: a hook clock far ahead reads a
  // deletion as an hour old the moment it starts, but only a sync after it can say so.
  const syncedAfter = (at: number): boolean => at + maxLagMs + maxLatencyMs + 1000 <= world.end;
  const conditions = parent.status?.conditions ?? [];
  const named = (type: string, name: string): boolean => {
    const condition = conditions.find((c: Condition) => c.type === type && c.status === 'True');
    const message = String(condition?.message ?? '');
    return condition !== undefined && (message.includes(name) || / and \d+ more/.test(message));
  };
  const timeoutMs = facts.backupTimeoutMs;
  const live = facts.records.filter((r) => r.goneAt === null);
  for (const r of live) {
    if (r.state === 'unfinished' && r.deletingAt === null && timeoutMs !== null && seenBy(r.createdAt + timeoutMs) && syncedAfter(r.createdAt) && !named(BACKUP_STUCK_CONDITION, r.name)) {
      context.report(5, `${r.name} has run since ${formatTime(r.createdAt)}, past spec.backupTimeout, but BackupStuck does not name it`);
    }
    if (r.deletingAt !== null && seenBy(r.deletingAt + DEFAULT_DELETION_STUCK_AFTER_MS) && syncedAfter(r.deletingAt) && !named(DELETION_STUCK_CONDITION, r.name)) {
      context.report(5, `${r.name} has been deleting since ${formatTime(r.deletingAt)} but DeletionStuck does not name it`);
    }
  }
  const lastName = parent.status?.lastBackup;
  if (typeof lastName !== 'string' || lastName === '') return;
  const record = world.recorder.existingBackup(lastName);
  if (record === undefined || record.state !== 'unfinished' || record.deletingAt !== null || record.slot === null) return;
  const following = nextTick(facts.schedule, { after: record.slot, anchor: record.slot });
  if (following === null || !seenBy(following)) return;
  // Past spec.backupTimeout BackupStuck names it (above), as soon as the hook's clock has passed the timeout.
  if (timeoutMs !== null && (seenBy(record.createdAt + timeoutMs) || (record.createdAt + timeoutMs <= endHook && named(BACKUP_STUCK_CONDITION, lastName)))) return;
  // Past spec.startingDeadlineSeconds the waiting tick is missed: the status records it in lastMissedTime instead.
  const missed = parseTime(parent.status?.['lastMissedTime']);
  if (facts.startingDeadlineMs !== null && missed !== null && missed >= following) return;
  const ready = conditions.find((c: Condition) => c.type === 'Ready');
  if (ready?.reason !== 'WaitingForPreviousBackup' || !String(ready.message ?? '').includes(lastName)) {
    context.report(5, `${lastName} has been unfinished since ${formatTime(record.createdAt)} but Ready says ${ready?.reason ?? 'nothing'}: ${ready?.message ?? ''}`);
  }
}
