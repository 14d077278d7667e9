/**
 * An informer cache that lags the store: each change becomes visible after its own random delay, in order
 * per object. So a request can lack the Backup created a moment ago, or carry an older parent status. When
 * Metacontroller goes down the watch ends (`stop`); when it comes back a fresh LIST fills the cache (`relist`).
 */

import type { KubeObject } from '../core/types.js';
import type { VirtualClock } from './clock.js';
import type { LagModel } from './lag.js';
import { keyOf } from './store.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** InformerCache holds the versions that have reached it and tells subscribers when a change arrives. */
export class InformerCache {
  private readonly visible = new Map<string, KubeObject>();
  private readonly arrivesAt = new Map<string, number>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];
  /** Whether the watch runs; and which watch a change on its way belongs to (a stopped watch's changes never arrive). */
  private watching = true;
  private watch = 0;

  private readonly clock: VirtualClock;
  private readonly store: ObjectStore;

  constructor(
    world: { clock: VirtualClock; store: ObjectStore },
    private readonly lag: LagModel,
  ) {
    this.clock = world.clock;
    this.store = world.store;
    world.store.subscribe((event) => this.receive(event));
  }

  /** subscribe calls the listener when a change becomes visible in the cache. */
  subscribe(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  /** get returns the cached version of an object, or undefined. */
  get(key: string): KubeObject | undefined {
    return this.visible.get(key);
  }

  /** list returns the cached objects of one kind in one namespace, sorted by name. */
  list(kind: string, namespace: string): KubeObject[] {
    const prefix = `${kind}/${namespace}/`;
    return [...this.visible.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => object);
  }

  /** stop ends the watch and empties the cache (the process holding it is gone): changes on their way never arrive. */
  stop(): void {
    this.watching = false;
    this.watch += 1;
    this.visible.clear();
    this.arrivesAt.clear();
  }

  /**
   * relist fills the cache with the store's current objects, as a new informer's first LIST does, and watches again:
   * later changes arrive with their lag. Subscribers get an `added` event for each object (client-go's initial list
   * calls OnAdd for every one), BackupSchedules first, then the rest, each in key order, once the whole list is in.
   */
  relist(): void {
    this.watching = true;
    const objects = this.store.all();
    for (const object of objects) this.visible.set(keyOf(object), object);
    const parentsFirst = [...objects.filter((o) => o.kind === 'BackupSchedule'), ...objects.filter((o) => o.kind !== 'BackupSchedule')];
    for (const object of parentsFirst) this.notify({ type: 'added', key: keyOf(object), object, at: this.clock.now });
  }

  private receive(event: StoreEvent): void {
    if (!this.watching) return;
    // A watch delivers one object's changes in order: a later version never overtakes an earlier one.
    const at = Math.max(event.at + this.lag(event), this.arrivesAt.get(event.key) ?? 0);
    this.arrivesAt.set(event.key, at);
    const watch = this.watch;
    this.clock.at(at, () => {
      if (watch === this.watch) this.apply(event);
    });
  }

  private apply(event: StoreEvent): void {
    if (event.type === 'deleted') this.visible.delete(event.key);
    else this.visible.set(event.key, event.object);
    this.notify(event);
  }

  private notify(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
