/** The simulated world: clock, store, lagging cache, executor, and the controller under test, wired from a scenario. */

import { GROUP_LABEL, customize } from '../core/group.js';
import { isLogBackup } from '../core/backup-state.js';
import { BACKUP_NOW_ANNOTATION, KEEP_ANNOTATION, SCHEDULE_LABEL, logBackupName } from '../core/names.js';
import { compareNames } from '../core/observe.js';
import type { BackupSchedule, JsonObject, KubeObject } from '../core/types.js';
import { InformerCache } from './cache.js';
import { VirtualClock } from './clock.js';
import { BackupExecutor } from './executor.js';
import type { ExecutorConfig } from './executor.js';
import { decideHook } from './hook.js';
import type { Hook } from './hook.js';
import { startHttpHook } from './http-hook.js';
import type { HttpHook } from './http-hook.js';
import { createLagModel } from './lag.js';
import type { LagModel } from './lag.js';
import { Metacontroller } from './metacontroller.js';
import type { CreateErrorWindow, SyncObservation } from './metacontroller.js';
import { createRandom } from './random.js';
import { Recorder, USER_DELETION } from './recorder.js';
import { longestDelayMs, specBrokenStartMs, stuckWindowsOf } from './scenario.js';
import type { Scenario, ScheduleSetup, SpecBroken } from './scenario.js';
import { ObjectStore, keyOf, objectKey } from './store.js';
import type { StoreEvent } from './store.js';
import { createTransport } from './transport.js';
import type { Transport, TransportConfig, Window } from './transport.js';
import { OperatorLoop } from './upstream/operator-loop.js';
import type { Reconcile } from './upstream/operator-loop.js';
import { reconcileRelease1x } from './upstream/release-1x.js';
import { reconcileSeedEra } from './upstream/seed-era.js';

/** A running (or finished) world. */
export interface World {
  scenario: Scenario;
  /** Epoch ms of the start and the end. */
  start: number;
  end: number;
  clock: VirtualClock;
  store: ObjectStore;
  cache: InformerCache;
  executor: BackupExecutor;
  recorder: Recorder;
  /** The store key of the schedule. */
  parentKey: string;
  /** Every schedule of the world: the scenario's schedule first, then its siblings, each with its own recorder. */
  schedules: ScheduleHandle[];
  /** The controller's clock at a world instant (clock jumps included). */
  nowOf(worldNow: number): number;
  /** Syncs Metacontroller made (0 for the upstream ports). */
  syncs: number;
}

/** One BackupSchedule of the world. */
export interface ScheduleHandle {
  setup: ScheduleSetup;
  /** Its store key (and Metacontroller's work-queue key). */
  parentKey: string;
  recorder: Recorder;
}

/** Something that watches a run. */
export interface WorldObserver {
  onStoreEvent?(event: StoreEvent, world: World): void;
  onSync?(sync: SyncObservation, world: World): void;
  onFinish?(world: World): void;
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  observers?: WorldObserver[];
  /** A hook to use instead of the scenario's (e.g. a deliberately broken one, to test the checks). */
  hook?: Hook;
  /** Instants (epoch ms) at which `onSample` is called. */
  sampleAt?: number[];
  onSample?(world: World): void;
  /**
   * What Metacontroller's first LIST after a restart shows: `trailing` (the default) a view drawn from the scenario's
   * lag ranges, as client-go's LIST served from the API server's watch cache may trail the store (`cache.ts`
   * `FirstListLag`); `store` the store exactly (what the simulator did before, for comparison).
   */
  firstList?: 'trailing' | 'store';
}

