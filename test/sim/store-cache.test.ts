import assert from 'node:assert/strict';

import { InformerCache } from '../../src/sim/cache.js';
import { VirtualClock } from '../../src/sim/clock.js';
import type { LagModel } from '../../src/sim/lag.js';
import { stuckLagMs, stuckWindowsOf } from '../../src/sim/scenario.js';
import type { Fault } from '../../src/sim/scenario.js';
import { ObjectStore, objectKey } from '../../src/sim/store.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const backup = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name, namespace: 'db', ...extra }, spec: { backupType: 'full' } });
const KEY = objectKey('Backup', 'db', 'b1');

describe('sim object store', () => {
  it('sets server fields on create and refuses a second create of the same name', () => {
    const store = new ObjectStore(new VirtualClock(T0));
    const first = store.create(backup('b1'));
    assert.ok(first.ok);
    assert.equal(first.object.metadata?.creationTimestamp, '2024-05-01T00:00:00Z');
    assert.equal(first.object.metadata?.generation, 1);
    assert.match(first.object.metadata?.uid ?? '', /^uid-/);
    assert.deepEqual(store.create(backup('b1')), { ok: false, reason: 'AlreadyExists' });
  });

  it('bumps generation on a spec change only, and resourceVersion on every write', () => {
    const store = new ObjectStore(new VirtualClock(T0));
    store.create(backup('b1'));
    const v1 = store.get(KEY)!;
    const relabelled = store.update({ ...v1, metadata: { ...v1.metadata, labels: { a: 'b' } } });
    assert.ok(relabelled.ok);
    assert.equal(relabelled.object.metadata?.generation, 1);
    const respecced = store.update({ ...relabelled.object, spec: { backupType: 'db' } });
    assert.ok(respecced.ok);
    assert.equal(respecced.object.metadata?.generation, 2);
    const status = store.updateStatus(KEY, { phase: 'Running' });
    assert.ok(status.ok);
    assert.equal(status.object.metadata?.generation, 2);
    const versions = [v1, relabelled.object, respecced.object, status.object].map((o) => Number(o.metadata?.resourceVersion));
    assert.deepEqual([...versions].sort((a, b) => a - b), versions);
    assert.equal(new Set(versions).size, 4);
  });

  it('checks resourceVersion and uid preconditions', () => {
    const store = new ObjectStore(new VirtualClock(T0));
    store.create(backup('b1'));
    assert.deepEqual(store.updateStatus(KEY, {}, { resourceVersion: '1' }), { ok: false, reason: 'Conflict' });
    assert.deepEqual(store.delete(KEY, { uid: 'someone-else' }), { ok: false, reason: 'Conflict' });
    assert.deepEqual(store.delete(objectKey('Backup', 'db', 'nope')), { ok: false, reason: 'NotFound' });
  });

  it('keeps an object with finalizers as deleting until the last finalizer goes', () => {
    const clock = new VirtualClock(T0);
    const store = new ObjectStore(clock);
    const types: string[] = [];
    store.subscribe((e) => types.push(e.type));
    store.create(backup('b1', { finalizers: ['f'] }));
    assert.ok(store.delete(KEY).ok);
    assert.ok(store.get(KEY)?.metadata?.deletionTimestamp !== undefined);
    assert.ok(store.delete(KEY).ok, 'deleting again is not an error');
    assert.ok(store.removeFinalizer(KEY, 'f').ok);
    assert.equal(store.get(KEY), undefined);
    assert.deepEqual(types, ['added', 'modified', 'deleted']);
  });

  it('hands out frozen versions, so a reader cannot change what is stored', () => {
    const store = new ObjectStore(new VirtualClock(T0));
    store.create(backup('b1'));
    const stored = store.get(KEY)!;
    assert.throws(() => {
      (stored.metadata as Record<string, unknown>)['name'] = 'changed';
    }, TypeError);
  });
});

