/**
 * An informer cache that lags the store: each change becomes visible after its own random delay, in order
 * per object. So a request can lack the Backup created a moment ago, or carry an older parent status. When
 * Metacontroller goes down the watch ends (`stop`); when it comes back a fresh LIST fills the cache (`relist`),
 * which may itself trail the store ({@link FirstListLag}).
 */

import type { KubeObject } from '../core/types.js';
import type { VirtualClock } from './clock.js';
import type { LagModel } from './lag.js';
import { keyOf } from './store.js';
import type { ObjectStore, StoreEvent } from './store.js';
import type { StuckWindow } from './scenario.js';

/**
 * How a new informer's first LIST trails the store. client-go's reflector makes its first LIST at resourceVersion "0"
 * (`tools/cache/reflector.go` `relistResourceVersion`: "initial list performed by reflector uses "0" as resource
 * version to allow it to be served from the watch cache if it is enabled"), and the API server answers a LIST at "0"
 * (any version) from its watch cache without reading etcd (`staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go`
 * `shouldDelegateList`, in newer releases `cacher/delegator`: `ResourceVersionAny` is not delegated). The watch cache
 * trails etcd by its own delay, and with several API servers each has its own, so the first view after a restart may
 * lack a change made a moment before, or show an object older than the old process last saw (kubernetes#59848).
 *
 * The simulator draws that view from the cache's own lag ranges, so that it stays within the lag bound the hook is
 * built for: `lag` is a lag model over the same ranges (its own random stream), `windowMs` their longest lag. Each
 * change of the last `windowMs` gets a lag drawn anew, and the LIST shows, per object, the newest version whose change
 * would have reached a cache watching all along (in order per object, as a watch delivers them); every older change
 * is in it. The changes it lacks then arrive through the new watch at the instants drawn, later ones with their usual
 * lag. A watch cache stuck for longer than the bound (kubernetes#97294) is the `cache-stuck` fault ({@link stuckArrival});
 * the window is then as long as the longest delay it gives (the world sets it).
 */
export interface FirstListLag {
  lag: LagModel;
  windowMs: number;
}

/** InformerCache holds the versions that have reached it and tells subscribers when a change arrives. */
export class InformerCache {
  private readonly visible = new Map<string, KubeObject>();
  private readonly arrivesAt = new Map<string, number>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];
  /** Whether the watch runs; and which watch a change on its way belongs to (a stopped watch's changes never arrive). */
  private watching = true;
  private watch = 0;

  /** With a trailing first LIST: the store's changes of the last `windowMs`, oldest first (each with the version it replaced). */
  private readonly recent: StoreEvent[] = [];
  private recentStart = 0;

  private readonly clock: VirtualClock;
  private readonly store: ObjectStore;
  private readonly firstList: FirstListLag | null;
  private readonly stuck: readonly StuckWindow[];

  constructor(
    world: { clock: VirtualClock; store: ObjectStore },
    private readonly lag: LagModel,
    options: { firstList?: FirstListLag; stuck?: readonly StuckWindow[] } = {},
  ) {
    this.clock = world.clock;
    this.store = world.store;
    this.firstList = options.firstList ?? null;
    this.stuck = options.stuck ?? [];
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
   * relist fills the cache as a new informer's first LIST does, and watches again: later changes arrive with their
   * lag. Without a {@link FirstListLag} the LIST is the store's current objects; with one, it trails the store as
   * drawn there. Subscribers get an `added` event for each object (client-go's initial list calls OnAdd for every
   * one), BackupSchedules first, then the rest, each in key order, once the whole list is in.
   */
  relist(): void {
    this.watching = true;
    const listed = new Map(this.store.all().map((object) => [keyOf(object), object] as const));
    if (this.firstList !== null) this.trail(listed, this.firstList);
    const objects = [...listed.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, object]) => object);
    for (const object of objects) this.visible.set(keyOf(object), object);
    const parentsFirst = [...objects.filter((o) => o.kind === 'BackupSchedule'), ...objects.filter((o) => o.kind !== 'BackupSchedule')];
    for (const object of parentsFirst) this.notify({ type: 'added', key: keyOf(object), object, previous: undefined, at: this.clock.now });
  }

  /**
   * trail turns the store's objects into what a LIST trailing it shows ({@link FirstListLag}): per object, the
   * changes of the window whose drawn arrival is still ahead are taken back (the version before them listed, or
   * none), and sent through the new watch to arrive then.
   */
  private trail(listed: Map<string, KubeObject>, firstList: FirstListLag): void {
    const now = this.clock.now;
    this.forget(now);
    const byKey = new Map<string, StoreEvent[]>();
    for (let i = this.recentStart; i < this.recent.length; i += 1) {
      const change = this.recent[i] as StoreEvent;
      const changes = byKey.get(change.key);
      if (changes === undefined) byKey.set(change.key, [change]);
      else changes.push(change);
    }
    for (const [key, changes] of byKey) {
      let arrival = 0;
      let shown = (changes[0] as StoreEvent).previous;
      for (const event of changes) {
        // In order per object: once one change is still on its way, so is every later one.
        const lagMs = firstList.lag(event);
        arrival = Math.max(stuckArrival(event, event.at + lagMs, { lagMs, stuck: this.stuck }), arrival);
        if (arrival <= now) shown = event.type === 'deleted' ? undefined : event.object;
        else this.deliver(event, arrival);
      }
      if (shown === undefined) listed.delete(key);
      else listed.set(key, shown);
    }
  }

  /** forget drops the changes older than the window (every one of them has reached any view by now). */
  private forget(now: number): void {
    const windowMs = this.firstList?.windowMs ?? 0;
    while (this.recentStart < this.recent.length && (this.recent[this.recentStart] as StoreEvent).at + windowMs < now) this.recentStart += 1;
    if (this.recentStart > 1024 && this.recentStart * 2 > this.recent.length) {
      this.recent.splice(0, this.recentStart);
      this.recentStart = 0;
    }
  }

  private receive(event: StoreEvent): void {
    if (this.firstList !== null) this.remember(event);
    if (!this.watching) return;
    // A watch delivers one object's changes in order: a later version never overtakes an earlier one.
    const lagMs = this.lag(event);
    this.deliver(event, Math.max(stuckArrival(event, event.at + lagMs, { lagMs, stuck: this.stuck }), this.arrivesAt.get(event.key) ?? 0));
  }

  /** remember keeps a change for a trailing first LIST, with the version it replaced. */
  private remember(event: StoreEvent): void {
    this.recent.push(event);
    this.forget(event.at);
  }

  /** deliver makes a change visible at `at`, unless the watch has ended by then. */
  private deliver(event: StoreEvent, at: number): void {
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

/**
 * stuckArrival moves a change's arrival out of the stuck windows of its kind (fault `cache-stuck`): one that would
 * arrive inside a window is held until the window ends and then takes its usual lag, `lagMs`, again (the watch cache
 * catching up sends it on as it sends any change); a held change may land in a later window and wait for that too.
 */
export function stuckArrival(event: StoreEvent, arrival: number, options: { lagMs: number; stuck: readonly StuckWindow[] }): number {
  let at = arrival;
  for (const window of options.stuck) {
    if (window.kinds.has(event.object.kind ?? '') && at >= window.from && at < window.to) at = window.to + options.lagMs;
  }
  return at;
}
