/**
 * Metacontroller's CompositeController, as `shared/reference/metacontroller.md` documents it: it syncs a
 * parent from its (lagging) informer cache, calls the hook, and applies a 200 answer exactly — delete the
 * observed children the answer leaves out (not those already being deleted), create the desired ones not
 * observed (AlreadyExists ignored), update observed ones with their type's strategy (InPlace or OnDelete),
 * then replace the parent's status (observedGeneration injected). Any other answer, or one it refuses
 * (`answer-check.ts`: strict v2 decoding, desired children off the generated selector), changes nothing and is
 * retried with backoff. `resyncAfterSeconds` and the resync period requeue the parent. Child types are Backups
 * and, with the compact-backups component, CompactBackups (`child-resources.ts`). With a customize hook, each request
 * also carries the parent's related objects from the same cache (`related.ts`), and a cache event of an object a
 * parent's rules select queues that parent. The customize answer is kept per parent uid and generation for 20
 * minutes, as Metacontroller's customize manager keeps it (so a label edit is not seen by its rules until then).
 * Metacontroller itself can go down and come back (fault `metacontroller-restart`): see {@link Metacontroller}.
 */

import { isDeepStrictEqual } from 'node:util';

import type { RelatedResourceRule } from '../core/group.js';
import { CONTROLLER_UID_LABEL } from '../core/names.js';
import type { BackupSchedule, DesiredChild, JsonObject, KubeObject, SyncRequest, SyncResponse } from '../core/types.js';
import { decodingError, selectorError } from './answer-check.js';
import { inPlaceUpdate, objectToCreate } from './apply.js';
import type { InformerCache } from './cache.js';
import { childResourcesOf, resourceOf } from './child-resources.js';
import type { ChildResource, ChildResourceSettings } from './child-resources.js';
import type { Timer, VirtualClock } from './clock.js';
import { writesBeforeCrash } from './crash.js';
import type { HookAnswer } from './hook.js';
import { isSuccess } from './hook.js';
import { relatedObjects, ruleMatches } from './related.js';
import type { CustomizeHook } from './related.js';
import { keyOf, objectKey } from './store.js';
import type { ObjectStore, StoreEvent } from './store.js';
import type { HookCall, Transport, Window } from './transport.js';
import type { Random } from './random.js';
import { WorkQueue } from './work-queue.js';

/** Settings of the CompositeController (the manifest's): the resync period and the child types with their update strategies. */
export interface MetacontrollerConfig extends ChildResourceSettings {
  /** `resyncPeriodSeconds`: every parent is synced at least this often. */
  resyncPeriodSeconds: number;
  /**
   * Metacontroller's API client rate limit (`--client-go-qps`, 5 by default, with `clientBurst`, 10 by default): a
   * pass's creates, updates and status write wait behind its deletions. Absent: every write of a pass lands at once.
   */
  clientQps?: number;
  clientBurst?: number;
  /**
   * `--workers`: how many parents are synced at once (Metacontroller's default is 5), never one parent twice. Absent: 1,
   * so that seeds and fixtures replay as before.
   */
  workers?: number;
}

/** Metacontroller's default client burst (`--client-go-burst`). */
export const DEFAULT_CLIENT_BURST = 10;

/** The manifests' settings: resync every 300 s, InPlace Backups (without the compact-backups component). */
export const MANIFEST_METACONTROLLER: MetacontrollerConfig = { resyncPeriodSeconds: 300, updateStrategy: 'InPlace' };

/** The compact-backups component's child type, as the manifests declare it. */
export const MANIFEST_COMPACT_BACKUPS: NonNullable<MetacontrollerConfig['compactBackups']> = { updateStrategy: 'OnDelete' };

