/**
 * Per-schedule metrics, labelled {namespace, name}: set from each sync's facts, removed when the schedule is
 * deleted or has not been synced by this replica for the TTL (so cardinality follows the live schedules).
 */

import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

import type { BackupState } from '../core/backup-state.js';
import type { MissCause } from '../core/schedule-edit.js';
import type { Decision, SyncReport } from '../core/sync.js';

/** The parent a sync was about. */
export interface ScheduleId {
  namespace: string;
  name: string;
}

/** Options of {@link scheduleMetrics}. */
export interface ScheduleMetricsOptions {
  /** A schedule not synced by this replica for this long loses its series (ms). */
  ttlMs: number;
  /** The clock (epoch ms). */
  now: () => number;
}

/** Per-schedule metrics: record every decision, expire the schedules not seen within the TTL. */
export interface ScheduleMetrics {
  record(decision: Decision, id: ScheduleId): void;
  /** Removes the series of schedules last synced more than the TTL ago; returns how many schedules remain. */
  expire(): number;
}

const STATES: readonly BackupState[] = ['complete', 'failed', 'invalid', 'unfinished'];
/** Every cause of a missed slot, so that each counter starts at 0 and rates are defined from the first scrape. */
const MISS_CAUSES = Object.keys({ StartingDeadlineExceeded: 0, ScheduleChanged: 0, MissedWhilePaused: 0 } satisfies Record<MissCause, 0>);

