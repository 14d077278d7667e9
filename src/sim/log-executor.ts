/**
 * Log Backups (`spec.backupMode: log`) as TiDB Operator runs them: the `log-start` subcommand goes Scheduled →
 * Prepare → Running → Complete in `status.logSubCommandStatuses` (the whole Backup stays Running), setting
 * `status.commitTs` (the log's start TSO); then the tracker writes `status.logCheckpointTs`, a little behind the
 * clock, at a fixed period. A `spec.logTruncateUntil` that differs from `status.logSuccessTruncateUntil` runs the
 * `log-truncate` subcommand (its own Job and pod), which sets `logSuccessTruncateUntil`; a truncation at or before
 * the start or the last success completes at once without a Job, as upstream's skipLogBackupSync does.
 */

import { parseTso } from '../core/tso.js';
import { formatTime } from '../core/time.js';
import type { KubeObject } from '../core/types.js';
import { tsoOf, withCondition, withLogSubcommand } from './backup-status.js';
import type { BackupPhase, LogSubcommand } from './backup-status.js';
import type { VirtualClock } from './clock.js';
import type { MsRange } from './lag.js';
import type { Pods } from './pods.js';
import type { Random } from './random.js';
import type { ObjectStore } from './store.js';

/** How log Backups behave (durations in ms). */
export interface LogExecutorSettings {
  /** Running → `log-start` Complete (BR registers the task; commitTs set). */
  startMs: MsRange;
  /** How often the tracker writes `status.logCheckpointTs` (upstream: every minute). */
  checkpointEveryMs: number;
  /** How far the checkpoint trails the clock when it is written. */
  checkpointLagMs: MsRange;
  /** A `log-truncate` Job's run time once its pod runs. */
  truncateMs: MsRange;
}

/** Upstream's tracker period, a checkpoint lag of seconds, truncations of a minute or two. */
export const DEFAULT_LOG_EXECUTOR: LogExecutorSettings = {
  startMs: [5000, 30_000],
  checkpointEveryMs: 60_000,
  checkpointLagMs: [2000, 3 * 60_000],
  truncateMs: [30_000, 2 * 60_000],
};

/** A window in which the log backup's checkpoint does not advance (TiKV cannot flush: the task is behind). */
export interface LogStall {
  from: number;
  to: number;
}

/** One status write of a subcommand. */
interface LogStep {
  command: LogSubcommand;
  phase: BackupPhase;
  /** The Backup's own conditions and phase follow the subcommand's. */
  whole: boolean;
  /** Fields of the Backup's status. */
  extra?: Record<string, string>;
  /** Fields of the subcommand's status. */
  fields?: Record<string, string>;
}

/** What the runner knows of one log Backup. */
interface LogTask {
  random: Random;
  /** The truncation whose Job runs now (decimal TSO), or null. */
  truncating: string | null;
}

/** Options of {@link LogBackupRunner}. */
export interface LogRunnerOptions {
  pods: Pods;
  settings: LogExecutorSettings;
  stalls: readonly LogStall[];
  jobStartMs: MsRange;
  prepareMs: MsRange;
}