/** runScenario builds the world, runs it to the end, and returns it. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<World> {
  const start = Date.parse(scenario.start);
  if (!Number.isFinite(start)) throw new Error(`scenario.start "${scenario.start}" is not an RFC 3339 instant; write it like 2024-05-01T00:00:00Z`);
  const random = createRandom(scenario.seed);
  const clock = new VirtualClock(start);
  const store = new ObjectStore(clock);
  // The first LIST after a Metacontroller restart trails the store within the same lag ranges, from its own stream.
  // A stuck watch cache (fault `cache-stuck`) holds changes back by up to its longest run of windows on top of the lag.
  const stuck = stuckWindowsOf(scenario, start);
  const firstList = options.firstList === 'store' ? {} : { firstList: { lag: createLagModel(scenario.lag, random.fork('first-list')), windowMs: longestDelayMs(scenario) } };
  // A user's write to one Backup by name draws its lag from a stream of its own, so other changes draw as without it.
  const lagOf = createLagModel(scenario.lag, random.fork('lag'));
  const ownLag: OwnLag = { current: null, of: (id) => createLagModel(scenario.lag, random.fork(`user-write:${id}`)) };
  const lag = (event: StoreEvent): number => (ownLag.current ?? lagOf)(event);
  const cache = new InformerCache({ clock, store }, lag, { ...firstList, ...(stuck.length === 0 ? {} : { stuck }) });
  const schedules = [scenario.schedule, ...(scenario.siblings ?? []).map((sibling) => ({ ...sibling, namespace: scenario.schedule.namespace }))].map(scheduleHandle);
  const [primary] = schedules as [ScheduleHandle, ...ScheduleHandle[]];
  const recorder = primary.recorder;
  const transportConfig = transportOf(scenario, start);
  const nowOf = (worldNow: number): number => worldNow + transportConfig.clockJumps.filter((j) => j.at <= worldNow).reduce((sum, j) => sum + j.byMs, 0);
  const world: World = {
    scenario,
    start,
    end: start + scenario.durationMs,
    clock,
    store,
    cache,
    executor: new BackupExecutor({ clock, store, random: random.fork('executor') }, executorOf(scenario, start)),
    recorder,
    parentKey: primary.parentKey,
    schedules,
    nowOf,
    syncs: 0,
  };
  const observers = options.observers ?? [];
  store.subscribe((event) => {
    for (const schedule of schedules) schedule.recorder.receive(event);
    for (const observer of observers) observer.onStoreEvent?.(event, world);
  });

  let http: HttpHook | null = null;
  try {
    if (scenario.controller === 'hook' || scenario.controller === 'hook-http') {
      let hook = options.hook;
      if (hook === undefined && scenario.controller === 'hook-http') {
        http = await startHttpHook(scenario.hook);
        hook = http.hook;
      }
      const transport: Transport = createTransport(hook ?? decideHook(scenario.hook), { config: transportConfig, random: random.fork('transport') });
      // The manifests declare the customize hook; it answers from the parent alone, so it is called in-process.
      const createErrors = { windows: createErrorsOf(scenario, start), random: random.fork('create-errors') };
      const restarts = { windows: restartsOf(scenario, start), random: random.fork('metacontroller-restart') };
      const metacontroller = new Metacontroller({ clock, store, cache }, { transport, config: scenario.metacontroller, customize, createErrors, restarts });
      metacontroller.onSync((sync) => {
        world.syncs += 1;
        const answer = sync.answer;
        const syncRecorder = schedules.find((schedule) => schedule.parentKey === sync.parentKey)?.recorder;
        if ('report' in answer && answer.report !== undefined && syncRecorder !== undefined) {
          for (const deletion of answer.report.deletions) syncRecorder.noteDeletionReason(deletion.name, deletion.reason);
        }
        for (const observer of observers) observer.onSync?.(sync, world);
      });
    } else {
      const reconcile: Reconcile = scenario.controller === 'upstream-seed-era' ? reconcileSeedEra : reconcileRelease1x;
      new OperatorLoop({ clock, store, cache, nowOf }, { reconcile, onDelete: (name, reason) => recorder.noteDeletionReason(name, reason) });
    }
    for (const schedule of schedules) createSchedule(world, schedule.setup);
    scheduleSpecFaults(world, ownLag);
    for (const at of options.sampleAt ?? []) clock.at(at, () => options.onSample?.(world));
    await clock.runUntil(world.end);
    for (const observer of observers) observer.onFinish?.(world);
    return world;
  } finally {
    await http?.close();
  }
}

function scheduleHandle(setup: ScheduleSetup): ScheduleHandle {
  return { setup, parentKey: objectKey('BackupSchedule', setup.namespace, setup.name), recorder: new Recorder({ name: setup.name, namespace: setup.namespace }) };
}

function createSchedule(world: World, schedule: ScheduleSetup): void {
  const parent: BackupSchedule = {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'BackupSchedule',
    metadata: {
      name: schedule.name,
      namespace: schedule.namespace,
      uid: `uid-${schedule.name}`,
      ...(schedule.labels === undefined ? {} : { labels: schedule.labels }),
      ...(schedule.annotations === undefined ? {} : { annotations: schedule.annotations }),
    },
    spec: structuredClone(schedule.spec),
  };
  if (schedule.status !== undefined) parent.status = structuredClone(schedule.status);
  const created = world.store.create(parent);
  if (!created.ok) throw new Error(`could not create the schedule: ${created.reason}`);
}

/**
 * Schedule edits and pauses are writes to the parent's spec, as `kubectl apply` makes them; backup-now is an
 * annotation (`kubectl annotate`), a group a label (`kubectl label`); deleting the log Backup or snapshot Backups is `kubectl delete`; pinning
 * and unpinning a snapshot Backup is `kubectl annotate` of the Backup; a wiped status is a write to the status subresource; a
 * broken spec and its fix are two more spec writes.
 */
