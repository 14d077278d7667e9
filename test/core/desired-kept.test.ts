import assert from 'node:assert/strict';

import { desiredFormOfKept } from '../../src/core/kept-form.js';
import { scheduleLabels } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import type { BackupSchedule, KubeObject } from '../../src/core/types.js';
import { BR_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, request, schedule, withCompacts } from '../support/objects.js';

const SLOT = '2024-05-01T02:00:00Z';
const NAME = 'nightly-2024-05-01t02-00-00';

/** A Backup of the slot whose last-applied configuration (and live metadata) carries these labels. */
function withLabels(labels: Record<string, string>): KubeObject {
  return backup({ slot: SLOT, labels });
}

/** The object with another live namespace, its last-applied configuration unchanged. */
function moved(object: KubeObject, namespace: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Other Backups, each with its own uid, to fill whatever the hook remembers. */
function others(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => backup({ slot: new Date(Date.parse('2000-01-01T00:00:00Z') + i * 60_000).toISOString() }));
}

describe('desiredFormOfKept: the form follows the last-applied configuration', () => {
  const cases: Array<{ name: string; seen: Array<() => KubeObject>; expect: { labels: Record<string, string>; namespace: string } }> = [
    {
      name: 'the configuration applied, not the live labels',
      seen: [() => {
        const object = withLabels({ team: 'a' });
        if (object.metadata?.labels !== undefined) object.metadata.labels['added-by-someone'] = 'x';
        return object;
      }],
      expect: { labels: { team: 'a' }, namespace: 'db' },
    },
    {
      name: 'a changed configuration of the same Backup (same uid)',
      seen: [() => withLabels({ team: 'a' }), () => withLabels({ team: 'b' })],
      expect: { labels: { team: 'b' }, namespace: 'db' },
    },
    {
      name: 'the same uid and configuration text, the object now in another namespace',
      seen: [() => withLabels({ team: 'a' }), () => moved(withLabels({ team: 'a' }), 'other')],
      expect: { labels: { team: 'a' }, namespace: 'other' },
    },
    {
      name: 'a change after more Backups than the hook remembers (40,000)',
      seen: [() => withLabels({ team: 'a' }), ...others(40_000).map((o) => () => o), () => withLabels({ team: 'c' })],
      expect: { labels: { team: 'c' }, namespace: 'db' },
    },
    {
      name: 'the first configuration again after a change and 20,000 other Backups',
      seen: [() => withLabels({ team: 'a' }), () => withLabels({ team: 'b' }), ...others(20_000).map((o) => () => o), () => withLabels({ team: 'a' })],
      expect: { labels: { team: 'a' }, namespace: 'db' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let form;
      for (const make of c.seen) {
        const object = make();
        form = desiredFormOfKept(object, object.metadata?.name ?? '');
      }
      assert.ok(form !== undefined);
      assert.equal(form.metadata.name, NAME);
      assert.equal(form.metadata.namespace, c.expect.namespace);
      assert.deepEqual(form.metadata.labels, c.expect.labels);
    });
  }

  it('falls back to the live object when the configuration cannot be read', () => {
    const object = withLabels({ team: 'a' });
    const annotations = object.metadata?.annotations ?? {};
    annotations['metacontroller.k8s.io/last-applied-configuration'] = '{"spec": ';
    if (object.metadata?.labels !== undefined) object.metadata.labels['live'] = 'yes';
    const form = desiredFormOfKept(object, NAME);
    assert.equal(form.metadata.labels?.['live'], 'yes');
    assert.deepEqual(form.spec, object.spec);
  });

  it('gives a child that names neither apiVersion nor kind, anywhere, those of a TiDB Backup', () => {
    assert.deepEqual(desiredFormOfKept({ metadata: { name: 'bare' } }, 'bare'), { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'bare' } });
    const applied = JSON.stringify({ apiVersion: 'pingcap.com/v1beta1', kind: 'CompactBackup', metadata: { name: 'applied' } });
    const fromApplied = desiredFormOfKept({ metadata: { name: 'applied', uid: 'uid-no-kind', annotations: { 'metacontroller.k8s.io/last-applied-configuration': applied } } }, 'applied');
    assert.deepEqual([fromApplied.apiVersion, fromApplied.kind], ['pingcap.com/v1beta1', 'CompactBackup']);
  });

  it('keeps a child without metadata or annotations (observed as foreign) as it is, under the name it was kept by', () => {
    const form = desiredFormOfKept({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', spec: { backupType: 'full' } }, 'orphan');
    assert.deepEqual(form, { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'orphan' }, spec: { backupType: 'full' } });
    const unannotated = desiredFormOfKept({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'bare', namespace: 'db', labels: { team: 'a' } } }, 'bare');
    assert.deepEqual(unannotated, { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'bare', namespace: 'db', labels: { team: 'a' } } });
  });

  it('hands out a form no caller can change, so one answer cannot alter the next', () => {
    const form = desiredFormOfKept(withLabels({ team: 'a' }), NAME);
    assert.throws(() => {
      form.metadata.name = 'renamed';
    }, TypeError);
    assert.throws(() => {
      form.spec = {};
    }, TypeError);
    assert.equal(desiredFormOfKept(withLabels({ team: 'a' }), NAME).metadata.name, NAME);
  });
});

