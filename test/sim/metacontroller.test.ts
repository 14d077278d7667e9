import assert from 'node:assert/strict';

import { LAST_APPLIED_ANNOTATION } from '../../src/core/names.js';
import type { DesiredChild, KubeObject, SyncRequest, SyncResponse } from '../../src/core/types.js';
import { objectToCreate } from '../../src/sim/apply.js';
import { InformerCache } from '../../src/sim/cache.js';
import { VirtualClock } from '../../src/sim/clock.js';
import type { HookAnswer } from '../../src/sim/hook.js';
import type { LagModel, MsRange } from '../../src/sim/lag.js';
import { Metacontroller } from '../../src/sim/metacontroller.js';
import type { MetacontrollerConfig, Restarts, SyncObservation } from '../../src/sim/metacontroller.js';
import { createRandom } from '../../src/sim/random.js';
import type { Random } from '../../src/sim/random.js';
import type { CustomizeHook } from '../../src/sim/related.js';
import { ObjectStore, objectKey } from '../../src/sim/store.js';
import { PERFECT_TRANSPORT, createTransport } from '../../src/sim/transport.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const PARENT_KEY = objectKey('BackupSchedule', 'db', 's');
const PARENT = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db', uid: 'uid-s' }, spec: { schedule: '@daily' } };

function desired(name: string, extra: Partial<DesiredChild> = {}): DesiredChild {
  return { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name, namespace: 'db', labels: { app: 'x' } }, spec: { backupType: 'full' }, ...extra };
}

/** A world with one parent and a scripted hook; `answer` sees every request and the call's instant. */
function harness(options: { answer: (request: SyncRequest, now: number) => HookAnswer; lag?: LagModel; config?: Partial<MetacontrollerConfig>; children?: KubeObject[]; latencyMs?: MsRange; customize?: CustomizeHook; restarts?: Restarts }) {
  const clock = new VirtualClock(T0);
  const store = new ObjectStore(clock);
  const cache = new InformerCache({ clock, store }, options.lag ?? (() => 0));
  const calls: Array<{ at: number; request: SyncRequest }> = [];
  const transport = createTransport(
    (request, now) => {
      calls.push({ at: now, request });
      return options.answer(request, now);
    },
    { config: { ...PERFECT_TRANSPORT, latencyMs: options.latencyMs ?? PERFECT_TRANSPORT.latencyMs }, random: createRandom(1) },
  );
  const metacontroller = new Metacontroller(
    { clock, store, cache },
    { transport, config: { resyncPeriodSeconds: 3600, updateStrategy: 'InPlace', ...options.config }, ...(options.customize ? { customize: options.customize } : {}), ...(options.restarts ? { restarts: options.restarts } : {}) },
  );
  const syncs: SyncObservation[] = [];
  metacontroller.onSync((s) => syncs.push(s));
  const parent = store.create(PARENT);
  assert.ok(parent.ok);
  for (const child of options.children ?? []) assert.ok(store.create(child).ok);
  return { clock, store, cache, calls, syncs };
}

/** An existing child as Metacontroller created it. */
function existing(name: string, extra: { finalizers?: string[]; spec?: Record<string, unknown> } = {}): KubeObject {
  const object = objectToCreate(desired(name, extra.spec ? { spec: extra.spec } : {}), PARENT);
  if (extra.finalizers) object.metadata = { ...object.metadata, finalizers: extra.finalizers };
  return object;
}

const ok = (body: Partial<SyncResponse>): HookAnswer => ({ status: 200, body: { status: {}, children: [], ...body } });