/** What one sync did, for the recorder and the invariant checks. */
export interface SyncObservation {
  parentKey: string;
  /** World instant of the call, and of applying the answer. */
  calledAt: number;
  appliedAt: number;
  /** The instant the hook read. */
  hookNow: number;
  request: SyncRequest;
  answer: HookAnswer;
  /** Names of the children written, by outcome. */
  deleted: string[];
  created: string[];
  alreadyExisted: string[];
  updated: string[];
  statusWritten: boolean;
  /** The parent the request carried was an older version than the stored one when the answer was applied. */
  staleParent: boolean;
  /** Names of the children whose create the API server refused (fault `create-errors`). */
  createFailed: string[];
  /** Backoff before the retry, for a failed call or a refused create. */
  retryAfterMs: number | null;
  /** Why Metacontroller refused a 200 answer before writing anything (strict decoding, selector), or null. */
  refused: string | null;
  /**
   * The instant Metacontroller went down (fault `metacontroller-restart`) while this sync was in flight, or null for a
   * sync that ran to its end. Its answer was lost: only the child writes listed were made, the status never.
   */
  interruptedAt: number | null;
}

/** A window in which the API server refuses each child create with a probability. */
export interface CreateErrorWindow {
  from: number;
  to: number;
  rate: number;
}

/** Windows in which Metacontroller is down (fault `metacontroller-restart`), with the stream that draws where a crash finds a sync. */
export interface Restarts {
  windows: Window[];
  random: Random;
}

/** One declared child type's observed and desired children, by `namespace/name`. */
interface ChildPlan {
  resource: ChildResource;
  observed: Map<string, KubeObject>;
  desired: Map<string, DesiredChild>;
}

/** isUndesired tells whether Metacontroller deletes an observed child: the answer leaves it out and it is not already being deleted. */
function isUndesired(child: KubeObject, plan: { id: string; desired: ReadonlyMap<string, DesiredChild> }): boolean {
  return !plan.desired.has(plan.id) && child.metadata?.deletionTimestamp == null;
}

/** undesiredCount is how many deletions a pass asks of the API server. */
function undesiredCount(plans: readonly ChildPlan[]): number {
  let count = 0;
  for (const { observed, desired } of plans) for (const [id, child] of observed) if (isUndesired(child, { id, desired })) count++;
  return count;
}

/** How long Metacontroller keeps a parent's customize answer (`newResponseCache`: 20 minutes from when it was set). */
export const CUSTOMIZE_ANSWER_TTL_MS = 20 * 60_000;

/** The `controller` of every sync request: the manifests' CompositeController, as Metacontroller sends it. */
export const COMPOSITE_CONTROLLER = { kind: 'CompositeController', metadata: { name: 'backup-schedule-hook' } };

/** A customize answer kept for one parent. */
interface CustomizeAnswer {
  uid: string | undefined;
  generation: number | undefined;
  /** When it was asked for (virtual ms). */
  at: number;
  rules: RelatedResourceRule[];
}

/** A sync between taking its parent and writing its answer. */
interface Flight {
  key: string;
  parent: BackupSchedule;
  request: SyncRequest;
  call: HookCall;
  calledAt: number;
  /** Its next step: the answer's arrival, then (paced by the client's rate limit) the pass's writes. */
  timer: Timer | null;
  /** Once the answer arrived and the pass waits behind the rate limit: the pass and the instant it began. */
  paced: { pass: Pass; from: number } | null;
}

/** What Metacontroller makes of an answer: the observation, the accepted body, and the pass's child writes in order. */
interface Pass {
  observation: SyncObservation;
  /** The body of a 200 answer it could decode (null: a failed call or an undecodable body). */
  body: SyncResponse | null;
  /** The child requests, deletions first, then creates and updates type by type in key order (null: refused). */
  writes: Array<() => void> | null;
  deletions: number;
}