/** scheduleMetrics registers the per-schedule metrics in `registry`. */
export function scheduleMetrics(registry: Registry, options: ScheduleMetricsOptions): ScheduleMetrics {
  const registers = [registry];
  const labelNames = ['namespace', 'name'] as const;
  const gauge = (name: string, help: string): Gauge<'namespace' | 'name'> => new Gauge({ name, help, labelNames, registers });
  const gauges = {
    lastSync: gauge('backup_schedule_last_sync_timestamp_seconds', 'When this replica last answered a sync of the schedule; picks the freshest replica.'),
    lastScheduled: gauge('backup_schedule_last_scheduled_timestamp_seconds', 'Slot of the last scheduled Backup (status.lastBackupTime).'),
    nextScheduled: gauge('backup_schedule_next_scheduled_timestamp_seconds', 'Next tick (status.nextBackupTime); absent while paused or invalid.'),
    lastSuccessful: gauge(
      'backup_schedule_last_successful_backup_timestamp_seconds',
      'Completion time of the newest Complete Backup (status.lastSuccessfulTime); absent until one completes.',
    ),
    lastMissed: gauge(
      'backup_schedule_last_missed_timestamp_seconds',
      'Newest slot the hook decided not to run (status.lastMissedTime: its starting deadline passed, a schedule edit, skipMissedOnUnpause); absent until one is.',
    ),
    expectedInterval: gauge(
      'backup_schedule_expected_interval_seconds',
      'The schedule interval around now: the longer of the tick gap containing now and the one before it.',
    ),
    created: gauge('backup_schedule_created_timestamp_seconds', 'The schedule\'s creationTimestamp.'),
    deleting: gauge('backup_schedule_backups_deleting', 'Backups of the schedule being deleted or that the last answer deletes.'),
    stuck: gauge('backup_schedule_stuck_backups', 'Snapshot Backups of the schedule running longer than spec.backupTimeout (condition BackupStuck).'),
    deletionStuck: gauge(
      'backup_schedule_deletion_stuck_backups',
      'Backups of the schedule still present long after their deletion started (finalizer not done).',
    ),
    specValid: gauge('backup_schedule_spec_valid', '1 when the schedule\'s spec is valid, 0 when the hook reports InvalidSpec.'),
    paused: gauge('backup_schedule_paused', '1 when spec.pause is true.'),
    logBackupUp: gauge(
      'backup_schedule_log_backup_up',
      '1 when the log Backup runs, 0 when it is missing or failed (LogBackupMissing, LogBackupFailed); absent without spec.logBackupTemplate.',
    ),
    logCheckpoint: gauge(
      'backup_schedule_log_checkpoint_timestamp_seconds',
      'The log Backup\'s status.logCheckpointTs: point-in-time recovery reaches up to here; absent until it checkpoints.',
    ),
    generationsUnobserved: gauge(
      'backup_schedule_generations_unobserved',
      'metadata.generation minus status.observedGeneration as sent: above 0 on every sync when status writes change the generation (the CRD lost its status subresource).',
    ),
  };
  const backups = new Gauge({
    name: 'backup_schedule_backups',
    help: 'Snapshot Backups of the schedule that the last answer keeps, by state (complete, failed, invalid, unfinished).',
    labelNames: ['namespace', 'name', 'state'] as const,
    registers,
  });
  const syncs = new Counter({
    name: 'backup_schedule_syncs_total',
    help: 'Sync decisions by outcome (created, waiting, idle, paused, invalid, parent-deleting).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const missedSlots = new Counter({
    name: 'backup_schedule_missed_slots_total',
    help: 'Slots the hook decided not to run, by cause (the reason of condition MissedSchedule), counted by the sync that decided.',
    labelNames: ['cause'] as const,
    registers,
  });
  for (const cause of MISS_CAUSES) missedSlots.inc({ cause }, 0);
  const seen = new Map<string, { id: ScheduleId; at: number }>();
  // Expiry runs on scrape, and also while recording so an unscraped replica does not keep deleted schedules.
  const sweepEveryMs = Math.min(options.ttlMs, 60_000);
  let nextSweep = options.now() + sweepEveryMs;

  function remove(id: ScheduleId): void {
    for (const g of Object.values(gauges)) g.remove(id);
    for (const state of STATES) backups.remove({ ...id, state });
    seen.delete(key(id));
  }

  function set(id: ScheduleId, report: SyncReport, at: number): void {
    const { facts } = report;
    gauges.lastSync.set(id, at / 1000);
    setOrRemove(gauges.lastScheduled, id, seconds(facts.lastScheduled));
    setOrRemove(gauges.nextScheduled, id, seconds(facts.nextScheduled));
    setOrRemove(gauges.lastSuccessful, id, seconds(facts.lastSuccessfulCompletion));
    setOrRemove(gauges.lastMissed, id, seconds(facts.lastMissed));
    setOrRemove(gauges.expectedInterval, id, seconds(facts.expectedIntervalMs));
    setOrRemove(gauges.created, id, seconds(facts.created));
    gauges.deleting.set(id, facts.deleting);
    gauges.stuck.set(id, report.stuck.length);
    gauges.deletionStuck.set(id, report.deletionStuck.length);
    gauges.specValid.set(id, facts.specValid ? 1 : 0);
    gauges.paused.set(id, facts.paused ? 1 : 0);
    setOrRemove(gauges.logBackupUp, id, facts.logBackup === null ? null : facts.logBackup === 'ok' ? 1 : 0);
    setOrRemove(gauges.logCheckpoint, id, seconds(facts.logCheckpoint));
    setOrRemove(gauges.generationsUnobserved, id, facts.generationsUnobserved);
    for (const state of STATES) backups.set({ ...id, state }, facts.backups[state]);
  }

  return {
    record(decision, id) {
      const { report } = decision;
      syncs.inc({ outcome: report.outcome });
      if (report.missed !== null) missedSlots.inc({ cause: report.missed.cause });
      if (report.outcome === 'parent-deleting') {
        remove(id);
        return;
      }
      const at = options.now();
      set(id, report, at);
      seen.set(key(id), { id, at });
      if (at >= nextSweep) expire();
    },
    expire,
  };

  function expire(): number {
    const now = options.now();
    nextSweep = now + sweepEveryMs;
    for (const { id, at } of [...seen.values()]) if (at < now - options.ttlMs) remove(id);
    return seen.size;
  }
}

function key(id: ScheduleId): string {
  return `${id.namespace}/${id.name}`;
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

function setOrRemove(gauge: Gauge<'namespace' | 'name'>, id: ScheduleId, value: number | null): void {
  if (value === null) gauge.remove(id);
  else gauge.set(id, value);
}