describe('sim Metacontroller: applying an answer', () => {
  it('deletes observed children the answer leaves out, but not one already being deleted', async () => {
    const h = harness({ answer: () => ok({ children: [] }), children: [existing('a'), existing('b', { finalizers: ['keep'] })] });
    h.store.delete(objectKey('Backup', 'db', 'b'));
    await h.clock.runUntil(T0 + 1000);
    const deleted = h.syncs.flatMap((s) => s.deleted);
    assert.deepEqual([...new Set(deleted)], ['a']);
    assert.equal(h.store.get(objectKey('Backup', 'db', 'a')), undefined);
    assert.ok(h.store.get(objectKey('Backup', 'db', 'b'))?.metadata?.deletionTimestamp);
  });

  it('with a client rate limit, creates and writes the status only after the deletions of the same pass (5 qps, burst 10)', async () => {
    const olds = Array.from({ length: 30 }, (_, i) => existing(`old-${String(i).padStart(2, '0')}`));
    const h = harness({ answer: () => ok({ children: [desired('new')], status: { lastBackup: 'new' } }), children: olds, config: { clientQps: 5, clientBurst: 10 } });
    await h.clock.runUntil(T0 + 60_000);
    const created = Date.parse(h.store.get(objectKey('Backup', 'db', 'new'))?.metadata?.creationTimestamp ?? '');
    const first = h.syncs[0]!;
    assert.equal(first.deleted.length, 30);
    // 30 deletions: the first 10 use the burst, the other 20 take 4 s at 5 a second; the create is the 31st write.
    assert.ok(created - first.calledAt >= 4_000 && created - first.calledAt < 5_000, `created ${created - first.calledAt} ms after the answer`);
    assert.ok(first.appliedAt - first.calledAt >= 4_000, 'the pass is reported when it is written');
    assert.equal(h.store.get(PARENT_KEY)?.status?.['lastBackup'], 'new');
  });

  it('with a client rate limit, arms the call-back when the hook answers, not when the pass is written', async () => {
    const olds = Array.from({ length: 30 }, (_, i) => existing(`old-${String(i).padStart(2, '0')}`));
    // The pass's deletions and status write reach the cache a minute later, so only the call-back brings the second call.
    const lag: LagModel = (e) => (e.type === 'added' ? 0 : 60_000);
    const h = harness({ answer: () => ok({ children: [], resyncAfterSeconds: 2 }), children: olds, lag, config: { clientQps: 5, clientBurst: 10 } });
    await h.clock.runUntil(T0 + 10_000);
    // The pass of the first call takes 4.2 s; the call-back it asked for (2 s) is due before it ends and runs right after
    // (armed after the pass, it would come at 6.2 s).
    const second = h.calls[1];
    assert.ok(second !== undefined && second.at - T0 < 5_000, `second call at +${second === undefined ? 'never' : second.at - T0} ms`);
  });

  it('without a client rate limit, lands every write of a pass at once', async () => {
    const olds = Array.from({ length: 30 }, (_, i) => existing(`old-${String(i).padStart(2, '0')}`));
    const h = harness({ answer: () => ok({ children: [desired('new')] }), children: olds });
    await h.clock.runUntil(T0 + 60_000);
    const created = Date.parse(h.store.get(objectKey('Backup', 'db', 'new'))?.metadata?.creationTimestamp ?? '');
    assert.ok(created - h.syncs[0]!.appliedAt < 1000);
  });

  it('creates a desired child that is not observed, with the selector label, owner reference and last-applied annotation', async () => {
    const h = harness({ answer: () => ok({ children: [desired('c')] }) });
    await h.clock.runUntil(T0 + 1000);
    const c = h.store.get(objectKey('Backup', 'db', 'c'));
    assert.equal(c?.metadata?.labels?.['controller-uid'], 'uid-s');
    assert.deepEqual(c?.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['BackupSchedule', 's', 'uid-s', true]]);
    assert.deepEqual(JSON.parse(c?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] ?? '{}').spec, { backupType: 'full' });
  });

  it('ignores AlreadyExists for a child that exists but is not in the cache yet, and still writes the status', async () => {
    const lag: LagModel = (e) => (e.object.kind === 'Backup' && e.type === 'added' ? 60_000 : 0);
    const h = harness({ answer: () => ok({ children: [desired('c')], status: { lastBackup: 'c' } }), lag, children: [existing('c')] });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(h.syncs[0]?.alreadyExisted, ['c']);
    assert.deepEqual(h.syncs[0]?.created, []);
    assert.equal(h.store.get(PARENT_KEY)?.status?.['lastBackup'], 'c');
  });

  it('updates a child in place with the desired labels, annotations and spec, and removes what it no longer desires', async () => {
    const next = desired('a', { metadata: { name: 'a', namespace: 'db', labels: { app: 'y' }, annotations: { note: 'n' } }, spec: { backupType: 'db' } });
    const h = harness({ answer: () => ok({ children: [next] }), children: [existing('a', { spec: { backupType: 'full', extra: 1 } })] });
    await h.clock.runUntil(T0 + 1000);
    const a = h.store.get(objectKey('Backup', 'db', 'a'));
    assert.deepEqual(a?.metadata?.labels, { app: 'y', 'controller-uid': 'uid-s' });
    assert.equal(a?.metadata?.annotations?.['note'], 'n');
    assert.deepEqual(a?.spec, { backupType: 'db' });
    assert.deepEqual(h.syncs[0]?.updated, ['a']);
  });

  it('writes nothing when the desired child equals its last-applied configuration', async () => {
    const h = harness({ answer: () => ok({ children: [desired('a')] }), children: [existing('a')] });
    const before = h.store.get(objectKey('Backup', 'db', 'a'))?.metadata?.resourceVersion;
    await h.clock.runUntil(T0 + 1000);
    assert.equal(h.store.get(objectKey('Backup', 'db', 'a'))?.metadata?.resourceVersion, before);
    assert.deepEqual(h.syncs.flatMap((s) => s.updated), []);
  });

  it('leaves a differing child alone with the OnDelete strategy', async () => {
    const h = harness({ answer: () => ok({ children: [desired('a', { spec: { backupType: 'db' } })] }), children: [existing('a')], config: { updateStrategy: 'OnDelete' } });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(h.store.get(objectKey('Backup', 'db', 'a'))?.spec, { backupType: 'full' });
  });

  it('replaces the status wholesale and injects the generation it sent as observedGeneration', async () => {
    const h = harness({ answer: () => ok({ status: { lastBackup: 'x' } }) });
    h.store.updateStatus(PARENT_KEY, { lastBackup: 'old', allBackupCleanTime: '2024-01-01T00:00:00Z' });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(h.store.get(PARENT_KEY)?.status, { lastBackup: 'x', observedGeneration: 1 });
  });
});

