/**
 * TiDB Operator's BackupSchedule controller loop, shared by both ports: it syncs a schedule on every change
 * the informer delivers, on the informer resync (30 s), and after a RequeueError with backoff (1 s…100 s).
 * Backups are not watched. Status is saved by Update with RetryOnConflict (5 tries 10 ms apart, each retry
 * re-reading the schedule from the cache).
 */

import { isDeepStrictEqual } from 'node:util';

import type { BackupSchedule, JsonObject, KubeObject } from '../../core/types.js';
import type { InformerCache } from '../cache.js';
import type { VirtualClock } from '../clock.js';
import { keyOf, objectKey } from '../store.js';
import type { ObjectStore, WriteResult } from '../store.js';
import { WorkQueue } from '../work-queue.js';

/** The informer resync of tidb-operator's controller-manager (`--resync-duration`). */
export const OPERATOR_RESYNC_MS = 30_000;
/** RetryOnConflict's DefaultRetry: 5 steps, 10 ms apart. */
const STATUS_RETRIES = 5;
const STATUS_RETRY_MS = 10;

/** What a port may do in one reconcile. */
export interface ReconcileContext {
  /** The controller's clock. */
  now: number;
  /** A deep copy of the cached schedule; the reconcile changes its status. */
  schedule: BackupSchedule;
  /** A Backup from the cache by name. */
  getBackup(name: string): KubeObject | undefined;
  /** The schedule's Backups from the cache (the four-label selector). */
  listBackups(): KubeObject[];
  createBackup(backup: KubeObject): WriteResult;
  deleteBackup(backup: KubeObject, reason: string): WriteResult;
}

/** A port of upstream's sync: 'requeue' stands for a RequeueError. */
export type Reconcile = (context: ReconcileContext) => 'ok' | 'requeue';

/** OperatorLoop runs one port over the cache and writes straight to the store. */
export class OperatorLoop {
  private readonly queue: WorkQueue;
  private readonly keys = new Set<string>();
  private busy = false;

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore; cache: InformerCache; nowOf: (worldNow: number) => number },
    private readonly options: { reconcile: Reconcile; onDelete?: (name: string, reason: string) => void },
  ) {
    this.queue = new WorkQueue(world.clock, { onReady: () => this.wake(), backoff: { baseMs: 1000, maxMs: 100_000 } });
    world.cache.subscribe((event) => {
      if (event.object.kind !== 'BackupSchedule') return;
      if (event.type === 'deleted') this.keys.delete(event.key);
      else this.keys.add(event.key);
      this.queue.add(event.key);
    });
    this.resync();
  }

  private resync(): void {
    this.world.clock.after(OPERATOR_RESYNC_MS, () => {
      for (const key of [...this.keys].sort()) this.queue.add(key);
      this.resync();
    });
  }

  private wake(): void {
    if (this.busy) return;
    this.busy = true;
    this.world.clock.after(0, () => this.work());
  }

  private work(): void {
    const key = this.queue.get();
    if (key === undefined) {
      this.busy = false;
      return;
    }
    const cached = this.world.cache.get(key);
    if (cached === undefined) {
      this.done(key);
      return;
    }
    const schedule = structuredClone(cached) as BackupSchedule;
    const before = structuredClone(schedule.status ?? {});
    const namespace = schedule.metadata.namespace ?? '';
    const name = schedule.metadata.name ?? '';
    const { store, cache } = this.world;
    const result = this.options.reconcile({
      now: this.world.nowOf(this.world.clock.now),
      schedule,
      getBackup: (backup) => cache.get(objectKey('Backup', namespace, backup)),
      listBackups: () => cache.list('Backup', namespace).filter((b) => b.metadata?.labels?.['tidb.pingcap.com/backup-schedule'] === name),
      createBackup: (backup) => store.create(backup),
      deleteBackup: (backup, reason) => {
        this.options.onDelete?.(backup.metadata?.name ?? '', reason);
        return store.delete(keyOf(backup));
      },
    });
    const status = schedule.status ?? {};
    if (isDeepStrictEqual(status, before)) {
      this.finish(key, result);
      return;
    }
    this.updateStatus(key, { status, resourceVersion: cached.metadata?.resourceVersion ?? '', attempt: 1 }, result);
  }

  /** updateStatus is tidb-operator's UpdateBackupSchedule: Update, and on conflict re-read the cache and retry. */
  private updateStatus(key: string, write: { status: JsonObject; resourceVersion: string; attempt: number }, result: 'ok' | 'requeue'): void {
    const written = this.world.store.updateStatus(key, write.status, { resourceVersion: write.resourceVersion });
    if (written.ok || written.reason === 'NotFound' || write.attempt >= STATUS_RETRIES) {
      this.finish(key, written.ok ? result : 'requeue');
      return;
    }
    this.world.clock.after(STATUS_RETRY_MS, () => {
      const cached = this.world.cache.get(key);
      this.updateStatus(key, { ...write, resourceVersion: cached?.metadata?.resourceVersion ?? '', attempt: write.attempt + 1 }, result);
    });
  }

  private finish(key: string, result: 'ok' | 'requeue'): void {
    if (result === 'requeue') this.queue.addRateLimited(key);
    else this.queue.forget(key);
    this.done(key);
  }

  private done(key: string): void {
    this.queue.done(key);
    this.busy = false;
    if (this.queue.length > 0) this.wake();
  }
}
