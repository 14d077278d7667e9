/**
 * The backup executor: a stand-in for TiDB Operator's Backup controller and its backup/clean pods. It moves
 * each snapshot Backup through Scheduled → Prepare → Running → Complete or Failed, holds the
 * `tidb.pingcap.com/backup-protection` finalizer while a clean job has to run, and can be slow, fail, or get
 * stuck (pods that cannot start: the seed's kernel bug; clean jobs that never run).
 */

import { formatTime } from '../core/time.js';
import type { JsonObject, KubeObject } from '../core/types.js';
import { completeFields, withCondition } from './backup-status.js';
import type { VirtualClock } from './clock.js';
import type { MsRange } from './lag.js';
import type { Random } from './random.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** TiDB Operator's finalizer on Backups whose data a clean job deletes. */
export const BACKUP_FINALIZER = 'tidb.pingcap.com/backup-protection';

/** A window in which new pods stay in ContainerCreating; they start once it ends (kubelet retries), or never. */
export interface PodOutage {
  from: number;
  /** End of the window (epoch ms), or null: the pods never start. */
  to: number | null;
  backupPods: boolean;
  cleanPods: boolean;
}

/** Backups created in a window run for a fixed time (a slow backup the scenario wants at a known moment). */
export interface SlowWindow {
  from: number;
  to: number;
  runMs: number;
}

/** How the executor behaves. */
export interface ExecutorConfig {
  /** Backup created → backup Job created, condition Scheduled. */
  jobStartMs: MsRange;
  /** Scheduled → backup pod running, condition Prepare. */
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
  podOutages: PodOutage[];
  slowWindows: SlowWindow[];
}

/** What is stuck right now and since when. */
export interface StuckObject {
  name: string;
  what: 'backup pod in ContainerCreating' | 'clean pod in ContainerCreating' | 'clean job never runs';
  since: number;
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
  private readonly waiting = new Map<string, StuckObject>();

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore; random: Random },
    private readonly config: ExecutorConfig,
  ) {
    world.store.subscribe((event) => this.receive(event));
  }

  /** stuck lists the Backups whose pod or clean job cannot run now. */
  stuck(): StuckObject[] {
    return [...this.waiting.values()];
  }

  private receive(event: StoreEvent): void {
    const { object } = event;
    if (object.kind !== 'Backup' || object.spec?.['backupMode'] === 'log') return;
    const name = object.metadata?.name ?? '';
    if (event.type === 'deleted') {
      this.tracked.delete(event.key);
      this.waiting.delete(name);
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
      this.waiting.delete(name);
      this.clean(event.key, tracked);
    }
  }

  /** The Backup controller's first pass: the Job is created (Scheduled) and the finalizer added. */
  private schedule(key: string, tracked: Tracked): void {
    const backup = this.live(key);
    if (backup === null) return;
    const now = this.world.clock.now;
    if (needsCleanJob(backup, { failed: false }) || backup.spec?.['cleanPolicy'] === 'OnFailure') {
      this.world.store.addFinalizer(key, BACKUP_FINALIZER);
    }
    this.writeStatus(key, 'Scheduled', {});
    this.whenPodRuns({ key, name: backup.metadata?.name ?? '', pod: 'backup', after: now }, () => {
      this.writeStatus(key, 'Prepare', {});
      this.world.clock.after(tracked.random.between(this.config.prepareMs), () => this.run(key, tracked));
    }, tracked);
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
      this.waiting.set(name, { name, what: 'clean job never runs', since: this.world.clock.now });
      return;
    }
    this.whenPodRuns({ key, name, pod: 'clean', after: this.world.clock.now }, () => {
      this.world.clock.after(tracked.random.between(this.config.cleanMs), () => this.removeFinalizer(key));
    }, tracked);
  }

  /** whenPodRuns calls `then` once the pod has started: after any outage covering `after`, plus the start time. */
  private whenPodRuns(pod: { key: string; name: string; pod: 'backup' | 'clean'; after: number }, then: () => void, tracked: Tracked): void {
    const outage = this.config.podOutages.find(
      (o) => (pod.pod === 'backup' ? o.backupPods : o.cleanPods) && o.from <= pod.after && (o.to === null || pod.after < o.to),
    );
    const startDelay = tracked.random.between(this.config.podStartMs);
    if (outage === undefined) {
      this.world.clock.after(startDelay, () => this.podStarted(pod, then));
      return;
    }
    this.waiting.set(pod.name, { name: pod.name, what: `${pod.pod} pod in ContainerCreating`, since: pod.after });
    if (outage.to !== null) this.world.clock.at(outage.to + startDelay, () => this.podStarted(pod, then));
  }

  private podStarted(pod: { key: string; name: string; pod: 'backup' | 'clean' }, then: () => void): void {
    if (this.waiting.get(pod.name)?.what.startsWith(pod.pod) === true) this.waiting.delete(pod.name);
    const current = this.world.store.get(pod.key);
    if (current === undefined) return;
    // A deleted Backup's backup Job is gone with it; its clean job still runs.
    if (pod.pod === 'backup' && current.metadata?.deletionTimestamp != null) return;
    then();
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

/** needsCleanJob tells whether deleting this Backup runs a clean job (cleanPolicy Delete, or OnFailure and failed). */
function needsCleanJob(backup: KubeObject, facts: { failed: boolean }): boolean {
  const policy = backup.spec?.['cleanPolicy'];
  return policy === 'Delete' || (policy === 'OnFailure' && facts.failed);
}

function isFailed(backup: KubeObject): boolean {
  const conditions = backup.status?.['conditions'];
  return Array.isArray(conditions) && conditions.some((c: JsonObject) => c['type'] === 'Failed' && c['status'] === 'True');
}