describe('sim Metacontroller: CompactBackups as a second child type (the compact-backups component)', () => {
  const compact = (name: string, spec: Record<string, unknown> = { startTs: '2024-05-01 00:00:00' }): DesiredChild => ({ ...desired(name, { spec }), kind: 'CompactBackup' });
  const existingCompact = (name: string): KubeObject => objectToCreate(compact(name), PARENT);
  const withCompacts: Partial<MetacontrollerConfig> = { compactBackups: { updateStrategy: 'OnDelete' } };

  it('sends every declared type, even empty, and only those', async () => {
    const bare = harness({ answer: () => ok({}) });
    const both = harness({ answer: () => ok({}), config: withCompacts });
    await bare.clock.runUntil(T0 + 1000);
    await both.clock.runUntil(T0 + 1000);
    assert.deepEqual(Object.keys(bare.calls[0]?.request.children ?? {}), ['Backup.pingcap.com/v1alpha1']);
    assert.deepEqual(both.calls[0]?.request.children, { 'Backup.pingcap.com/v1alpha1': {}, 'CompactBackup.pingcap.com/v1alpha1': {} });
  });

  it('creates, keeps and deletes CompactBackups by name within their type, and never updates one (OnDelete)', async () => {
    const h = harness({
      answer: () => ok({ children: [desired('a'), compact('a', { startTs: 'changed' }), compact('new')] }),
      children: [existing('a'), existingCompact('a'), existingCompact('old')],
      config: withCompacts,
    });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(Object.keys(h.calls[0]?.request.children['CompactBackup.pingcap.com/v1alpha1'] ?? {}).sort(), ['db/a', 'db/old']);
    assert.deepEqual(h.syncs[0]?.deleted, ['old']);
    assert.deepEqual(h.syncs[0]?.created, ['new']);
    assert.deepEqual(h.store.get(objectKey('CompactBackup', 'db', 'a'))?.spec, { startTs: '2024-05-01 00:00:00' });
    assert.ok(h.store.get(objectKey('Backup', 'db', 'a')), 'the Backup of the same name stays');
  });

  it('ignores a desired CompactBackup when the type is not declared, and a CompactBackup change does not sync the parent', async () => {
    const h = harness({ answer: () => ok({ children: [compact('x')] }) });
    await h.clock.runUntil(T0 + 1000);
    assert.equal(h.store.get(objectKey('CompactBackup', 'db', 'x')), undefined);
    const calls = h.calls.length;
    h.store.create(existingCompact('y'));
    await h.clock.runUntil(T0 + 2000);
    assert.equal(h.calls.length, calls);
  });
});