/** LogBackupRunner runs the subcommands of log Backups whose Job the executor has scheduled. */
export class LogBackupRunner {
  private readonly tasks = new Map<string, LogTask>();

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore },
    private readonly options: LogRunnerOptions,
  ) {}

  /** start runs `log-start` for a log Backup whose finalizer is in place. */
  start(key: string, random: Random): void {
    const task: LogTask = { random, truncating: null };
    this.tasks.set(key, task);
    const name = this.live(key)?.metadata?.name ?? '';
    this.write(key, { command: 'log-start', phase: 'Scheduled', whole: true });
    this.options.pods.whenRuns({ key, name, pod: 'log-start', after: this.world.clock.now, random }, () => {
      this.write(key, { command: 'log-start', phase: 'Prepare', whole: true });
      this.world.clock.after(random.between(this.options.prepareMs), () => {
        const backup = this.live(key);
        if (backup === null) return;
        const startedAt = this.world.clock.now;
        this.write(key, { command: 'log-start', phase: 'Running', whole: true, extra: { backupPath: backupPathOf(backup), timeStarted: formatTime(startedAt) } });
        this.world.clock.after(random.between(this.options.settings.startMs), () => this.started(key, { task, startedAt }));
      });
    });
  }

  /** onChange reacts to a change of a log Backup (its spec.logTruncateUntil). */
  onChange(key: string): void {
    const task = this.tasks.get(key);
    if (task !== undefined) this.maybeTruncate(key, task);
  }

  /** forget stops tracking a log Backup (deleted, or being deleted: its Jobs and tracker stop). */
  forget(key: string): void {
    this.tasks.delete(key);
  }

  /** `log-start` Complete: the task runs from commitTs; the tracker starts. */
  private started(key: string, facts: { task: LogTask; startedAt: number }): void {
    if (this.live(key) === null || this.tasks.get(key) !== facts.task) return;
    const now = this.world.clock.now;
    this.write(key, {
      command: 'log-start',
      phase: 'Complete',
      whole: false,
      extra: { commitTs: tsoOf(facts.startedAt) },
      fields: { timeStarted: formatTime(facts.startedAt), timeCompleted: formatTime(now) },
    });
    this.track(key, facts.task);
    this.maybeTruncate(key, facts.task);
  }

  /** track writes the checkpoint now and then every period, while the log Backup lives. */
  private track(key: string, task: LogTask): void {
    const backup = this.live(key);
    if (backup === null || this.tasks.get(key) !== task) return;
    const now = this.world.clock.now;
    const stall = this.options.stalls.find((s) => s.from <= now && now < s.to);
    const at = Math.min(now - task.random.between(this.options.settings.checkpointLagMs), stall?.from ?? Infinity);
    const current = tsoAsBigInt(backup.status?.['logCheckpointTs']);
    const start = tsoAsBigInt(backup.status?.['commitTs']) ?? 0n;
    const next = BigInt(tsoOf(at));
    if (next > start && (current === null || next > current)) {
      this.world.store.updateStatus(key, { ...(backup.status ?? {}), logCheckpointTs: next.toString(), timeSynced: formatTime(now) });
    }
    this.world.clock.after(this.options.settings.checkpointEveryMs, () => this.track(key, task));
  }

  /** maybeTruncate starts `log-truncate` when the spec asks for a truncation not yet done and none runs. */
  private maybeTruncate(key: string, task: LogTask): void {
    const backup = this.live(key);
    if (backup === null || task.truncating !== null) return;
    const wanted = backup.spec?.['logTruncateUntil'];
    const status = backup.status ?? {};
    const start = tsoAsBigInt(status['commitTs']);
    if (typeof wanted !== 'string' || wanted === '' || start === null || wanted === status['logSuccessTruncateUntil']) return;
    const until = tsoAsBigInt(wanted);
    if (until === null) return; // a datetime or garbage: the hook writes decimal TSOs only
    const truncate = (status['logSubCommandStatuses'] as Record<string, { logTruncatingUntil?: unknown; phase?: unknown }> | undefined)?.['log-truncate'];
    if (truncate?.logTruncatingUntil === wanted && truncate.phase === 'Complete') return;
    const now = this.world.clock.now;
    const success = tsoAsBigInt(status['logSuccessTruncateUntil']);
    if (until <= start || (success !== null && until <= success)) {
      this.write(key, { command: 'log-truncate', phase: 'Complete', whole: false, fields: { logTruncatingUntil: wanted, timeStarted: formatTime(now), timeCompleted: formatTime(now) } });
      return;
    }
    task.truncating = wanted;
    const name = backup.metadata?.name ?? '';
    this.world.clock.after(task.random.between(this.options.jobStartMs), () => {
      if (this.live(key) === null || this.tasks.get(key) !== task) return;
      this.write(key, { command: 'log-truncate', phase: 'Scheduled', whole: false, fields: { logTruncatingUntil: wanted } });
      this.options.pods.whenRuns({ key, name, pod: 'log-truncate', after: this.world.clock.now, random: task.random }, () => {
        const startedAt = this.world.clock.now;
        this.write(key, { command: 'log-truncate', phase: 'Running', whole: false, fields: { timeStarted: formatTime(startedAt) } });
        this.world.clock.after(task.random.between(this.options.settings.truncateMs), () => {
          if (this.live(key) === null || this.tasks.get(key) !== task) return;
          this.write(key, { command: 'log-truncate', phase: 'Complete', whole: false, extra: { logSuccessTruncateUntil: wanted }, fields: { timeCompleted: formatTime(this.world.clock.now) } });
          task.truncating = null;
          this.maybeTruncate(key, task);
        });
      });
    });
  }

  /**
   * write moves a subcommand to a phase; with `whole`, the Backup's own conditions and phase follow (as upstream
   * does for log-start's Scheduled, Prepare and Running); `extra` goes to the Backup's status, `fields` to the
   * subcommand's.
   */
  private write(key: string, step: LogStep): void {
    const backup = this.live(key);
    if (backup === null) return;
    const { command, phase } = step;
    const at = this.world.clock.now;
    const whole = step.whole ? withCondition(backup.status, phase, { at, extra: step.extra ?? {} }) : { ...(backup.status ?? {}), ...(step.extra ?? {}) };
    this.world.store.updateStatus(key, withLogSubcommand(whole, command, step.fields === undefined ? { phase, at } : { phase, at, fields: step.fields }));
  }

  private live(key: string): KubeObject | null {
    const backup = this.world.store.get(key);
    return backup === undefined || backup.metadata?.deletionTimestamp != null ? null : backup;
  }
}

function tsoAsBigInt(value: unknown): bigint | null {
  return typeof value === 'string' ? parseTso(value) : null;
}

function backupPathOf(backup: KubeObject): string {
  const s3 = backup.spec?.['s3'];
  const prefix = typeof s3 === 'object' && s3 !== null && !Array.isArray(s3) ? (s3 as Record<string, unknown>)['prefix'] : undefined;
  return `s3://backups/${String(prefix ?? backup.metadata?.name)}`;
}
