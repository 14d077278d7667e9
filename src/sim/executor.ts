/**
 * The backup executor: a stand-in for TiDB Operator's Backup and CompactBackup controllers and their pods. It
 * moves each snapshot Backup through Scheduled → Prepare → Running → Complete or Failed, runs log Backups
 * (`log-executor.ts`) and CompactBackups (`compact-executor.ts`), holds the `tidb.pingcap.com/backup-protection`
 * finalizer while a clean job has to run, and can be slow, fail, or get stuck (pods that cannot start: the
 * seed's kernel bug; clean jobs that never run).
 */

import { formatTime } from '../core/time.js';
import type { JsonObject, KubeObject } from '../core/types.js';
import { completeFields, withCondition } from './backup-status.js';
import type { VirtualClock } from './clock.js';
import { CompactExecutor, DEFAULT_COMPACT_EXECUTOR } from './compact-executor.js';
import type { CompactExecutorSettings } from './compact-executor.js';
import type { MsRange } from './lag.js';
import { DEFAULT_LOG_EXECUTOR, LogBackupRunner } from './log-executor.js';
import type { LogExecutorSettings, LogStall } from './log-executor.js';
import { Pods } from './pods.js';
import type { PodOutage, StuckObject } from './pods.js';
import type { Random } from './random.js';
import type { ObjectStore, StoreEvent } from './store.js';

export type { PodOutage, StuckObject } from './pods.js';

/** TiDB Operator's finalizer on Backups whose data a clean job deletes. */
export const BACKUP_FINALIZER = 'tidb.pingcap.com/backup-protection';

/** Backups created in a window run for a fixed time (a slow backup the scenario wants at a known moment). */
export interface SlowWindow {
  from: number;
  to: number;
  runMs: number;
}

/** How the executor behaves. */
export interface ExecutorConfig {
  /** Backup created → backup Job created, condition Scheduled (also a log-truncate or compact Job). */
  jobStartMs: MsRange;
  /** Scheduled → backup pod running, condition Prepare (every Job's pod). */
  podStartMs: MsRange;
  /** Prepare → BR running, condition Running. */
  prepareMs: MsRange;
  /** Running → Complete or Failed. */
  runMs: MsRange;
  /** Share of Backups that fail. */
  failRate: number;
  /** Share of Backups that are slow, and how long they run. */
  slowRate: number;
  slowRunMs: MsRange;
  /** Time a clean job takes once its pod runs. */
  cleanMs: MsRange;
  /** Share of deletions whose clean job never runs: the finalizer stays and `deletionTimestamp` stays set. */
  stuckDeletionRate: number;
  /** Log Backups (`spec.backupMode: log`); default {@link DEFAULT_LOG_EXECUTOR}. */
  log?: LogExecutorSettings;
  /** CompactBackups; default {@link DEFAULT_COMPACT_EXECUTOR}. */
  compact?: CompactExecutorSettings;
  podOutages: PodOutage[];
  slowWindows: SlowWindow[];
  /** Windows in which the log backup's checkpoint does not advance. */
  logStalls?: LogStall[];
}

/** A Backup the executor knows of. */
interface Tracked {
  random: Random;
  cleaning: boolean;
  failed: boolean;
}