function scheduleSpecFaults(world: World, ownLag: OwnLag): void {
  // A JSON merge patch, as `kubectl apply` sends: null removes a field.
  const patch = (spec: JsonObject) => (): void => {
    const current = world.store.get(world.parentKey);
    if (current === undefined) return;
    const next: JsonObject = { ...(current.spec ?? {}) };
    for (const [key, value] of Object.entries(spec)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    world.store.update({ ...current, spec: next });
  };
  for (const fault of world.scenario.faults) {
    if (fault.kind === 'edit') world.clock.at(world.start + fault.atMs, patch(fault.spec));
    if (fault.kind === 'pause') {
      world.clock.at(world.start + fault.atMs, patch({ pause: true }));
      world.clock.at(world.start + fault.atMs + fault.forMs, patch({ pause: false }));
    }
    if (fault.kind === 'backup-now') world.clock.at(world.start + fault.atMs, annotate({ [BACKUP_NOW_ANNOTATION]: fault.token }));
    if (fault.kind === 'log-deleted') {
      const { namespace, name } = world.scenario.schedule;
      world.clock.at(world.start + fault.atMs, () => void world.store.delete(objectKey('Backup', namespace, logBackupName(name))));
    }
    if (fault.kind === 'backups-deleted') {
      const { name, which, atMs } = fault;
      world.clock.at(world.start + atMs, () => (name === undefined ? deleteSnapshots(world, which) : withOwnLag(ownLag, `delete:${name}:${atMs}`, () => deleteNamed(world, name))));
    }
    if (fault.kind === 'backup-pinned' || fault.kind === 'backup-unpinned') {
      const pin = fault.kind === 'backup-pinned';
      const { name, which, atMs } = fault;
      world.clock.at(world.start + atMs, () => (name === undefined ? pinSnapshots(world, { pin, which }) : withOwnLag(ownLag, `${fault.kind}:${name}:${atMs}`, () => pinNamed(world, { pin, name }))));
    }
    if (fault.kind === 'status-wiped') world.clock.at(world.start + fault.atMs, () => void world.store.updateStatus(world.parentKey, {}));
    if (fault.kind === 'relabel') world.clock.at(world.start + fault.atMs, () => relabel(fault.group));
    if (fault.kind === 'spec-broken') breakSpec(fault);
  }
  /**
   * A broken spec: the fix puts back what the break replaced (null for a field it added), and unpauses a pause that came
   * with it, at once or `unpauseAfterMs` later.
   */
  function breakSpec(fault: SpecBroken): void {
    let restore: JsonObject = {};
    if (typeof fault.pause === 'object') world.clock.at(world.start + specBrokenStartMs(fault), patch({ pause: true }));
    world.clock.at(world.start + fault.atMs, () => {
      const spec = world.store.get(world.parentKey)?.spec ?? {};
      restore = Object.fromEntries(Object.keys(fault.patch).map((key) => [key, spec[key] ?? null]));
      patch({ ...fault.patch, ...(fault.pause === 'with-break' ? { pause: true } : {}) })();
    });
    const fixedAt = world.start + fault.atMs + fault.forMs;
    const later = fault.pause !== undefined && fault.unpauseAfterMs !== undefined;
    world.clock.at(fixedAt, () => patch({ ...restore, ...(fault.pause === undefined || later ? {} : { pause: false }) })());
    if (later) world.clock.at(fixedAt + (fault.unpauseAfterMs ?? 0), patch({ pause: false }));
  }
  function relabel(group: string | null): void {
    const current = world.store.get(world.parentKey);
    if (current === undefined) return;
    const labels = { ...(current.metadata?.labels ?? {}) };
    if (group === null) delete labels[GROUP_LABEL];
    else labels[GROUP_LABEL] = group;
    world.store.update({ ...current, metadata: { ...current.metadata, labels } });
  }
  function annotate(annotations: Record<string, string>) {
    return (): void => {
      const current = world.store.get(world.parentKey);
      if (current === undefined) return;
      world.store.update({ ...current, metadata: { ...current.metadata, annotations: { ...(current.metadata?.annotations ?? {}), ...annotations } } });
    };
  }
}

/** liveSnapshots lists the schedule's snapshot Backups in the store not being deleted, by creation (then name). */
function liveSnapshots(world: World): KubeObject[] {
  const { namespace, name } = world.scenario.schedule;
  return world.store
    .list('Backup', namespace)
    .filter((b) => b.metadata?.labels?.[SCHEDULE_LABEL] === name && !isLogBackup(b) && b.metadata.deletionTimestamp == null)
    .sort((a, b) => compareNames(a.metadata?.creationTimestamp ?? '', b.metadata?.creationTimestamp ?? '') || compareNames(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

/** chosen picks the newest, the oldest or all of Backups listed by creation. */
function chosen(backups: KubeObject[], which: 'newest' | 'oldest' | 'all'): KubeObject[] {
  return which === 'all' ? backups : which === 'oldest' ? backups.slice(0, 1) : backups.slice(-1);
}

/** deleteSnapshots deletes the schedule's snapshot Backups not yet being deleted, by creation: the newest, the oldest, or all. */
function deleteSnapshots(world: World, which: 'newest' | 'oldest' | 'all'): void {
  for (const backup of chosen(liveSnapshots(world), which)) {
    world.recorder.noteDeletionReason(backup.metadata?.name ?? '', USER_DELETION);
    world.store.delete(keyOf(backup));
  }
}

/**
 * pinSnapshots pins (annotation `backup-schedule-hook/keep: "true"`) the newest or the oldest of the schedule's live
 * snapshot Backups not pinned, or unpins (removes the annotation) the newest, the oldest or all of the pinned ones: a
 * write to the Backup's metadata, as `kubectl annotate` makes it, that reaches the cache after its lag like any change.
 */
function pinSnapshots(world: World, change: { pin: boolean; which: 'newest' | 'oldest' | 'all' }): void {
  const pinned = (b: KubeObject): boolean => b.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
  const candidates = liveSnapshots(world).filter((b) => pinned(b) !== change.pin);
  for (const backup of chosen(candidates, change.which)) {
    const annotations = { ...(backup.metadata?.annotations ?? {}) };
    if (change.pin) annotations[KEEP_ANNOTATION] = 'true';
    else delete annotations[KEEP_ANNOTATION];
    world.store.update({ ...backup, metadata: { ...backup.metadata, annotations } });
  }
}

/** Where a user's write to one named Backup draws its lag: `current` while it is written, from the stream `of` its id. */
interface OwnLag {
  current: LagModel | null;
  of(id: string): LagModel;
}

/** withOwnLag makes a user's write to a named Backup with its lag drawn from that write's own stream. */
function withOwnLag(ownLag: OwnLag, id: string, write: () => void): void {
  ownLag.current = ownLag.of(id);
  try {
    write();
  } finally {
    ownLag.current = null;
  }
}

/** pinNamed pins or unpins one Backup of the schedule by name, if the store has it (being deleted or not), as `kubectl annotate backup <name>` does. */
function pinNamed(world: World, change: { pin: boolean; name: string }): void {
  const backup = world.store.get(objectKey('Backup', world.scenario.schedule.namespace, change.name));
  if (backup === undefined || (backup.metadata?.annotations?.[KEEP_ANNOTATION] === 'true') === change.pin) return;
  const annotations = { ...(backup.metadata?.annotations ?? {}) };
  if (change.pin) annotations[KEEP_ANNOTATION] = 'true';
  else delete annotations[KEEP_ANNOTATION];
  world.store.update({ ...backup, metadata: { ...backup.metadata, annotations } });
}

/**
 * deleteNamed deletes one Backup of the namespace by name, pinned or not, if the store has it and it is not being
 * deleted (`kubectl delete backup <name>`); the reason goes to the recorder of the schedule it belongs to (a sibling's
 * Backup to the sibling's).
 */
function deleteNamed(world: World, name: string): void {
  const key = objectKey('Backup', world.scenario.schedule.namespace, name);
  const backup = world.store.get(key);
  if (backup === undefined || backup.metadata?.deletionTimestamp != null) return;
  const owner = world.schedules.find((schedule) => schedule.setup.name === backup.metadata?.labels?.[SCHEDULE_LABEL]);
  (owner?.recorder ?? world.recorder).noteDeletionReason(name, USER_DELETION);
  world.store.delete(key);
}

function transportOf(scenario: Scenario, start: number): TransportConfig {
  const config: TransportConfig = { latencyMs: scenario.transport.latencyMs, timeoutMs: scenario.transport.timeoutMs, restarts: [], errors: [], timeouts: [], clockJumps: [] };
  for (const fault of scenario.faults) {
    const from = start + fault.atMs;
    if (fault.kind === 'hook-restart') config.restarts.push({ from, to: from + fault.forMs });
    if (fault.kind === 'hook-errors') config.errors.push({ from, to: from + fault.forMs, rate: fault.rate });
    if (fault.kind === 'hook-timeouts') config.timeouts.push({ from, to: from + fault.forMs, rate: fault.rate });
    if (fault.kind === 'clock-jump') config.clockJumps.push({ at: from, byMs: fault.byMs });
  }
  return config;
}

function createErrorsOf(scenario: Scenario, start: number): CreateErrorWindow[] {
  return scenario.faults.flatMap((fault) => (fault.kind === 'create-errors' ? [{ from: start + fault.atMs, to: start + fault.atMs + fault.forMs, rate: fault.rate }] : []));
}

/** restartsOf returns the windows in which Metacontroller is down (fault `metacontroller-restart`). */
function restartsOf(scenario: Scenario, start: number): Window[] {
  return scenario.faults.flatMap((fault) => (fault.kind === 'metacontroller-restart' ? [{ from: start + fault.atMs, to: start + fault.atMs + fault.forMs }] : []));
}

function executorOf(scenario: Scenario, start: number): ExecutorConfig {
  const config: ExecutorConfig = { ...scenario.executor, podOutages: [], slowWindows: [], logStalls: [] };
  for (const fault of scenario.faults) {
    const from = start + fault.atMs;
    if (fault.kind === 'log-stall') config.logStalls?.push({ from, to: from + fault.forMs });
    if (fault.kind === 'pods-stuck') {
      config.podOutages.push({ from, to: fault.forMs === null ? null : from + fault.forMs, backupPods: fault.backupPods, cleanPods: fault.cleanPods });
    }
    if (fault.kind === 'slow-backups') config.slowWindows.push({ from, to: from + fault.forMs, runMs: fault.runMs });
  }
  return config;
}