describe('sim Metacontroller: retries and requeues', () => {
  it('changes nothing on a non-200 answer and retries with backoff 5 ms·2ⁿ, reset by a success', async () => {
    let failures = 5;
    const h = harness({
      answer: () => (failures-- > 0 ? { status: 500 } : ok({ children: [], status: { done: true } })),
      children: [existing('a')],
    });
    await h.clock.runUntil(T0 + 10_000);
    const retryTimes = h.calls.slice(0, 6).map((c) => c.at - T0);
    assert.deepEqual(retryTimes, [0, 5, 15, 35, 75, 155]);
    assert.deepEqual(h.syncs.slice(0, 5).map((s) => s.retryAfterMs), [5, 10, 20, 40, 80]);
    assert.deepEqual(h.syncs.slice(0, 5).flatMap((s) => [...s.deleted, ...s.created]), [], 'no child written by a failed sync');
    assert.equal(h.store.get(PARENT_KEY)?.status?.['done'], true);
  });

  it('caps the backoff at 1000 s', async () => {
    const h = harness({ answer: () => ({ status: 503 }), config: { resyncPeriodSeconds: 1_000_000 } });
    await h.clock.runUntil(T0 + 5 * 3_600_000);
    const gaps = h.calls.slice(1).map((c, i) => c.at - (h.calls[i]?.at ?? 0));
    assert.equal(Math.max(...gaps), 1_000_000);
  });

  it('calls again after resyncAfterSeconds', async () => {
    const h = harness({ answer: () => ok({ resyncAfterSeconds: 42 }) });
    await h.clock.runUntil(T0 + 100_000);
    // At 0: the first sync, and the echo of its own status write (observedGeneration), which changes nothing.
    assert.deepEqual(h.calls.map((c) => c.at - T0), [0, 0, 42_000, 84_000]);
  });

  it('calls every parent once per resync period from the cache', async () => {
    const h = harness({ answer: () => ok({}), config: { resyncPeriodSeconds: 300 } });
    await h.clock.runUntil(T0 + 1_000_000);
    assert.deepEqual(h.calls.map((c) => c.at - T0), [0, 0, 300_000, 600_000, 900_000]);
  });

  it('sends the parent and the children it controls from the cache, keyed namespace/name', async () => {
    const stranger = { ...existing('other'), metadata: { ...existing('other').metadata, ownerReferences: [] } };
    const h = harness({ answer: () => ok({ children: [desired('a')] }), children: [existing('a'), stranger] });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(Object.keys(h.calls[0]?.request.children['Backup.pingcap.com/v1alpha1'] ?? {}), ['db/a']);
    assert.equal(h.calls[0]?.request.parent.metadata.uid, 'uid-s');
  });
});

