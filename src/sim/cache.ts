/**
 * An informer cache that lags the store: each change becomes visible after its own random delay, in order
 * per object. So a request can lack the Backup created a moment ago, or carry an older parent status.
 */

import type { KubeObject } from '../core/types.js';
import type { VirtualClock } from './clock.js';
import type { LagModel } from './lag.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** InformerCache holds the versions that have reached it and tells subscribers when a change arrives. */
export class InformerCache {
  private readonly visible = new Map<string, KubeObject>();
  private readonly arrivesAt = new Map<string, number>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];

  private readonly clock: VirtualClock;

  constructor(
    world: { clock: VirtualClock; store: ObjectStore },
    private readonly lag: LagModel,
  ) {
    this.clock = world.clock;
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

  private receive(event: StoreEvent): void {
    // A watch delivers one object's changes in order: a later version never overtakes an earlier one.
    const at = Math.max(event.at + this.lag(event), this.arrivesAt.get(event.key) ?? 0);
    this.arrivesAt.set(event.key, at);
    this.clock.at(at, () => this.apply(event));
  }

  private apply(event: StoreEvent): void {
    if (event.type === 'deleted') this.visible.delete(event.key);
    else this.visible.set(event.key, event.object);
    for (const listener of this.listeners) listener(event);
  }
}