/** BackupExecutor reacts to the store directly (it is its own controller, with its own, current, view). */
export class BackupExecutor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly pods: Pods;
  private readonly log: LogBackupRunner;
  private readonly compact: CompactExecutor;

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore; random: Random },
    private readonly config: ExecutorConfig,
  ) {
    this.pods = new Pods(world, config);
    const shared = { pods: this.pods, jobStartMs: config.jobStartMs, prepareMs: config.prepareMs };
    this.log = new LogBackupRunner(world, { ...shared, settings: config.log ?? DEFAULT_LOG_EXECUTOR, stalls: config.logStalls ?? [] });
    this.compact = new CompactExecutor(world, { ...shared, settings: config.compact ?? DEFAULT_COMPACT_EXECUTOR });
    world.store.subscribe((event) => this.receive(event));
  }

  /** stuck lists the objects whose pod or clean job cannot run now. */
  stuck(): StuckObject[] {
    return this.pods.stuck();
  }

  private receive(event: StoreEvent): void {
    const { object } = event;
    if (object.kind === 'CompactBackup') this.compact.receive(event);
    if (object.kind !== 'Backup') return;
    const name = object.metadata?.name ?? '';
    if (event.type === 'deleted') {
      this.tracked.delete(event.key);
      this.pods.forget(event.key);
      this.log.forget(event.key);
      return;
    }
    if (event.type === 'added') {
      const tracked: Tracked = { random: this.world.random.fork(`backup:${name}:${object.metadata?.uid ?? ''}`), cleaning: false, failed: false };
      this.tracked.set(event.key, tracked);
      this.world.clock.after(tracked.random.between(this.config.jobStartMs), () => this.schedule(event.key, tracked));
      return;
    }
    const tracked = this.tracked.get(event.key);
    if (tracked !== undefined && object.metadata?.deletionTimestamp != null && !tracked.cleaning) {
      tracked.cleaning = true;
      this.pods.forget(event.key);
      this.log.forget(event.key);
      this.clean(event.key, tracked);
      return;
    }
    if (tracked !== undefined && isLog(object)) this.log.onChange(event.key);
  }

  /** The Backup controller's first pass: the Job is created (Scheduled) and the finalizer added. */
  private schedule(key: string, tracked: Tracked): void {
    const backup = this.live(key);
    if (backup === null) return;
    const now = this.world.clock.now;
    if (needsCleanJob(backup, { failed: false }) || backup.spec?.['cleanPolicy'] === 'OnFailure') {
      this.world.store.addFinalizer(key, BACKUP_FINALIZER);
    }
    if (isLog(backup)) {
      this.log.start(key, tracked.random);
      return;
    }
    this.writeStatus(key, 'Scheduled', {});
    this.pods.whenRuns({ key, name: backup.metadata?.name ?? '', pod: 'backup', after: now, random: tracked.random }, () => {
      this.writeStatus(key, 'Prepare', {});
      this.world.clock.after(tracked.random.between(this.config.prepareMs), () => this.run(key, tracked));
    });
  }

  private run(key: string, tracked: Tracked): void {
    if (this.live(key) === null) return;
    const startedAt = this.world.clock.now;
    this.writeStatus(key, 'Running', { timeStarted: formatTime(startedAt) });
    const backup = this.live(key);
    const created = Date.parse(backup?.metadata?.creationTimestamp ?? '');
    const window = this.config.slowWindows.find((w) => created >= w.from && created < w.to);
    const fails = tracked.random.chance(this.config.failRate);
    const slow = tracked.random.chance(this.config.slowRate);
    const runMs = window?.runMs ?? tracked.random.between(slow ? this.config.slowRunMs : this.config.runMs);
    this.world.clock.after(runMs, () => {
      const current = this.live(key);
      if (current === null) return;
      const now = this.world.clock.now;
      if (fails) {
        tracked.failed = true;
        this.writeStatus(key, 'Failed', {}, 'BackupFailed');
        return;
      }
      const backupPath = `s3://backups/${String((current.spec?.['s3'] as JsonObject | undefined)?.['prefix'] ?? current.metadata?.name)}`;
      this.writeStatus(key, 'Complete', completeFields({ startedAt, commitAt: startedAt + 1000, completedAt: now, backupPath }));
    });
  }

  /** The clean job of a Backup being deleted; the finalizer goes when it is done. */
  private clean(key: string, tracked: Tracked): void {
    const backup = this.world.store.get(key);
    if (backup === undefined) return;
    const name = backup.metadata?.name ?? '';
    const failed = tracked.failed || isFailed(backup);
    if (!(backup.metadata?.finalizers ?? []).includes(BACKUP_FINALIZER)) return;
    if (!needsCleanJob(backup, { failed })) {
      this.world.clock.after(1000, () => this.removeFinalizer(key));
      return;
    }
    if (tracked.random.chance(this.config.stuckDeletionRate)) {
      this.pods.neverRuns(key, { name, since: this.world.clock.now });
      return;
    }
    this.pods.whenRuns({ key, name, pod: 'clean', after: this.world.clock.now, random: tracked.random }, () => {
      this.world.clock.after(tracked.random.between(this.config.cleanMs), () => this.removeFinalizer(key));
    });
  }

  private writeStatus(key: string, phase: 'Scheduled' | 'Prepare' | 'Running' | 'Complete' | 'Failed', extra: JsonObject, reason?: string): void {
    const current = this.live(key);
    if (current === null) return;
    const options = reason === undefined ? { at: this.world.clock.now, extra } : { at: this.world.clock.now, extra, reason };
    this.world.store.updateStatus(key, withCondition(current.status, phase, options));
  }

  private removeFinalizer(key: string): void {
    this.world.store.removeFinalizer(key, BACKUP_FINALIZER);
  }

  /** live returns the Backup while it exists and is not being deleted (a deleted Backup's Job stops). */
  private live(key: string): KubeObject | null {
    const backup = this.world.store.get(key);
    return backup === undefined || backup.metadata?.deletionTimestamp != null ? null : backup;
  }
}

/**
 * needsCleanJob tells whether deleting this Backup runs a clean job: a log Backup always (its task must be stopped,
 * upstream's IsCleanCandidate), else cleanPolicy Delete, or OnFailure and failed.
 */
function needsCleanJob(backup: KubeObject, facts: { failed: boolean }): boolean {
  const policy = backup.spec?.['cleanPolicy'];
  return isLog(backup) || policy === 'Delete' || (policy === 'OnFailure' && facts.failed);
}

function isLog(backup: KubeObject): boolean {
  return backup.spec?.['backupMode'] === 'log';
}

function isFailed(backup: KubeObject): boolean {
  const conditions = backup.status?.['conditions'];
  return Array.isArray(conditions) && conditions.some((c: JsonObject) => c['type'] === 'Failed' && c['status'] === 'True');
}
