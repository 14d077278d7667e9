import assert from 'node:assert/strict';

import { compareNames, observeChildren, slotOf } from '../../src/core/observe.js';
import type { Observation } from '../../src/core/observe.js';
import type { BackupSchedule, ChildMap, KubeObject } from '../../src/core/types.js';
import { backup, compactBackup, schedule, tsoAt } from '../support/objects.js';

const BACKUPS = 'Backup.pingcap.com/v1alpha1';
const COMPACTS = 'CompactBackup.pingcap.com/v1alpha1';
const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
const iso = (ms: number | null): string => (ms === null ? 'null' : new Date(ms).toISOString().slice(11, 16));

/** byKey keys children as Metacontroller v2 does (`namespace/name`), in the order given. */
function byKey(children: KubeObject[]): ChildMap {
  return Object.fromEntries(children.map((c) => [`db/${c.metadata?.name ?? ''}`, c]));
}

/** change applies an edit to a freshly built child and returns it. */
function change<T extends KubeObject>(child: T, edit: (c: T) => void): T {
  edit(child);
  return child;
}

/** What a reader of the observation sees: each Backup's role (and slot), each compact's state and window, the rest by type. */
function view(o: Observation): { backups: string[]; compacts: string[]; others: string[] } {
  return {
    backups: o.backups.map((b) => (b.role === 'snapshot' ? `${b.name} snapshot ${iso(b.slot)}` : `${b.name} ${b.role}`)),
    compacts: o.compacts.map((c) => `${c.name} ${c.state} ${iso(c.startAt)}-${iso(c.endAt)}`),
    others: o.others.map((c) => `${c.type} ${c.name}`),
  };
}

const nightly = (hhmm: string): string => `nightly-2024-05-01t${hhmm.replace(':', '-')}-00`;
const noUid = ((): BackupSchedule => {
  const parent = schedule();
  delete parent.metadata.uid;
  return parent;
})();
const noName = ((): BackupSchedule => {
  const parent = schedule();
  delete parent.metadata.name;
  return parent;
})();
const otherController = { apiVersion: 'v1', kind: 'Thing', name: 'other', uid: 'uid-other', controller: true };
const plainOwner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'plain', uid: 'uid-plain' };

interface Case {
  name: string;
  parent?: BackupSchedule;
  children: Record<string, ChildMap>;
  backups?: string[];
  compacts?: string[];
  others?: string[];
}