/**
 * Metacontroller runs `workers` workers (1 unless set) over its work queue: each takes a parent key no other worker
 * holds, reads the request from the cache when it starts, and applies the answer when the call returns, while the
 * others go on; a key queued again meanwhile is synced again after it (`work-queue.ts`).
 *
 * It can go down and come back (fault `metacontroller-restart`: its pod rescheduled, upgraded, OOM-killed). Down, it
 * starts no sync, and a sync in flight loses its answer: at most a prefix of its child writes reached the API server,
 * never its status (`crash.ts`). Everything it held in memory is gone — its work queue with every delayed call-back
 * and backoff, the customize answers it kept, the resync timer. Back, it is a new process (upstream's `Start`,
 * `pkg/controller/composite/controller.go`): its informers LIST afresh (served from the API server's watch cache, so the
 * view may trail the store within the cache's lag ranges, `cache.ts` `FirstListLag`; later changes arrive with their lag), their initial list adds every object, so every
 * parent is queued, and only once the caches are filled do the workers start (`WaitForNamedCacheSync`): up to
 * `workers` parents are then synced at once, from that same view. The resync period counts from the restart.
 */
export class Metacontroller {
  private queue: WorkQueue;
  private readonly listeners: Array<(sync: SyncObservation) => void> = [];
  private readonly parentKeys = new Set<string>();
  /** The customize hook's answers per parent key, with the uid and generation they were asked for and when. */
  private readonly customized = new Map<string, CustomizeAnswer>();
  private readonly resources: ChildResource[];
  /** The syncs between their call and their answer's writes, in the order they started. */
  private readonly flights = new Set<Flight>();
  /** How many workers are syncing a parent (calling the hook or writing its answer). */
  private inFlight = 0;
  private wakeTimer: Timer | null = null;
  private resyncTimer: Timer | null = null;
  /** How many `metacontroller-restart` windows hold it down now (they may overlap). */
  private downs = 0;
  private stopped = false;

  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore; cache: InformerCache },
    private readonly options: {
      transport: Transport;
      config: MetacontrollerConfig;
      customize?: CustomizeHook;
      /** Windows of refused creates, with the random stream that draws them. */
      createErrors?: { windows: CreateErrorWindow[]; random: Random };
      /** Windows in which Metacontroller is down (fault `metacontroller-restart`). */
      restarts?: Restarts;
    },
  ) {
    this.resources = childResourcesOf(options.config);
    this.queue = this.newQueue();
    world.cache.subscribe((event) => this.onCacheEvent(event));
    this.scheduleResync();
    for (const window of options.restarts?.windows ?? []) {
      world.clock.at(window.from, () => this.goDown());
      world.clock.at(window.to, () => this.comeBack());
    }
  }

  /** onSync calls the listener after every sync. */
  onSync(listener: (sync: SyncObservation) => void): void {
    this.listeners.push(listener);
  }

  /** stop ends the worker (the end of a run). */
  stop(): void {
    this.stopped = true;
  }

  private newQueue(): WorkQueue {
    return new WorkQueue(this.world.clock, { onReady: () => this.wake() });
  }

  /**
   * goDown ends the process: each sync in flight is cut where the crash finds it, in the order they started, and
   * reported; the queue, the timers, the cache and the customize answers go with it.
   */
  private goDown(): void {
    this.downs += 1;
    if (this.downs > 1) return;
    for (const flight of this.flights) this.interrupt(flight);
    this.flights.clear();
    this.inFlight = 0;
    this.queue.shutDown();
    for (const timer of [this.wakeTimer, this.resyncTimer]) if (timer !== null) timer.cancelled = true;
    this.wakeTimer = null;
    this.resyncTimer = null;
    this.world.cache.stop();
    this.parentKeys.clear();
    this.customized.clear();
  }

  /** comeBack starts a new process once no window holds it down: an empty queue, a resync period from now, a new LIST. */
  private comeBack(): void {
    this.downs -= 1;
    if (this.downs > 0 || this.stopped) return;
    this.queue = this.newQueue();
    this.scheduleResync();
    // The informers' initial list queues every parent; the workers wake once it is in (the wake runs after it).
    this.world.cache.relist();
  }

  private get down(): boolean {
    return this.downs > 0;
  }

  private onCacheEvent(event: StoreEvent): void {
    if (this.down) return;
    const { object } = event;
    if (object.kind === 'BackupSchedule') {
      if (event.type === 'deleted') this.parentKeys.delete(event.key);
      else this.parentKeys.add(event.key);
      this.queue.add(event.key);
    } else if (resourceOf(this.resources, object) !== undefined) {
      const owner = object.metadata?.ownerReferences?.find((ref) => ref.controller === true && ref.kind === 'BackupSchedule');
      const parentKey = owner?.name === undefined ? null : objectKey('BackupSchedule', object.metadata?.namespace ?? '', owner.name);
      if (parentKey !== null && this.world.cache.get(parentKey)?.metadata?.uid === owner?.uid) this.queue.add(parentKey);
    }
    this.queueRelatedParents(event);
  }

  /**
   * rulesOf returns a parent's related-resource rules: the customize hook's answer kept for its uid and generation, or
   * a new answer once that is older than {@link CUSTOMIZE_ANSWER_TTL_MS} (Metacontroller's customize manager: a
   * cache keyed by uid and generation, entries expiring 20 minutes after they were set, not when read).
   */
  private rulesOf(key: string, parent: BackupSchedule): RelatedResourceRule[] {
    const customize = this.options.customize;
    if (customize === undefined) return [];
    const { uid, generation } = parent.metadata;
    const now = this.world.clock.now;
    const kept = this.customized.get(key);
    if (kept !== undefined && kept.uid === uid && kept.generation === generation && now - kept.at < CUSTOMIZE_ANSWER_TTL_MS) return kept.rules;
    const rules = customize(parent).relatedResources;
    this.customized.set(key, { uid, generation, at: now, rules });
    return rules;
  }

  /**
   * queueRelatedParents queues, in key order, every other parent of the object's namespace whose rules select it;
   * as Metacontroller, each parent's rules are its kept customize answer, the hook asked again where none is kept.
   */
  private queueRelatedParents(event: StoreEvent): void {
    if (this.options.customize === undefined) return;
    const namespace = event.object.metadata?.namespace ?? '';
    for (const key of [...this.parentKeys].sort()) {
      if (key === event.key || !key.startsWith(`BackupSchedule/${namespace}/`)) continue;
      const parent = this.world.cache.get(key) as BackupSchedule | undefined;
      if (parent === undefined) continue;
      if (this.rulesOf(key, parent).some((rule) => ruleMatches(rule, event.object))) this.queue.add(key);
    }
  }

  private scheduleResync(): void {
    this.resyncTimer = this.world.clock.after(this.options.config.resyncPeriodSeconds * 1000, () => {
      if (this.stopped) return;
      // Replayed from the cache: every parent the informer holds.
      for (const key of [...this.parentKeys].sort()) this.queue.add(key);
      this.scheduleResync();
    });
  }

  private get idleWorkers(): number {
    return (this.options.config.workers ?? 1) - this.inFlight;
  }

  private wake(): void {
    if (this.idleWorkers <= 0 || this.wakeTimer !== null || this.stopped || this.down) return;
    this.wakeTimer = this.world.clock.after(0, () => {
      this.wakeTimer = null;
      return this.work();
    });
  }

  private async work(): Promise<void> {
    if (this.idleWorkers <= 0 || this.stopped || this.down) return;
    const queue = this.queue;
    const key = queue.get();
    if (key === undefined) return;
    this.inFlight += 1;
    // Another idle worker takes the next key at this instant, before this one's call returns.
    if (queue.length > 0) this.wake();
    const started = this.world.clock.now;
    const parent = this.world.cache.get(key) as BackupSchedule | undefined;
    if (parent === undefined) {
      this.finish(key);
      return;
    }
    const request = this.requestFor(parent);
    const pending = this.options.transport.call(request, started);
    const call: HookCall = pending instanceof Promise ? await pending : pending;
    // (The clock waits for this action, so Metacontroller cannot have gone down meanwhile; checked all the same.)
    if (queue !== this.queue) return;
    const flight: Flight = { key, parent, request, call, calledAt: started, timer: null, paced: null };
    this.flights.add(flight);
    flight.timer = this.world.clock.after(call.latencyMs, () => {
      this.apply(flight, () => {
        this.flights.delete(flight);
        this.finish(key);
      });
    });
  }

  private finish(key: string): void {
    this.inFlight -= 1;
    this.queue.done(key);
    if (this.queue.length > 0) this.wake();
  }

  /**
   * requestFor builds the sync request from the cache: the parent and, per declared type (even when empty), the
   * children it controls and selects; and the objects its customize rules select (`{}` without rules).
   */
  private requestFor(parent: BackupSchedule): SyncRequest {
    const uid = parent.metadata.uid;
    const namespace = parent.metadata.namespace ?? '';
    const children: SyncRequest['children'] = {};
    for (const resource of this.resources) {
      const map: Record<string, KubeObject> = {};
      for (const child of this.world.cache.list(resource.kind, namespace)) {
        const controlled = child.metadata?.ownerReferences?.some((ref) => ref.controller === true && ref.uid === uid) === true;
        if (controlled && child.metadata?.labels?.[CONTROLLER_UID_LABEL] === uid) map[`${namespace}/${child.metadata?.name ?? ''}`] = child;
      }
      children[resource.key] = map;
    }
    const rules = this.rulesOf(objectKey('BackupSchedule', namespace, parent.metadata.name ?? ''), parent);
    const related = rules.length === 0 ? {} : relatedObjects(this.world.cache, { rules, namespace });
    return { controller: COMPOSITE_CONTROLLER, parent, children, related, finalizing: false };
  }

  /**
   * passOf is what Metacontroller makes of a flight's answer before it writes: the observation, whether it decodes
   * (strict v2) and passes the generated selector, and the child writes of the pass it asks for.
   */
  private passOf(flight: Flight): Pass {
    const { key, parent, request, call } = flight;
    const observation: SyncObservation = {
      parentKey: key,
      calledAt: flight.calledAt,
      appliedAt: this.world.clock.now,
      hookNow: call.hookNow,
      request,
      answer: call.answer,
      deleted: [],
      created: [],
      alreadyExisted: [],
      updated: [],
      createFailed: [],
      statusWritten: false,
      staleParent: this.world.store.get(key)?.metadata?.resourceVersion !== parent.metadata.resourceVersion,
      retryAfterMs: null,
      refused: isSuccess(call.answer) ? decodingError(call.answer.body) : null,
      interruptedAt: null,
    };
    // Any answer but 200, or a body the strict v2 decoding refuses: nothing to write.
    if (!isSuccess(call.answer) || observation.refused !== null) return { observation, body: null, writes: null, deletions: 0 };
    const body = call.answer.body;
    // A desired child off the generated selector fails the whole sync: no child write, no status write.
    const desired = Array.isArray(body.children) ? body.children : [];
    observation.refused = selectorError(desired, parent.metadata.uid ?? '');
    if (observation.refused !== null) return { observation, body, writes: null, deletions: 0 };
    const plans = this.plansOf(parent, { observed: request.children, desired });
    return { observation, body, writes: this.childWrites(parent, { plans, observation }), deletions: undesiredCount(plans) };
  }

  /** apply carries out an answer as one pass of the worker, then calls `done` (later than now when writes are paced). */
  private apply(flight: Flight, done: () => void): void {
    const { key, parent } = flight;
    const pass = this.passOf(flight);
    const { observation, body, writes } = pass;
    const refuse = (): void => {
      observation.retryAfterMs = this.queue.addRateLimited(key);
      this.emit(observation);
      done();
    };
    // Any answer but 200, or a body the strict v2 decoding refuses: change nothing; retry with the per-item backoff.
    if (body === null) {
      refuse();
      return;
    }
    // Metacontroller arms the call-back as soon as the hook answers, before it checks or writes anything.
    const resync = body.resyncAfterSeconds;
    if (typeof resync === 'number' && resync > 0) this.queue.addAfter(key, resync * 1000);
    if (writes === null) {
      refuse();
      return;
    }
    const write = (): void => {
      observation.appliedAt = this.world.clock.now;
      observation.staleParent = this.world.store.get(key)?.metadata?.resourceVersion !== parent.metadata.resourceVersion;
      for (const childWrite of writes) childWrite();
      observation.statusWritten = this.writeStatus(key, { status: body.status, parent });
      // A refused create is the sync's error: the parent is retried with the per-item backoff, the status written all the same.
      if (observation.createFailed.length > 0) observation.retryAfterMs = this.queue.addRateLimited(key);
      else this.queue.forget(key);
      this.emit(observation);
      done();
    };
    // With a client rate limit the pass's creates wait behind its deletions. The simulator lands the whole pass, its
    // deletions included, when the first create would (reported as one sync at that instant; a run that ends before
    // then ends with the pass unwritten, as a Metacontroller stopped mid-pass would mostly leave it; a crash meanwhile
    // writes the deletions the rate limit had let out).
    const waitMs = this.writeWaitMs(pass.deletions);
    if (waitMs === 0) {
      write();
      return;
    }
    flight.paced = { pass, from: this.world.clock.now };
    flight.timer = this.world.clock.after(waitMs, write);
  }

  /**
   * interrupt cuts a sync in flight where the crash finds it (`crash.ts`): the answer is lost, a prefix of its pass's
   * child writes was made, its status is not written; it is reported at the crash with what was written.
   */
  private interrupt(flight: Flight): void {
    if (flight.timer !== null) flight.timer.cancelled = true;
    const now = this.world.clock.now;
    const pass = flight.paced?.pass ?? this.passOf(flight);
    const writes = pass.writes ?? [];
    const { clientQps, clientBurst } = this.options.config;
    const paced = flight.paced === null ? null : { elapsedMs: now - flight.paced.from, deletions: pass.deletions, qps: clientQps ?? 0, burst: clientBurst ?? DEFAULT_CLIENT_BURST };
    const made = this.options.restarts === undefined ? 0 : writesBeforeCrash(writes.length, { paced, random: this.options.restarts.random });
    for (const childWrite of writes.slice(0, made)) childWrite();
    Object.assign(pass.observation, { appliedAt: now, interruptedAt: now, statusWritten: false, retryAfterMs: null });
    this.emit(pass.observation);
  }

  /** writeWaitMs is how long the client's rate limit holds the pass's next write back after `writes` writes (0 without a limit). */
  private writeWaitMs(writes: number): number {
    const { clientQps, clientBurst } = this.options.config;
    if (clientQps === undefined || clientQps <= 0) return 0;
    return Math.max(0, writes + 1 - (clientBurst ?? DEFAULT_CLIENT_BURST)) * (1000 / clientQps);
  }

  /** plansOf pairs each declared type's observed children with its desired ones. */
  private plansOf(parent: BackupSchedule, children: { observed: SyncRequest['children']; desired: DesiredChild[] }): ChildPlan[] {
    const namespace = parent.metadata.namespace ?? '';
    return this.resources.map((resource) => ({ resource, ...this.planOf(resource, { namespace, observed: children.observed[resource.key] ?? {}, desired: children.desired }) }));
  }

  /**
   * childWrites lists a pass's child requests in Metacontroller's order, each recording its outcome in the observation
   * when it is made: the deletions of every type the answer leaves out first, then type by type (in key order) the
   * creates of desired children not observed and the updates by each type's strategy (an update that would change
   * nothing is no request).
   */
  private childWrites(parent: BackupSchedule, pass: { plans: readonly ChildPlan[]; observation: SyncObservation }): Array<() => void> {
    const { plans, observation } = pass;
    const writes: Array<() => void> = [];
    for (const { observed, desired } of plans) {
      for (const [id, child] of observed) {
        if (!isUndesired(child, { id, desired })) continue;
        writes.push(() => {
          const result = this.world.store.delete(keyOf(child), { uid: child.metadata?.uid ?? '' });
          if (result.ok) observation.deleted.push(child.metadata?.name ?? '');
        });
      }
    }
    for (const { resource, observed, desired } of plans) {
      for (const id of [...desired.keys()].sort()) {
        const child = desired.get(id) as DesiredChild;
        const seen = observed.get(id);
        if (seen === undefined) {
          writes.push(() => this.create(child, { parent, observation }));
          continue;
        }
        if (seen.metadata?.deletionTimestamp != null || resource.updateStrategy !== 'InPlace') continue;
        const updated = inPlaceUpdate(seen, { desired: child, parent });
        if (updated === null) continue;
        writes.push(() => {
          const result = this.world.store.update(updated, { resourceVersion: seen.metadata?.resourceVersion ?? '' });
          if (result.ok) observation.updated.push(child.metadata.name); // 404/409 are swallowed: the next sync tries again
        });
      }
    }
    return writes;
  }

  /** create creates a desired child (AlreadyExists ignored), unless the API server refuses it (fault `create-errors`). */
  private create(child: DesiredChild, context: { parent: BackupSchedule; observation: SyncObservation }): void {
    const { observation } = context;
    if (this.createRefused()) {
      observation.createFailed.push(child.metadata.name);
      return;
    }
    const result = this.world.store.create(objectToCreate(child, context.parent));
    if (result.ok) observation.created.push(child.metadata.name);
    else if (result.reason === 'AlreadyExists') observation.alreadyExisted.push(child.metadata.name);
  }

  /** createRefused draws whether the API server refuses a create now (fault `create-errors`). */
  private createRefused(): boolean {
    const errors = this.options.createErrors;
    if (errors === undefined) return false;
    const now = this.world.clock.now;
    const window = errors.windows.find((w) => w.from <= now && now < w.to);
    return window !== undefined && errors.random.chance(window.rate);
  }

  /** planOf pairs one type's observed children with its desired ones, by `namespace/name` (a desired child of an undeclared type is ignored). */
  private planOf(resource: ChildResource, children: { namespace: string; observed: Record<string, KubeObject>; desired: DesiredChild[] }): { observed: Map<string, KubeObject>; desired: Map<string, DesiredChild> } {
    const { namespace } = children;
    const desired = new Map<string, DesiredChild>();
    for (const child of children.desired) {
      if (child.kind !== resource.kind || child.apiVersion !== resource.apiVersion) continue;
      desired.set(`${child.metadata.namespace ?? namespace}/${child.metadata.name}`, child); // duplicates: the last one wins
    }
    const observed = new Map<string, KubeObject>();
    for (const child of Object.values(children.observed)) observed.set(`${child.metadata?.namespace ?? namespace}/${child.metadata?.name ?? ''}`, child);
    return { observed, desired };
  }

  /**
   * writeStatus replaces the parent's status by a live GET + PUT, unless it is already equal; a parent deleted and made
   * again under the same name (another uid) is not written (`AtomicStatusUpdate`: NotFound, swallowed).
   */
  private writeStatus(key: string, answer: { status: unknown; parent: BackupSchedule }): boolean {
    const live = this.world.store.get(key);
    if (live === undefined || live.metadata?.uid !== answer.parent.metadata.uid) return false;
    const status: JsonObject = typeof answer.status === 'object' && answer.status !== null ? { ...(answer.status as JsonObject) } : {};
    status['observedGeneration'] = answer.parent.metadata.generation ?? 0;
    if (isDeepStrictEqual(live.status ?? {}, status)) return false;
    return this.world.store.updateStatus(key, status, { resourceVersion: live.metadata?.resourceVersion ?? '' }).ok;
  }

  private emit(observation: SyncObservation): void {
    for (const listener of this.listeners) listener(observation);
  }
}
