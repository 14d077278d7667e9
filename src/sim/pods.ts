/**
 * Pods of the executors' Jobs (backup, log-start, log-truncate, compact, clean): each starts after a random
 * delay, unless a pod outage covers the moment it is created — then it stays in ContainerCreating until the
 * outage ends (kubelet retries) or for ever. What waits is listed as stuck.
 */

import type { VirtualClock } from './clock.js';
import type { MsRange } from './lag.js';
import type { Random } from './random.js';
import type { ObjectStore } from './store.js';

/** A window in which new pods stay in ContainerCreating; they start once it ends (kubelet retries), or never. */
export interface PodOutage {
  from: number;
  /** End of the window (epoch ms), or null: the pods never start. */
  to: number | null;
  /** Pods that do the work (backup, log-start, log-truncate, compact). */
  backupPods: boolean;
  /** Pods of clean jobs (deleting a Backup's data). */
  cleanPods: boolean;
}

/** The Job a pod belongs to. */
export type PodKind = 'backup' | 'log-start' | 'log-truncate' | 'compact' | 'clean';

/** What is stuck right now and since when. */
export interface StuckObject {
  name: string;
  what: `${PodKind} pod in ContainerCreating` | 'clean job never runs';
  since: number;
}

/** A pod to start: for the object at `key`, created at `after`; `random` draws its start time. */
export interface PodRequest {
  key: string;
  name: string;
  pod: PodKind;
  after: number;
  random: Random;
}

/** Pods starts pods under the configured outages and keeps the list of what waits. */
export class Pods {
  private readonly waiting = new Map<string, StuckObject>();

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore },
    private readonly config: { podStartMs: MsRange; podOutages: readonly PodOutage[] },
  ) {}

  /** stuck lists the objects whose pod or clean job cannot run now. */
  stuck(): StuckObject[] {
    return [...this.waiting.values()];
  }

  /** neverRuns records a clean job that will never run (its finalizer stays). */
  neverRuns(key: string, facts: { name: string; since: number }): void {
    this.waiting.set(key, { name: facts.name, what: 'clean job never runs', since: facts.since });
  }

  /** forget drops what an object waited for (it is gone, or its clean job starts). */
  forget(key: string): void {
    this.waiting.delete(key);
  }

  /**
   * whenRuns calls `then` once the pod has started: after any outage covering `after`, plus the start time. Only a
   * clean pod runs for an object being deleted (the other Jobs go with it).
   */
  whenRuns(pod: PodRequest, then: () => void): void {
    const outage = this.config.podOutages.find(
      (o) => (pod.pod === 'clean' ? o.cleanPods : o.backupPods) && o.from <= pod.after && (o.to === null || pod.after < o.to),
    );
    const startDelay = pod.random.between(this.config.podStartMs);
    if (outage === undefined) {
      this.world.clock.after(startDelay, () => this.started(pod, then));
      return;
    }
    this.waiting.set(pod.key, { name: pod.name, what: `${pod.pod} pod in ContainerCreating`, since: pod.after });
    if (outage.to !== null) this.world.clock.at(outage.to + startDelay, () => this.started(pod, then));
  }

  private started(pod: PodRequest, then: () => void): void {
    if (this.waiting.get(pod.key)?.what.startsWith(`${pod.pod} `) === true) this.waiting.delete(pod.key);
    const current = this.world.store.get(pod.key);
    if (current === undefined) return;
    if (pod.pod !== 'clean' && current.metadata?.deletionTimestamp != null) return;
    then();
  }
}
