import assert from 'node:assert/strict';

import { GROUP_LABEL, customize } from '../../src/core/group.js';
import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { InformerCache } from '../../src/sim/cache.js';
import { VirtualClock } from '../../src/sim/clock.js';
import type { LagModel } from '../../src/sim/lag.js';
import { CUSTOMIZE_ANSWER_TTL_MS, Metacontroller } from '../../src/sim/metacontroller.js';
import { createRandom } from '../../src/sim/random.js';
import { ObjectStore, objectKey } from '../../src/sim/store.js';
import { PERFECT_TRANSPORT, createTransport } from '../../src/sim/transport.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const SCHEDULES = 'BackupSchedule.pingcap.com/v1alpha1';
const BACKUPS = 'Backup.pingcap.com/v1alpha1';

function schedule(name: string, group?: string): KubeObject {
  const labels = group === undefined ? {} : { labels: { [GROUP_LABEL]: group } };
  return { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name, namespace: 'db', uid: `uid-${name}`, ...labels }, spec: { schedule: '@daily' } };
}

function backup(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name, namespace: 'db', labels }, spec: {} };
}

/** Schedules a, b (group g), c (group h), d (no group) and a hook that answers nothing; requests are kept by parent. */
function harness(lag: LagModel = () => 0) {
  const clock = new VirtualClock(T0);
  const store = new ObjectStore(clock);
  const cache = new InformerCache({ clock, store }, lag);
  const calls: Array<{ at: number; request: SyncRequest }> = [];
  const transport = createTransport(
    (request, now) => {
      calls.push({ at: now, request });
      return { status: 200, body: { status: request.parent.status ?? {}, children: [] } };
    },
    { config: PERFECT_TRANSPORT, random: createRandom(1) },
  );
  new Metacontroller({ clock, store, cache }, { transport, config: { resyncPeriodSeconds: 3600, updateStrategy: 'InPlace' }, customize });
  for (const object of [schedule('a', 'g'), schedule('b', 'g'), schedule('c', 'h'), schedule('d')]) assert.ok(store.create(object).ok);
  const requestsOf = (name: string) => calls.filter((c) => c.request.parent.metadata.name === name);
  return { clock, store, calls, requestsOf };
}

describe('sim Metacontroller: the customize hook and related objects', () => {
  it("sends a grouped parent its group's schedules and Backups, keyed namespace/name, and an ungrouped one {}", async () => {
    const h = harness();
    assert.ok(h.store.create(backup('b-1', { [GROUP_LABEL]: 'g' })).ok);
    assert.ok(h.store.create(backup('c-1', { [GROUP_LABEL]: 'h' })).ok);
    await h.clock.runUntil(T0 + 1000);
    const a = h.requestsOf('a').at(-1)?.request;
    assert.deepEqual(Object.keys(a?.related?.[SCHEDULES] ?? {}), ['db/a', 'db/b']);
    assert.deepEqual(Object.keys(a?.related?.[BACKUPS] ?? {}), ['db/b-1']);
    assert.deepEqual(Object.keys(h.requestsOf('c').at(-1)?.request.related?.[BACKUPS] ?? {}), ['db/c-1']);
    assert.deepEqual(h.requestsOf('d').at(-1)?.request.related, {});
  });

  it("reads related objects from the lagging cache: a sibling's new Backup is missing until its lag has passed", async () => {
    const h = harness((event) => (event.object.kind === 'Backup' ? 30_000 : 0));
    await h.clock.runUntil(T0 + 1000);
    assert.ok(h.store.create(backup('b-1', { [GROUP_LABEL]: 'g' })).ok);
    await h.clock.runUntil(T0 + 29_000);
    assert.equal(h.store.get(objectKey('Backup', 'db', 'b-1')) !== undefined, true);
    // Nothing queued a yet: the Backup has not reached the cache.
    assert.equal(h.requestsOf('a').some((c) => c.at > T0 + 1000), false);
    await h.clock.runUntil(T0 + 32_000);
    const later = h.requestsOf('a').filter((c) => c.at > T0 + 1000);
    assert.equal(later.length, 1, 'the related Backup reaching the cache queues a once');
    assert.deepEqual(Object.keys(later[0]?.request.related?.[BACKUPS] ?? {}), ['db/b-1']);
  });

  it('queues the parents whose rules select a changed object, and no others', async () => {
    const h = harness();
    await h.clock.runUntil(T0 + 1000);
    const before = h.calls.length;
    assert.ok(h.store.updateStatus(objectKey('BackupSchedule', 'db', 'b'), { lastBackup: 'b-1' }).ok);
    await h.clock.runUntil(T0 + 2000);
    // b for its own change (and the status echo of its sync), a for its sibling's; not c (group h) nor d.
    assert.deepEqual([...new Set(h.calls.slice(before).map((c) => c.request.parent.metadata.name))].sort(), ['a', 'b']);
  });

  it("keeps a parent's customize answer per generation for 20 minutes: a group label added is selected once it expires, or at once with a spec change", async () => {
    const h = harness();
    await h.clock.runUntil(T0 + 1000);
    const relabel = (name: string, spec: JsonObject): void => {
      const current = h.store.get(objectKey('BackupSchedule', 'db', name));
      assert.ok(current !== undefined);
      assert.ok(h.store.update({ ...current, metadata: { ...current.metadata, labels: { [GROUP_LABEL]: 'g' } }, spec }).ok);
    };
    relabel('d', { schedule: '@daily' }); // labels only: the generation stays 1
    relabel('c', { schedule: '@hourly' }); // and the spec: generation 2
    await h.clock.runUntil(T0 + 2000);
    const lastRelated = (name: string) => Object.keys(h.requestsOf(name).at(-1)?.request.related?.[SCHEDULES] ?? {});
    assert.deepEqual(lastRelated('d'), [], 'd keeps the answer asked for its generation 1, without a group');
    assert.deepEqual(lastRelated('c'), ['db/a', 'db/b', 'db/c', 'db/d'], 'c is asked again for its generation 2');
    // The next sync of d after its answer expires (the resync period is an hour here) asks again.
    await h.clock.runUntil(T0 + CUSTOMIZE_ANSWER_TTL_MS - 1000);
    assert.ok(h.store.updateStatus(objectKey('BackupSchedule', 'db', 'd'), { lastBackup: 'x' }).ok);
    await h.clock.runUntil(T0 + CUSTOMIZE_ANSWER_TTL_MS - 500);
    assert.deepEqual(lastRelated('d'), [], 'still within 20 minutes of the first answer');
    await h.clock.runUntil(T0 + CUSTOMIZE_ANSWER_TTL_MS + 1000);
    assert.ok(h.store.updateStatus(objectKey('BackupSchedule', 'db', 'd'), { lastBackup: 'y' }).ok);
    await h.clock.runUntil(T0 + CUSTOMIZE_ANSWER_TTL_MS + 2000);
    assert.deepEqual(lastRelated('d'), ['db/a', 'db/b', 'db/c', 'db/d']);
  });
});