describe('sim Metacontroller: what it refuses before writing (strict v2 decoding, the generated selector)', () => {
  const refusedBodies: Array<[string, unknown, RegExp]> = [
    ['an unknown top-level key', { status: {}, children: [desired('new')], report: {} }, /unknown field\(s\) "report"/],
    ['a resyncAfterSeconds that is a string', { status: {}, children: [desired('new')], resyncAfterSeconds: '5' }, /resyncAfterSeconds/],
    ['a status that is an array', { status: [], children: [desired('new')] }, /status/],
    ['a child without kind', { status: {}, children: [desired('new'), { apiVersion: 'pingcap.com/v1alpha1', metadata: { name: 'x' } }] }, /Kind' is missing/],
    ['a null child', { status: {}, children: [desired('new'), null] }, /children\[1\]/],
  ];
  for (const [what, body, reason] of refusedBodies) {
    it(`refuses a 200 answer with ${what}: writes nothing and retries with backoff`, async () => {
      let first = true;
      const h = harness({
        answer: () => {
          if (!first) return ok({ children: [desired('new')], status: { done: true } });
          first = false;
          return { status: 200, body } as HookAnswer;
        },
      });
      await h.clock.runUntil(T0 + 1000);
      const [refused, accepted] = h.syncs;
      assert.match(refused?.refused ?? '', reason);
      assert.deepEqual([refused?.created, refused?.statusWritten, refused?.retryAfterMs], [[], false, 5]);
      assert.deepEqual(h.calls.slice(0, 2).map((c) => c.at - T0), [0, 5]);
      assert.equal(accepted?.refused, null);
      assert.deepEqual(accepted?.created, ['new']);
    });
  }

  it('accepts null status and children and an answer without resyncAfterSeconds', async () => {
    const h = harness({ answer: () => ({ status: 200, body: { status: null, children: null } }) as unknown as HookAnswer });
    await h.clock.runUntil(T0 + 1000);
    assert.equal(h.syncs[0]?.refused, null);
    assert.deepEqual(h.store.get(PARENT_KEY)?.status, { observedGeneration: 1 });
  });

  it('fails the whole sync when a desired child carries another controller-uid: nothing written, retried with backoff', async () => {
    const foreign = desired('new', { metadata: { name: 'new', namespace: 'db', labels: { 'controller-uid': 'uid-someone-else' } } });
    const h = harness({ answer: () => ok({ children: [foreign, desired('fine')], status: { lastBackup: 'new' }, resyncAfterSeconds: 42 }), children: [existing('old')] });
    await h.clock.runUntil(T0 + 50_000);
    const first = h.syncs[0];
    assert.match(first?.refused ?? '', /don't match parent selector/);
    assert.deepEqual([first?.deleted, first?.created, first?.statusWritten, first?.retryAfterMs], [[], [], false, 5]);
    assert.equal(h.store.get(objectKey('Backup', 'db', 'fine')), undefined, 'no child is created');
    assert.ok(h.store.get(objectKey('Backup', 'db', 'old')), 'no child is deleted');
    assert.equal(h.store.get(PARENT_KEY)?.status, undefined, 'no status is written');
    // The call-back armed at 42 s gives way to the earlier backoff (one delayed entry per key, the earliest).
    assert.deepEqual(h.calls.slice(0, 4).map((c) => c.at - T0), [0, 5, 15, 35]);
  });

  it('accepts a desired child that already carries this parent\'s controller-uid', async () => {
    const own = desired('new', { metadata: { name: 'new', namespace: 'db', labels: { 'controller-uid': 'uid-s' } } });
    const h = harness({ answer: () => ok({ children: [own] }) });
    await h.clock.runUntil(T0 + 1000);
    assert.deepEqual(h.syncs[0]?.created, ['new']);
  });

  it('does not write the status onto a parent deleted and made again under the same name while the call was in flight', async () => {
    let recreated = false;
    const h = harness({
      answer: (request) => {
        if (!recreated) {
          recreated = true;
          assert.ok(h.store.delete(PARENT_KEY).ok);
          assert.ok(h.store.create({ ...PARENT, metadata: { ...PARENT.metadata, uid: 'uid-s2' } }).ok);
        }
        return ok({ status: { from: request.parent.metadata.uid ?? '' } });
      },
    });
    await h.clock.runUntil(T0 + 1000);
    assert.equal(h.syncs[0]?.statusWritten, false);
    assert.equal(h.store.get(PARENT_KEY)?.metadata?.uid, 'uid-s2');
    assert.equal(h.store.get(PARENT_KEY)?.status?.['from'], 'uid-s2', 'only the new parent\'s own answer is written');
  });
});

/** Parents besides `s`, created in this order after it. */
const OTHERS = ['t', 'u'];
/** Every parent asks for one Backup named after it; the customize rules relate every Backup of the app to every parent. */
const ownBackup = (request: SyncRequest): HookAnswer => ok({ children: [desired(`${request.parent.metadata.name ?? ''}-b`)] });
const allBackups: CustomizeHook = () => ({ relatedResources: [{ apiVersion: 'pingcap.com/v1alpha1', resource: 'backups', labelSelector: { matchLabels: { app: 'x' } } }] });

/** withParents is a harness with three parents (s, t, u), each asking for its own Backup and relating every Backup. */
function withParents(options: { workers?: number; latencyMs?: MsRange; lag?: LagModel; restarts?: Restarts }) {
  const config: Partial<MetacontrollerConfig> = options.workers === undefined ? {} : { workers: options.workers };
  const extra = { ...(options.lag ? { lag: options.lag } : {}), ...(options.restarts ? { restarts: options.restarts } : {}) };
  const h = harness({ answer: ownBackup, config, latencyMs: options.latencyMs ?? [1000, 1000], customize: allBackups, ...extra });
  for (const name of OTHERS) assert.ok(h.store.create({ ...PARENT, metadata: { name, namespace: 'db', uid: `uid-${name}` } }).ok);
  return h;
}

describe('sim Metacontroller: workers (--workers)', () => {

  /** mostInFlight is the largest number of syncs between their call and their answer's writes at one instant. */
  function mostInFlight(syncs: readonly SyncObservation[]): number {
    const edges = syncs.flatMap((s) => [[s.calledAt, 1], [s.appliedAt, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, delta] of edges) most = Math.max(most, (now += delta));
    return most;
  }

  for (const [workers, expected] of [[undefined, 1], [1, 1], [2, 2], [5, 3]] as const) {
    it(`with ${workers ?? 'no'} workers set, syncs at most ${expected} of three parents at once, never one parent twice`, async () => {
      const h = withParents({ ...(workers === undefined ? {} : { workers }) });
      await h.clock.runUntil(T0 + 60_000);
      assert.equal(mostInFlight(h.syncs), expected);
      for (const key of [PARENT_KEY, ...OTHERS.map((name) => objectKey('BackupSchedule', 'db', name))]) {
        const own = h.syncs.filter((s) => s.parentKey === key);
        assert.ok(own.length >= 2, `${key} synced ${own.length} times`);
        assert.equal(mostInFlight(own), 1, `${key} synced twice at once`);
      }
    });
  }

  it('reads each view when its sync starts: parents synced at once do not see each other\'s new Backups (one worker, no lag: they do)', async () => {
    const firstViews = async (workers: number): Promise<Record<string, string[]>> => {
      const h = withParents({ workers });
      await h.clock.runUntil(T0 + 60_000);
      const views: Record<string, string[]> = {};
      for (const { request } of h.calls) views[request.parent.metadata.name ?? ''] ??= Object.keys(request.related?.['Backup.pingcap.com/v1alpha1'] ?? {});
      return views;
    };
    assert.deepEqual(await firstViews(5), { s: [], t: [], u: [] });
    assert.deepEqual(await firstViews(1), { s: [], t: ['db/s-b'], u: ['db/s-b', 'db/t-b'] });
  });

  it('syncs a parent changed while its call is in flight again once that call\'s answer is written, with the change', async () => {
    const h = harness({ answer: () => ok({}), config: { workers: 5 }, latencyMs: [1000, 1000] });
    h.clock.at(T0 + 500, () => {
      const live = h.store.get(PARENT_KEY);
      assert.ok(live !== undefined && h.store.update({ ...live, spec: { schedule: '@hourly' } }).ok);
    });
    await h.clock.runUntil(T0 + 1500);
    assert.deepEqual(h.calls.map((c) => [c.at - T0, c.request.parent.spec?.['schedule']]), [[0, '@daily'], [1000, '@hourly']]);
  });
});

/** drawing is a random stream that returns the given numbers in turn (then 0.5): where a crash finds a sync, chosen. */
function drawing(...values: number[]): Random {
  const next = (): number => values.shift() ?? 0.5;
  return { next, between: (range) => range[0] + (range[1] - range[0]) * next(), chance: (p) => p > 0 && next() < p, fork: () => drawing() };
}

/** downFor is Metacontroller down from `from` to `to` (ms after T0), the crash's draws from `draws`. */
function downFor(from: number, to: number, ...draws: number[]): Restarts {
  return { windows: [{ from: T0 + from, to: T0 + to }], random: drawing(...draws) };
}

describe('sim Metacontroller: restarts (fault metacontroller-restart)', () => {
  const answerNew = (): HookAnswer => ok({ children: [desired('new')], status: { lastBackup: 'new' } });

  it('loses the answer of a sync in flight (the call still out: nothing written) and starts no sync while down', async () => {
    const h = harness({ answer: answerNew, children: [existing('old')], latencyMs: [1000, 1000], restarts: downFor(500, 10_000, 0.9) });
    await h.clock.runUntil(T0 + 9_999);
    assert.deepEqual(h.calls.map((c) => c.at - T0), [0], 'no sync starts while Metacontroller is down');
    assert.equal(h.store.get(objectKey('Backup', 'db', 'new')), undefined, 'no create');
    assert.ok(h.store.get(objectKey('Backup', 'db', 'old')), 'no delete');
    assert.equal(h.store.get(PARENT_KEY)?.status, undefined, 'no status write');
    const [lost] = h.syncs;
    assert.deepEqual([lost?.interruptedAt, lost?.created, lost?.deleted, lost?.statusWritten], [T0 + 500, [], [], false]);
    // Back at 10 s: the parent is synced at once and its answer written.
    await h.clock.runUntil(T0 + 12_000);
    assert.equal(h.calls[1]?.at, T0 + 10_000);
    assert.ok(h.store.get(objectKey('Backup', 'db', 'new')));
    assert.equal(h.store.get(PARENT_KEY)?.status?.['lastBackup'], 'new');
  });

  it('crashing between the children and the status: the children written, the status not; the next process sees them', async () => {
    // The crash finds the pass under way (0.1 < ½) after all of its child writes (0.99 of deletion + create + 1).
    const h = harness({ answer: answerNew, children: [existing('old')], latencyMs: [1000, 1000], restarts: downFor(500, 10_000, 0.1, 0.99) });
    await h.clock.runUntil(T0 + 9_999);
    assert.ok(h.store.get(objectKey('Backup', 'db', 'new')), 'created before the crash');
    assert.equal(h.store.get(objectKey('Backup', 'db', 'old')), undefined, 'deleted before the crash');
    assert.equal(h.store.get(PARENT_KEY)?.status, undefined, 'the status never written');
    assert.deepEqual([h.syncs[0]?.created, h.syncs[0]?.deleted, h.syncs[0]?.statusWritten], [['new'], ['old'], false]);
    await h.clock.runUntil(T0 + 12_000);
    assert.deepEqual(Object.keys(h.calls[1]?.request.children['Backup.pingcap.com/v1alpha1'] ?? {}), ['db/new'], 'the fresh LIST shows the child');
    assert.equal(h.store.get(PARENT_KEY)?.status?.['lastBackup'], 'new');
  });

  it('crashing part-way through the child writes: a prefix of them made (deletions first)', async () => {
    // 0.4 of (2 deletions + 1 create + 1): the first deletion only.
    const h = harness({ answer: answerNew, children: [existing('a'), existing('b')], latencyMs: [1000, 1000], restarts: downFor(500, 10_000, 0.1, 0.4) });
    await h.clock.runUntil(T0 + 9_999);
    assert.deepEqual([h.syncs[0]?.deleted, h.syncs[0]?.created], [['a'], []]);
    assert.ok(h.store.get(objectKey('Backup', 'db', 'b')));
  });

  it('with a client rate limit, a crash while the pass is paced leaves the deletions the limit had let out (5 qps, burst 10)', async () => {
    const olds = Array.from({ length: 30 }, (_, i) => existing(`old-${String(i).padStart(2, '0')}`));
    const h = harness({ answer: answerNew, children: olds, config: { clientQps: 5, clientBurst: 10 }, restarts: downFor(2_000, 60_000) });
    await h.clock.runUntil(T0 + 59_999);
    // The burst of 10 at once, then 5 a second for 2 s; the create waits for the 31st token.
    assert.equal(h.store.list('Backup', 'db').length, 10);
    assert.equal(h.store.get(objectKey('Backup', 'db', 'new')), undefined);
    assert.equal(h.store.get(PARENT_KEY)?.status, undefined);
    assert.deepEqual([h.syncs[0]?.deleted.length, h.syncs[0]?.interruptedAt], [20, T0 + 2_000]);
  });

  it('comes back with a fresh LIST: with 5 workers every parent is synced at once, from the store as of the restart', async () => {
    // Parents reach the cache at once, Backups 10 minutes after they are made: the old cache never showed them.
    const lag: LagModel = (e) => (e.object.kind === 'Backup' ? 600_000 : 0);
    const h = withParents({ workers: 5, lag, restarts: downFor(5_000, 6_000) });
    await h.clock.runUntil(T0 + 7_000);
    const after = h.calls.filter((c) => c.at >= T0 + 5_000);
    assert.deepEqual(after.map((c) => [c.at - T0, c.request.parent.metadata.name]), [[6_000, 's'], [6_000, 't'], [6_000, 'u']]);
    for (const { request } of after) {
      assert.deepEqual(Object.keys(request.related?.['Backup.pingcap.com/v1alpha1'] ?? {}), ['db/s-b', 'db/t-b', 'db/u-b'], `${request.parent.metadata.name ?? ''}'s view`);
    }
  });

  it('comes back with one worker: every parent synced in turn, each from the cache as it is then', async () => {
    const h = withParents({ workers: 1, restarts: downFor(10_000, 20_000) });
    await h.clock.runUntil(T0 + 30_000);
    assert.deepEqual(h.calls.filter((c) => c.at >= T0 + 10_000).map((c) => [c.at - T0, c.request.parent.metadata.name]), [[20_000, 's'], [21_000, 't'], [22_000, 'u']]);
  });

  it('forgets the backoff: a parent backing off for minutes is synced at the restart, its next failure retried after 5 ms', async () => {
    const h = harness({ answer: () => ({ status: 500 }), config: { resyncPeriodSeconds: 1_000_000 }, restarts: downFor(600_000, 601_000) });
    await h.clock.runUntil(T0 + 602_000);
    const before = h.calls.filter((c) => c.at < T0 + 600_000).length;
    assert.ok((h.syncs[before - 1]?.retryAfterMs ?? 0) > 100_000, 'backing off for minutes before the crash');
    assert.deepEqual(h.calls.slice(before, before + 3).map((c) => c.at - T0), [601_000, 601_005, 601_015]);
  });

  it('forgets the customize answers: a label edit is seen by the rules right after the restart, not 20 minutes later', async () => {
    const byLabel: CustomizeHook = (parent) => ({ relatedResources: parent.metadata.labels?.['g'] === undefined ? [] : [{ apiVersion: 'pingcap.com/v1alpha1', resource: 'backups', labelSelector: { matchLabels: { app: 'x' } } }] });
    const h = harness({ answer: () => ok({ children: [desired('a')] }), children: [existing('a')], customize: byLabel, restarts: downFor(60_000, 61_000) });
    h.clock.at(T0 + 1000, () => {
      const live = h.store.get(PARENT_KEY);
      assert.ok(live !== undefined && h.store.update({ ...live, metadata: { ...live.metadata, labels: { g: 'x' } } }).ok);
    });
    await h.clock.runUntil(T0 + 62_000);
    const related = (at: number): string[] => Object.keys(h.calls.find((c) => c.at === T0 + at)?.request.related?.['Backup.pingcap.com/v1alpha1'] ?? {});
    assert.deepEqual(related(1000), [], 'the kept answer, asked before the label');
    assert.deepEqual(related(61_000), ['db/a']);
  });
});
