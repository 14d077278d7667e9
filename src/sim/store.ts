/**
 * The API server's object store: BackupSchedules and Backups with uid, resourceVersion, generation,
 * creationTimestamp, deletionTimestamp and finalizers. Every stored version is a frozen copy, so a
 * reader (the cache, the hook) can never change what is stored.
 */

import { formatTime } from '../core/time.js';
import type { JsonObject, KubeObject } from '../core/types.js';
import type { VirtualClock } from './clock.js';

/** What happened to an object. */
export type StoreEventType = 'added' | 'modified' | 'deleted';

/** A change, as a watch delivers it: the object's new version (the last one for `deleted`). */
export interface StoreEvent {
  type: StoreEventType;
  key: string;
  object: KubeObject;
  /** The version the change replaced (undefined for `added`; the last one for `deleted`). */
  previous: KubeObject | undefined;
  /** When the store made the change. */
  at: number;
}

/** The outcome of a write. */
export type WriteResult = { ok: true; object: KubeObject } | { ok: false; reason: 'AlreadyExists' | 'NotFound' | 'Conflict' };

/** Preconditions of a write, as the API server checks them. */
export interface Preconditions {
  /** The write fails with Conflict unless the stored object has this resourceVersion. */
  resourceVersion?: string;
  /** The write fails with Conflict unless the stored object has this uid. */
  uid?: string;
}

/** objectKey names an object in the store: `Kind/namespace/name`. */
export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** keyOf names a stored object by its own kind and metadata. */
export function keyOf(object: KubeObject): string {
  return objectKey(object.kind ?? '', object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

/** ObjectStore keeps the current version of every object and tells subscribers of every change. */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];
  private revision = 1000;
  private uids = 0;

  constructor(private readonly clock: VirtualClock) {}

  /** subscribe calls the listener synchronously after every change. */
  subscribe(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  /** get returns the current version, or undefined. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** list returns the current versions of one kind in one namespace, sorted by name. */
  list(kind: string, namespace: string): KubeObject[] {
    return this.withKeyPrefix(`${kind}/${namespace}/`);
  }

  /** all returns the current version of every object, sorted by key (what a fresh LIST of every watched type returns). */
  all(): KubeObject[] {
    return this.withKeyPrefix('');
  }

  private withKeyPrefix(prefix: string): KubeObject[] {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => object);
  }

  /** create stores a new object; server fields (uid, resourceVersion, generation, creationTimestamp) are set here. */
  create(object: KubeObject): WriteResult {
    const key = keyOf(object);
    if (this.objects.has(key)) return { ok: false, reason: 'AlreadyExists' };
    const copy = structuredClone(object);
    const metadata = { ...(copy.metadata ?? {}) };
    delete metadata.deletionTimestamp;
    metadata.uid ??= `uid-${(this.uids += 1)}`;
    metadata.generation = 1;
    metadata.creationTimestamp = formatTime(this.clock.now);
    copy.metadata = metadata;
    return this.commit('added', key, copy);
  }

  /** update replaces labels, annotations, finalizers and spec (not status); a spec change bumps generation. */
  update(object: KubeObject, preconditions: Preconditions = {}): WriteResult {
    const key = keyOf(object);
    const current = this.check(key, preconditions);
    if (!current.ok) return current;
    const next = structuredClone(current.object) as KubeObject & { metadata: JsonObject };
    const incoming = structuredClone(object) as KubeObject & { metadata?: JsonObject };
    for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
      if (incoming.metadata?.[field] === undefined) delete next.metadata[field];
      else next.metadata[field] = incoming.metadata[field];
    }
    if (JSON.stringify(incoming.spec) !== JSON.stringify(next.spec)) {
      next.metadata['generation'] = Number(next.metadata['generation'] ?? 1) + 1;
      if (incoming.spec === undefined) delete next.spec;
      else next.spec = incoming.spec;
    }
    return this.commit('modified', key, next);
  }

  /** updateStatus replaces the status (the status subresource); it never changes generation. */
  updateStatus(key: string, status: JsonObject, preconditions: Preconditions = {}): WriteResult {
    const current = this.check(key, preconditions);
    if (!current.ok) return current;
    const next = structuredClone(current.object);
    next.status = structuredClone(status);
    return this.commit('modified', key, next);
  }

  /** delete removes an object, or only marks it (deletionTimestamp) while finalizers remain. */
  delete(key: string, preconditions: Preconditions = {}): WriteResult {
    const current = this.check(key, preconditions);
    if (!current.ok) return current;
    const { object } = current;
    if ((object.metadata?.finalizers ?? []).length === 0) return this.remove(key, object);
    if (object.metadata?.deletionTimestamp != null) return { ok: true, object };
    const next = structuredClone(object);
    next.metadata = { ...(next.metadata ?? {}), deletionTimestamp: formatTime(this.clock.now) };
    return this.commit('modified', key, next);
  }

  /** removeFinalizer drops a finalizer; an object being deleted goes once none is left. */
  removeFinalizer(key: string, finalizer: string): WriteResult {
    const current = this.check(key, {});
    if (!current.ok) return current;
    const next = structuredClone(current.object);
    const finalizers = (next.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    next.metadata = { ...(next.metadata ?? {}), finalizers };
    if (finalizers.length === 0) delete next.metadata.finalizers;
    if (next.metadata.deletionTimestamp != null && finalizers.length === 0) return this.remove(key, next);
    return this.commit('modified', key, next);
  }

  /** addFinalizer adds a finalizer to an object that is not being deleted. */
  addFinalizer(key: string, finalizer: string): WriteResult {
    const current = this.check(key, {});
    if (!current.ok) return current;
    const finalizers = current.object.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer) || current.object.metadata?.deletionTimestamp != null) return current;
    const next = structuredClone(current.object);
    next.metadata = { ...(next.metadata ?? {}), finalizers: [...finalizers, finalizer] };
    return this.commit('modified', key, next);
  }

  private check(key: string, preconditions: Preconditions): { ok: true; object: KubeObject } | { ok: false; reason: 'NotFound' | 'Conflict' } {
    const object = this.objects.get(key);
    if (object === undefined) return { ok: false, reason: 'NotFound' };
    if (preconditions.uid !== undefined && object.metadata?.uid !== preconditions.uid) return { ok: false, reason: 'Conflict' };
    if (preconditions.resourceVersion !== undefined && object.metadata?.resourceVersion !== preconditions.resourceVersion) {
      return { ok: false, reason: 'Conflict' };
    }
    return { ok: true, object };
  }

  private remove(key: string, last: KubeObject): WriteResult {
    const previous = this.objects.get(key);
    this.objects.delete(key);
    const object = deepFreeze(structuredClone(last));
    this.emit({ type: 'deleted', key, object, previous, at: this.clock.now });
    return { ok: true, object };
  }

  private commit(type: StoreEventType, key: string, object: KubeObject): WriteResult {
    this.revision += 1;
    object.metadata = { ...(object.metadata ?? {}), resourceVersion: String(this.revision) };
    const frozen = deepFreeze(object);
    const previous = this.objects.get(key);
    this.objects.set(key, frozen);
    this.emit({ type, key, object: frozen, previous, at: this.clock.now });
    return { ok: true, object: frozen };
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** deepFreeze freezes an object graph, so that a reader that tries to change a stored version throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