describe('sim informer cache', () => {
  function lagged(lags: Record<string, number>) {
    const clock = new VirtualClock(T0);
    const store = new ObjectStore(clock);
    const lag: LagModel = (event) => lags[`${event.object.kind}:${event.type}`] ?? 0;
    const cache = new InformerCache({ clock, store }, lag);
    return { clock, store, cache };
  }

  it('lacks a Backup created a moment ago until its lag has passed', async () => {
    const { clock, store, cache } = lagged({ 'Backup:added': 5000 });
    store.create(backup('b1'));
    await clock.runUntil(T0 + 4999);
    assert.equal(cache.get(KEY), undefined);
    assert.deepEqual(cache.list('Backup', 'db'), []);
    await clock.runUntil(T0 + 5000);
    assert.equal(cache.get(KEY)?.metadata?.name, 'b1');
  });

  it('serves an older status of the parent while the newer one is on its way', async () => {
    const { clock, store, cache } = lagged({ 'BackupSchedule:modified': 2000 });
    const parentKey = objectKey('BackupSchedule', 'db', 's');
    store.create({ kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db' }, status: { lastBackup: 'old' } });
    await clock.runUntil(T0 + 10);
    store.updateStatus(parentKey, { lastBackup: 'new' });
    await clock.runUntil(T0 + 1000);
    assert.equal(cache.get(parentKey)?.status?.['lastBackup'], 'old');
    await clock.runUntil(T0 + 2010);
    assert.equal(cache.get(parentKey)?.status?.['lastBackup'], 'new');
  });

  it('delivers one object’s changes in order, even when a later change draws a shorter lag', async () => {
    const { clock, store, cache } = lagged({ 'Backup:added': 3000, 'Backup:modified': 0 });
    const seen: string[] = [];
    cache.subscribe((e) => seen.push(`${e.type}@${clock.now - T0}`));
    store.create(backup('b1'));
    store.updateStatus(KEY, { phase: 'Scheduled' });
    await clock.runUntil(T0 + 5000);
    assert.deepEqual(seen, ['added@3000', 'modified@3000']);
    assert.equal(cache.get(KEY)?.status?.['phase'], 'Scheduled');
  });

  it('stopped, is empty and drops the changes on their way; relisted, holds the store as it is then, parents first, and lags what follows', async () => {
    const { clock, store, cache } = lagged({ 'Backup:added': 5000, 'Backup:modified': 5000 });
    const seen: string[] = [];
    cache.subscribe((e) => seen.push(`${e.type} ${e.key}@${clock.now - T0}`));
    store.create(backup('b1'));
    await clock.runUntil(T0 + 1000);
    cache.stop();
    assert.equal(cache.get(KEY), undefined);
    store.updateStatus(KEY, { phase: 'Scheduled' });
    store.create({ kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db' } });
    await clock.runUntil(T0 + 2000);
    cache.relist();
    assert.equal(cache.get(KEY)?.status?.['phase'], 'Scheduled', 'the store as of the LIST, not as the watch would have shown it');
    store.updateStatus(KEY, { phase: 'Running' });
    await clock.runUntil(T0 + 10_000);
    assert.deepEqual(seen, ['added BackupSchedule/db/s@2000', 'added Backup/db/b1@2000', 'modified Backup/db/b1@7000']);
    assert.equal(cache.get(KEY)?.status?.['phase'], 'Running');
  });

  it('with a trailing first LIST: relisted, lacks the changes whose drawn lag has not passed (older versions shown), and receives them through the new watch, in order', async () => {
    const clock = new VirtualClock(T0);
    const store = new ObjectStore(clock);
    const lags: Record<string, number> = { 'Backup:added': 5000, 'Backup:modified': 3000, 'Backup:deleted': 4000 };
    const firstList: LagModel = (event) => lags[`${event.object.kind}:${event.type}`] ?? 0;
    // The watch itself lags nothing: what the LIST lacks is the first LIST's doing.
    const cache = new InformerCache({ clock, store }, () => 0, { firstList: { lag: firstList, windowMs: 5000 } });
    const seen: string[] = [];
    cache.subscribe((e) => seen.push(`${e.type} ${e.key}@${clock.now - T0}`));
    store.create({ kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db' } });
    store.create(backup('b0'));
    await clock.runUntil(T0 + 100);
    cache.stop();
    seen.length = 0;
    clock.at(T0 + 2000, () => void store.create(backup('b1')));
    clock.at(T0 + 2500, () => void store.updateStatus(objectKey('Backup', 'db', 'b0'), { phase: 'Running' }));
    clock.at(T0 + 2600, () => void store.updateStatus(objectKey('Backup', 'db', 'b0'), { phase: 'Complete' }));
    clock.at(T0 + 3000, () => void store.create(backup('b2')));
    clock.at(T0 + 3500, () => void store.delete(objectKey('Backup', 'db', 'b2')));
    await clock.runUntil(T0 + 5550);
    cache.relist();
    // b0 made at 0 (older than the window: listed); its Running at 2500 arrives by 5500, its Complete (5600) not yet.
    assert.deepEqual(cache.list('Backup', 'db').map((b) => `${b.metadata?.name ?? ''} ${String(b.status?.['phase'])}`), ['b0 Running']);
    assert.deepEqual(seen, ['added BackupSchedule/db/s@5550', 'added Backup/db/b0@5550']);
    await clock.runUntil(T0 + 10_000);
    // b2's deletion would arrive at 7500 but waits for its creation (8000): one object's changes in order.
    assert.deepEqual(seen.slice(2), ['modified Backup/db/b0@5600', 'added Backup/db/b1@7000', 'added Backup/db/b2@8000', 'deleted Backup/db/b2@8000']);
    assert.deepEqual(cache.list('Backup', 'db').map((b) => `${b.metadata?.name ?? ''} ${String(b.status?.['phase'])}`), ['b0 Complete', 'b1 undefined']);
  });

  describe('stuck (fault cache-stuck)', () => {
    const PARENT = objectKey('BackupSchedule', 'db', 's');
    function stuckCache(faults: Fault[], lags: Record<string, number>) {
      const clock = new VirtualClock(T0);
      const store = new ObjectStore(clock);
      const lag: LagModel = (event) => lags[`${event.object.kind}:${event.type}`] ?? 0;
      const cache = new InformerCache({ clock, store }, lag, { stuck: stuckWindowsOf({ faults }, T0) });
      const seen: string[] = [];
      cache.subscribe((e) => seen.push(`${e.type} ${e.key}@${clock.now - T0}`));
      return { clock, store, cache, seen };
    }

    it('children: holds every Backup change arriving in the window until it ends, then each takes its lag again, in order; the parent’s changes pass', async () => {
      const { clock, store, cache, seen } = stuckCache([{ kind: 'cache-stuck', atMs: 10_000, forMs: 60_000, which: 'children' }], { 'Backup:added': 2000, 'Backup:modified': 500, 'BackupSchedule:modified': 1000 });
      store.create({ kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db' } });
      clock.at(T0 + 1000, () => void store.create(backup('b0')));
      clock.at(T0 + 9000, () => void store.create(backup('b1')));
      clock.at(T0 + 20_000, () => void store.updateStatus(KEY, { phase: 'Running' }));
      clock.at(T0 + 30_000, () => void store.updateStatus(PARENT, { lastBackup: 'b1' }));
      await clock.runUntil(T0 + 69_999);
      assert.deepEqual(cache.list('Backup', 'db').map((b) => b.metadata?.name), ['b0'], 'b1 (due at 11 s) is held');
      assert.equal(cache.get(PARENT)?.status?.['lastBackup'], 'b1', 'the parent is not stuck');
      await clock.runUntil(T0 + 100_000);
      assert.deepEqual(seen, [
        'added BackupSchedule/db/s@0',
        'added Backup/db/b0@3000',
        'modified BackupSchedule/db/s@31000',
        'added Backup/db/b1@72000',
        'modified Backup/db/b1@72000',
      ]);
      assert.equal(cache.get(KEY)?.status?.['phase'], 'Running');
    });

    it('parents: holds the schedule’s status writes while Backups pass; a change due after the window is not moved', async () => {
      const { clock, store, cache, seen } = stuckCache([{ kind: 'cache-stuck', atMs: 10_000, forMs: 60_000, which: 'parents' }], { 'Backup:added': 2000, 'BackupSchedule:modified': 5000 });
      store.create({ kind: 'BackupSchedule', metadata: { name: 's', namespace: 'db' } });
      clock.at(T0 + 20_000, () => void store.updateStatus(PARENT, { lastBackup: 'b1' }));
      clock.at(T0 + 20_000, () => void store.create(backup('b1')));
      clock.at(T0 + 66_000, () => void store.updateStatus(PARENT, { lastBackup: 'b2' }));
      clock.at(T0 + 80_000, () => void store.updateStatus(PARENT, { lastBackup: 'b3' }));
      await clock.runUntil(T0 + 69_999);
      assert.equal(cache.get(PARENT)?.status, undefined, 'the request still shows the schedule without status');
      assert.equal(cache.get(KEY)?.metadata?.name, 'b1');
      await clock.runUntil(T0 + 100_000);
      // Both writes of the window arrive at its end plus the lag (the second's own 71 s is inside it); b3's lag is untouched.
      assert.deepEqual(seen, ['added BackupSchedule/db/s@0', 'added Backup/db/b1@22000', 'modified BackupSchedule/db/s@75000', 'modified BackupSchedule/db/s@75000', 'modified BackupSchedule/db/s@85000']);
      assert.equal(cache.get(PARENT)?.status?.['lastBackup'], 'b3');
    });

    it('all, two windows: a change held by the first that would arrive inside the second waits for that one too', async () => {
      const faults: Fault[] = [
        { kind: 'cache-stuck', atMs: 10_000, forMs: 10_000, which: 'all' },
        { kind: 'cache-stuck', atMs: 21_000, forMs: 30_000, which: 'all' },
      ];
      const { clock, store, seen } = stuckCache(faults, { 'Backup:added': 2000 });
      clock.at(T0 + 15_000, () => void store.create(backup('b1')));
      await clock.runUntil(T0 + 100_000);
      assert.deepEqual(seen, ['added Backup/db/b1@53000']);
      assert.equal(stuckLagMs({ faults }, 2000), 41_000, 'the two windows chain: a change can be held from 10 s to 51 s');
      assert.equal(stuckLagMs({ faults }, 500), 30_000, 'with lags under the gap they do not');
      assert.equal(stuckLagMs({ faults: [] }, 2000), 0);
    });

    it('a first LIST in the window shows the stuck view, and the changes it lacks arrive after the window', async () => {
      const clock = new VirtualClock(T0);
      const store = new ObjectStore(clock);
      const faults: Fault[] = [{ kind: 'cache-stuck', atMs: 10_000, forMs: 600_000, which: 'children' }];
      const lag: LagModel = () => 1000;
      const cache = new InformerCache({ clock, store }, lag, { firstList: { lag, windowMs: 1000 + stuckLagMs({ faults }, 1000) }, stuck: stuckWindowsOf({ faults }, T0) });
      store.create(backup('b0'));
      clock.at(T0 + 100_000, () => void store.create(backup('b1')));
      clock.at(T0 + 200_000, () => cache.stop());
      await clock.runUntil(T0 + 300_000);
      cache.relist();
      assert.deepEqual(cache.list('Backup', 'db').map((b) => b.metadata?.name), ['b0'], 'b1, made 200 s before the LIST, is held by the stuck watch cache');
      await clock.runUntil(T0 + 611_000);
      assert.deepEqual(cache.list('Backup', 'db').map((b) => b.metadata?.name), ['b0', 'b1']);
    });
  });
});