describe('desiredFormOfKept: a form is reused only for the same identity', () => {
  const cases: Array<{ name: string; change: (object: KubeObject) => KubeObject; keptAs: string; expect: { name: string; apiVersion: string; kind: string } }> = [
    { name: 'the same uid and configuration, kept under another name', change: (o) => o, keptAs: 'renamed', expect: { name: 'renamed', apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup' } },
    { name: 'the same uid and configuration, another apiVersion', change: (o) => ({ ...o, apiVersion: 'pingcap.com/v1beta1' }), keptAs: NAME, expect: { name: NAME, apiVersion: 'pingcap.com/v1beta1', kind: 'Backup' } },
    { name: 'the same uid and configuration, another kind', change: (o) => ({ ...o, kind: 'CompactBackup' }), keptAs: NAME, expect: { name: NAME, apiVersion: 'pingcap.com/v1alpha1', kind: 'CompactBackup' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const first = withLabels({ team: 'identity' });
      desiredFormOfKept(first, NAME);
      const form = desiredFormOfKept(c.change(withLabels({ team: 'identity' })), c.keptAs);
      assert.deepEqual({ name: form.metadata.name, apiVersion: form.apiVersion, kind: form.kind }, c.expect);
      assert.deepEqual(form.metadata.labels, { team: 'identity' });
    });
  }
});

describe('kept children: never a controller-uid other than the schedule\'s (Metacontroller refuses the whole answer)', () => {
  // Backups the hook made for an earlier schedule of the same name (deleted with --cascade=orphan, or restored from a
  // cluster backup), labelled for this one as docs/install.md says: their live label is this schedule's uid (else
  // Metacontroller would not send them), their last-applied configuration still names the earlier uid. An answer
  // keeping them as applied fails Metacontroller's selector check on every sync: no Backup is ever created again.
  const NOW = Date.parse('2024-05-01T00:10:05Z');
  const earlier = (object: KubeObject, uid: string | null): KubeObject => {
    const annotations = object.metadata?.annotations ?? {};
    const applied = JSON.parse(annotations['metacontroller.k8s.io/last-applied-configuration'] ?? '{}') as KubeObject;
    const labels = { ...(applied.metadata?.labels ?? {}) };
    if (uid === null) delete labels['controller-uid'];
    else labels['controller-uid'] = uid;
    applied.metadata = { ...applied.metadata, labels };
    return { ...object, metadata: { ...object.metadata, annotations: { ...annotations, 'metacontroller.k8s.io/last-applied-configuration': JSON.stringify(applied) } } };
  };
  const children = (uid: string | null): { backups: KubeObject[]; compacts: KubeObject[] } => ({
    backups: [
      earlier(backup({ slot: '2024-05-01T00:00:00Z' }), uid),
      earlier(logBackup({ start: '2024-05-01T00:00:00Z', checkpoint: '2024-05-01T00:09:00Z' }), uid),
    ],
    compacts: [earlier(compactBackup({ start: '2024-05-01T00:00:00Z', end: '2024-05-01T00:05:00Z' }), uid)],
  });
  const spec = { schedule: '*/10 * * * *', maxReservedTime: '1h', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE };
  const parents: ReadonlyArray<{ name: string; parent: BackupSchedule; finalizing?: boolean }> = [
    { name: 'a valid spec', parent: schedule({ spec, status: { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: '2024-05-01T00:00:00Z', logBackup: 'log-nightly' } }) },
    { name: 'an invalid spec', parent: schedule({ spec: { ...spec, schedule: 'never' } }) },
    { name: 'a schedule being deleted', parent: schedule({ spec, deletionTimestamp: '2024-05-01T00:10:00Z' }) },
    { name: 'a finalize call', parent: schedule({ spec }), finalizing: true },
  ];
  const cases: ReadonlyArray<{ name: string; applied: string | null; expect: string | undefined }> = [
    { name: "applied under an earlier schedule's uid: the schedule's own", applied: 'uid-earlier', expect: 'uid-nightly' },
    { name: "applied under the schedule's uid: as applied", applied: 'uid-nightly', expect: 'uid-nightly' },
    { name: 'applied without the label: none (Metacontroller adds it)', applied: null, expect: undefined },
  ];
  for (const p of parents) {
    for (const c of cases) {
      it(`${p.name}, ${c.name}`, () => {
        const seen = children(c.applied);
        const req = withCompacts(request(p.parent, seen.backups, p.finalizing === true ? { finalizing: true } : {}), seen.compacts);
        const { response } = decide(req, { now: NOW });
        const kept = response.children.filter((child) => ['nightly-2024-05-01t00-00-00', 'log-nightly', 'compact-nightly-2024-05-01t00-00-00'].includes(child.metadata.name));
        assert.deepEqual(
          kept.map((child) => [child.kind, child.metadata.name, child.metadata.labels?.['controller-uid']]),
          [
            ['Backup', 'log-nightly', c.expect],
            ['Backup', 'nightly-2024-05-01t00-00-00', c.expect],
            ['CompactBackup', 'compact-nightly-2024-05-01t00-00-00', c.expect],
          ].sort((a, b) => (`${a[0]}/${a[1]}` < `${b[0]}/${b[1]}` ? -1 : 1)),
        );
        for (const child of kept) {
          const { 'controller-uid': _uid, ...others } = child.metadata.labels ?? {};
          assert.deepEqual(others, scheduleLabels('nightly'), `${child.metadata.name}: its other labels as applied`);
        }
      });
    }
  }
});

describe('kept children: a form taken from the live object carries no controller-uid but the schedule\'s', () => {
  // No last-applied configuration (a Backup made by hand, adopted), or one that cannot be read: the form is the live
  // object, and only a controller-uid naming another schedule is replaced; without a schedule uid, nothing is.
  const live = (uid: string | null, lastApplied: 'none' | 'unreadable'): KubeObject => {
    const labels: Record<string, string> = { team: 'a' };
    if (uid !== null) labels['controller-uid'] = uid;
    const annotations = lastApplied === 'none' ? {} : { 'metacontroller.k8s.io/last-applied-configuration': '{"spec": ' };
    return { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'by-hand', namespace: 'db', uid: `uid-by-hand-${uid}`, labels, annotations } };
  };
  const cases: ReadonlyArray<{ name: string; uid: string | null; parentUid: string | undefined; want: Record<string, string> }> = [
    { name: "another schedule's uid: the schedule's", uid: 'uid-earlier', parentUid: 'uid-nightly', want: { team: 'a', 'controller-uid': 'uid-nightly' } },
    { name: "the schedule's uid: as it is", uid: 'uid-nightly', parentUid: 'uid-nightly', want: { team: 'a', 'controller-uid': 'uid-nightly' } },
    { name: 'no controller-uid: none', uid: null, parentUid: 'uid-nightly', want: { team: 'a' } },
    { name: 'no schedule uid given: as it is', uid: 'uid-earlier', parentUid: undefined, want: { team: 'a', 'controller-uid': 'uid-earlier' } },
    { name: 'no schedule uid given, no controller-uid: none', uid: null, parentUid: undefined, want: { team: 'a' } },
  ];
  for (const lastApplied of ['none', 'unreadable'] as const) {
    for (const c of cases) {
      it(`last-applied configuration ${lastApplied}, ${c.name}`, () => {
        assert.deepEqual(desiredFormOfKept(live(c.uid, lastApplied), 'by-hand', { parentUid: c.parentUid }).metadata.labels, c.want);
      });
    }
  }
});