const cases: Case[] = [
  {
    name: 'a log Backup known only by its fixed name (its template forgot backupMode: log) is the log backup, never a snapshot',
    children: { [BACKUPS]: byKey([backup({ slot: at('00:10'), name: 'log-nightly', annotate: false, state: 'running' })]) },
    backups: ['log-nightly log'],
  },
  {
    name: 'a Backup whose status is still null is a snapshot of its slot',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10'), state: 'new' }), (c) => Object.assign(c, { status: null }))]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a labelled Backup without owner references is the schedule’s',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => delete c.metadata!.ownerReferences)]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a plain (non-controller) owner reference beside the schedule’s does not make a Backup foreign',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => c.metadata!.ownerReferences!.push(plainOwner))]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a Backup another controller owns is foreign, whatever plain owner references it also has',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => (c.metadata!.ownerReferences = [plainOwner, otherController]))]) },
    backups: [`${nightly('00:10')} foreign`],
  },
  {
    name: 'a null owner reference is skipped, not fatal',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => c.metadata!.ownerReferences!.unshift(null as never))]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a parent without a uid cannot tell controllers apart: a labelled Backup counts',
    parent: noUid,
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => (c.metadata!.ownerReferences = [otherController]))]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a parent without a name owns no Backup, not even an unlabelled one',
    parent: noName,
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => delete c.metadata!.labels)]) },
    backups: [`${nightly('00:10')} foreign`],
  },
  {
    name: 'a Backup without labels is foreign',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10') }), (c) => delete c.metadata!.labels)]) },
    backups: [`${nightly('00:10')} foreign`],
  },
  {
    name: 'a Backup without annotations reads its slot from its name',
    children: { [BACKUPS]: byKey([change(backup({ slot: at('00:10'), created: at('00:13') }), (c) => delete c.metadata!.annotations)]) },
    backups: [`${nightly('00:10')} snapshot 00:10`],
  },
  {
    name: 'a child without metadata is kept under its key’s name and never counted',
    children: { [BACKUPS]: { 'db/orphan': { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', spec: {} } } },
    backups: ['orphan foreign'],
  },
  {
    name: 'a child with an empty name is named by its key',
    children: { [BACKUPS]: { 'db/by-key': change(backup({ slot: at('00:10') }), (c) => (c.metadata!.name = '')) } },
    backups: ['by-key snapshot 00:10'],
  },
  {
    name: 'a CompactBackup of another schedule is not among this schedule’s compacts',
    children: { [COMPACTS]: byKey([compactBackup({ schedule: 'weekly', start: at('00:00'), end: at('01:00') })]) },
    compacts: [],
    others: [`${COMPACTS} compact-weekly-2024-05-01t00-00-00`],
  },
  {
    name: 'a child of another type that carries the schedule’s label stays among the others, never a compact',
    children: { 'ConfigMap.v1': { 'db/settings': { metadata: { name: 'settings', labels: { 'tidb.pingcap.com/backup-schedule': 'nightly' } } } } },
    others: ['ConfigMap.v1 settings'],
  },
  {
    name: 'a CompactBackup with a null status and no spec is unfinished, its window unknown',
    children: {
      [COMPACTS]: byKey([change(compactBackup({ start: at('00:00'), end: at('01:00') }), (c) => (Object.assign(c, { status: null }), delete c.spec))]),
    },
    compacts: ['compact-nightly-2024-05-01t00-00-00 unfinished null-null'],
  },
  {
    name: 'a CompactBackup whose window is not text has no window',
    children: {
      [COMPACTS]: byKey([change(compactBackup({ start: at('00:00'), end: at('01:00'), state: 'Failed' }), (c) => Object.assign(c.spec!, { startTs: 12345, endTs: true }))]),
    },
    compacts: ['compact-nightly-2024-05-01t00-00-00 failed null-null'],
  },
  {
    name: 'every list comes sorted by name (others by type, then name), whatever order the request has',
    children: {
      [BACKUPS]: byKey([backup({ slot: at('00:20') }), backup({ slot: at('00:10') })]),
      [COMPACTS]: byKey([compactBackup({ start: at('01:00'), end: at('02:00') }), compactBackup({ start: at('00:00'), end: at('01:00') })]),
      'ConfigMap.v1': { 'db/b': { metadata: { name: 'b' } }, 'db/a': { metadata: { name: 'a' } } },
      'Alpha.example.com/v1': { 'db/z': { metadata: { name: 'z' } } },
    },
    backups: [`${nightly('00:10')} snapshot 00:10`, `${nightly('00:20')} snapshot 00:20`],
    compacts: ['compact-nightly-2024-05-01t00-00-00 complete 00:00-01:00', 'compact-nightly-2024-05-01t01-00-00 complete 01:00-02:00'],
    others: ['Alpha.example.com/v1 z', 'ConfigMap.v1 a', 'ConfigMap.v1 b'],
  },
];

describe('observeChildren: which Backups are the schedule’s', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(view(observeChildren(c.parent ?? schedule(), c.children)), { backups: c.backups ?? [], compacts: c.compacts ?? [], others: c.others ?? [] });
    });
  }
});

describe('slotOf', () => {
  it('reads no slot from an object without metadata', () => {
    assert.equal(slotOf({ kind: 'Backup' }, { scheduleName: 'nightly', name: 'x' }), null);
  });
});

/** Everything observation says about each Backup: role, and for a snapshot its slot, state, age and commit TSO. */
function detail(o: Observation): string[] {
  return o.backups.map((b) => {
    const base = `${b.name} ${b.role}${b.deleting ? ' deleting' : ''}`;
    if (b.role !== 'snapshot') return base;
    return `${base} slot=${new Date(b.slot).toISOString()} ${b.state} age=${new Date(b.ageAt).toISOString()} tso=${b.commitTso === null ? 'null' : b.commitTso.toString()}`;
  });
}

describe('observeChildren: what it reads from each Backup', () => {
  const SLOT = '2024-05-01T00:10:00Z';
  const commitTs = tsoAt('2024-05-01T00:10:10Z');
  const cases: Array<{ name: string; child: KubeObject; want: string }> = [
    {
      name: 'a complete Backup: its slot, state, commit TSO, and its age by that commit',
      child: backup({ slot: SLOT, commitTs }),
      want: `${nightly('00:10')} snapshot slot=2024-05-01T00:10:00.000Z complete age=2024-05-01T00:10:10.000Z tso=${commitTs}`,
    },
    {
      name: 'a running Backup without commitTs: aged by its creation, no TSO',
      child: backup({ slot: SLOT, state: 'running', created: '2024-05-01T00:10:03Z' }),
      want: `${nightly('00:10')} snapshot slot=2024-05-01T00:10:00.000Z unfinished age=2024-05-01T00:10:03.000Z tso=null`,
    },
    { name: 'a failed Backup is failed', child: backup({ slot: SLOT, state: 'failed', commitTs: null, created: '2024-05-01T00:10:03Z' }), want: `${nightly('00:10')} snapshot slot=2024-05-01T00:10:00.000Z failed age=2024-05-01T00:10:03.000Z tso=null` },
    {
      name: 'one being deleted is still observed, marked deleting',
      child: backup({ slot: SLOT, commitTs, deleting: '2024-05-01T01:00:00Z' }),
      want: `${nightly('00:10')} snapshot deleting slot=2024-05-01T00:10:00.000Z complete age=2024-05-01T00:10:10.000Z tso=${commitTs}`,
    },
    {
      name: 'a log Backup by its mode, whatever its name',
      child: backup({ slot: SLOT, mode: 'log', state: 'running' }),
      want: `${nightly('00:10')} log`,
    },
    {
      name: 'a commitTs that is not a TSO: its age cannot be read, so it is foreign (kept, never counted)',
      child: backup({ slot: SLOT, commitTs: 'yesterday' }),
      want: `${nightly('00:10')} foreign`,
    },
    {
      name: 'a garbage scheduled-at annotation: not understood, foreign, though its name would give a slot',
      child: change(backup({ slot: SLOT }), (c) => (c.metadata!.annotations!['backup-schedule-hook/scheduled-at'] = 'garbage')),
      want: `${nightly('00:10')} foreign`,
    },
    {
      name: 'neither annotation nor a slot in its name: the slot is its creationTimestamp',
      child: backup({ slot: SLOT, name: 'nightly-by-hand', annotate: false, created: '2024-05-01T00:12:00Z', commitTs }),
      want: `nightly-by-hand snapshot slot=2024-05-01T00:12:00.000Z complete age=2024-05-01T00:10:10.000Z tso=${commitTs}`,
    },
    {
      name: 'no slot anywhere (no annotation, a free name, no creationTimestamp): foreign',
      child: change(backup({ slot: SLOT, name: 'nightly-by-hand', annotate: false, commitTs }), (c) => delete c.metadata!.creationTimestamp),
      want: 'nightly-by-hand foreign',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(detail(observeChildren(schedule(), { [BACKUPS]: byKey([c.child]) })), [c.want]);
    });
  }

  it('a child type whose map is null is skipped, not fatal', () => {
    const children = { [BACKUPS]: byKey([backup({ slot: SLOT })]), 'ConfigMap.v1': null as unknown as ChildMap };
    assert.deepEqual(view(observeChildren(schedule(), children)).backups, [`${nightly('00:10')} snapshot 00:10`]);
  });
});

describe('compareNames', () => {
  const cases: Array<{ a: string; b: string; order: number }> = [
    { a: 'a', b: 'b', order: -1 },
    { a: 'b', b: 'a', order: 1 },
    { a: 'same', b: 'same', order: 0 },
    { a: 'Z', b: 'a', order: -1 },
    { a: 'a', b: 'a-1', order: -1 },
  ];
  for (const c of cases) it(`${JSON.stringify(c.a)} vs ${JSON.stringify(c.b)}: ${c.order}`, () => assert.equal(compareNames(c.a, c.b), c.order));
});
