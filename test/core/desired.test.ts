import assert from 'node:assert/strict';

import { buildSnapshotBackup, storagePrefixOf } from '../../src/core/desired.js';
import { echoUnmanaged } from '../../src/core/kept-form.js';
import { readSpec } from '../../src/core/spec.js';
import type { BackupSchedule, JsonObject, KubeObject } from '../../src/core/types.js';
import { schedule } from '../support/objects.js';

const SLOT = Date.parse('2024-05-01T02:00:00Z');
const STAMP = '2024-05-01t02-00-00';
const S3 = { provider: 'aws', bucket: 'backups', prefix: 'schedule-backup' };
const BR = { br: { cluster: 'basic', clusterNamespace: 'tidb' }, s3: S3 };

/** The Backup the hook would create for SLOT from a schedule with these spec fields (and this parent). */
function built(fields: JsonObject, parent: BackupSchedule = schedule()): { namespace: string | undefined; spec: JsonObject | undefined } {
  parent.spec = { schedule: '0 2 * * *', ...fields };
  const read = readSpec(parent);
  assert.ok(read.ok, read.ok ? '' : read.problems.join('; '));
  const backup = buildSnapshotBackup(parent, read.spec, { slot: SLOT, handoverLabelKey: 'handover' });
  return { namespace: backup.metadata.namespace, spec: backup.spec as JsonObject | undefined };
}

const noNamespace = ((): BackupSchedule => {
  const parent = schedule();
  delete parent.metadata.namespace;
  return parent;
})();

describe('buildSnapshotBackup: the storage prefix, as upstream extends it', () => {
  const cases: { name: string; template: JsonObject; parent?: BackupSchedule; prefix: string | null; namespace?: string | undefined }[] = [
    { name: 'cluster and clusterNamespace from br', template: { br: { cluster: 'basic', clusterNamespace: 'tidb' }, s3: S3 }, prefix: `schedule-backup/basic-pd.tidb-2379-${STAMP}` },
    { name: 'an empty clusterNamespace: the schedule’s namespace', template: { br: { cluster: 'basic', clusterNamespace: '' }, s3: S3 }, prefix: `schedule-backup/basic-pd.db-2379-${STAMP}` },
    { name: 'a clusterNamespace that is not text: the schedule’s namespace', template: { br: { cluster: 'basic', clusterNamespace: 7 }, s3: S3 }, prefix: `schedule-backup/basic-pd.db-2379-${STAMP}` },
    { name: 'a cluster that is not text: none', template: { br: { cluster: 5, clusterNamespace: 'tidb' }, s3: S3 }, prefix: `schedule-backup/-pd.tidb-2379-${STAMP}` },
    { name: 'no namespace anywhere: none, and the Backup has no namespace field', template: { br: { cluster: 'basic' }, s3: S3 }, parent: noNamespace, prefix: `schedule-backup/basic-pd.-2379-${STAMP}`, namespace: undefined },
    { name: 'the first storage that is an object is the one extended', template: { br: { cluster: 'basic', clusterNamespace: 'tidb' }, s3: 'not-an-object', gcs: { prefix: 'g' } }, prefix: `g/basic-pd.tidb-2379-${STAMP}` },
    { name: 'a prefix that is not text: the suffix alone', template: { br: { cluster: 'basic', clusterNamespace: 'tidb' }, s3: { prefix: 3 } }, prefix: `basic-pd.tidb-2379-${STAMP}` },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { namespace, spec } = built({ backupTemplate: c.template }, c.parent);
      assert.equal(storagePrefixOf(spec ?? {}), c.prefix);
      assert.equal(namespace, 'namespace' in c ? c.namespace : 'db');
    });
  }
});

describe('buildSnapshotBackup: storage defaults of a Backup without br', () => {
  const classes = { storageClassName: 'fast', volumeAttributesClassName: 'gold', storageSize: '50Gi' };
  const pick = (spec: JsonObject | undefined): JsonObject =>
    Object.fromEntries(Object.entries(spec ?? {}).filter(([key]) => key in classes));
  const cases: { name: string; template: JsonObject; schedule: JsonObject; want: JsonObject }[] = [
    { name: 'none set: 100Gi', template: {}, schedule: {}, want: { storageSize: '100Gi' } },
    { name: 'the schedule’s when the template has none', template: {}, schedule: classes, want: classes },
    { name: 'the schedule’s when the template’s are empty', template: { storageClassName: '', volumeAttributesClassName: '', storageSize: '' }, schedule: classes, want: classes },
    {
      name: 'the template’s win over the schedule’s',
      template: { storageClassName: 'slow', volumeAttributesClassName: 'silver', storageSize: '10Gi' },
      schedule: classes,
      want: { storageClassName: 'slow', volumeAttributesClassName: 'silver', storageSize: '10Gi' },
    },
    { name: 'the template’s stay when the schedule sets none', template: { storageClassName: 'slow', volumeAttributesClassName: 'silver', storageSize: '10Gi' }, schedule: {}, want: { storageClassName: 'slow', volumeAttributesClassName: 'silver', storageSize: '10Gi' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(pick(built({ backupTemplate: { s3: S3, ...c.template }, ...c.schedule }).spec), c.want);
    });
  }
});

describe('storagePrefixOf', () => {
  const cases: { name: string; spec: JsonObject; prefix: string | null }[] = [
    { name: 'the first storage that is an object', spec: { s3: 'x', gcs: { prefix: 'g' }, local: { prefix: 'l' } }, prefix: 'g' },
    { name: 'a prefix that is not text: none', spec: { s3: { prefix: 3 } }, prefix: null },
    { name: 'no storage: none', spec: {}, prefix: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(storagePrefixOf(c.spec), c.prefix);
    });
  }
});

describe('buildSnapshotBackup: the labels and annotations a Backup gets from its schedule', () => {
  const upstream = {
    'app.kubernetes.io/name': 'backup-schedule',
    'app.kubernetes.io/managed-by': 'backup-schedule-operator',
    'app.kubernetes.io/instance': 'nightly',
    'tidb.pingcap.com/backup-schedule': 'nightly',
  };
  const cases: { name: string; labels?: Record<string, unknown>; annotations?: Record<string, unknown>; wantLabels: Record<string, string>; wantAnnotations: Record<string, string> }[] = [
    {
      name: 'none on the schedule: upstream’s four labels and the slot annotation',
      wantLabels: upstream,
      wantAnnotations: { 'backup-schedule-hook/scheduled-at': '2024-05-01T02:00:00Z' },
    },
    {
      name: 'the schedule’s labels are copied, upstream’s four win over them',
      labels: { team: 'a', 'app.kubernetes.io/instance': 'other', 'tidb.pingcap.com/backup-schedule': 'other' },
      wantLabels: { team: 'a', ...upstream },
      wantAnnotations: { 'backup-schedule-hook/scheduled-at': '2024-05-01T02:00:00Z' },
    },
    {
      name: 'never the handover label, nor controller-uid, nor a label that is not text',
      labels: { handover: 'true', 'controller-uid': 'uid-parent-of-schedule', count: 3, team: 'a' },
      wantLabels: { team: 'a', ...upstream },
      wantAnnotations: { 'backup-schedule-hook/scheduled-at': '2024-05-01T02:00:00Z' },
    },
    {
      name: 'the schedule’s annotations except kubectl’s, the backup-now request and those that are not text',
      annotations: {
        owner: 'dba',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'kubectl.kubernetes.io/restartedAt': 'now',
        'backup-schedule-hook/backup-now': 'tok',
        'example.com/kubectl.kubernetes.io/x': 'kept',
        odd: 5,
      },
      wantLabels: upstream,
      wantAnnotations: { owner: 'dba', 'example.com/kubectl.kubernetes.io/x': 'kept', 'backup-schedule-hook/scheduled-at': '2024-05-01T02:00:00Z' },
    },
    {
      name: 'the hook’s own slot annotation wins over one the schedule carries',
      annotations: { 'backup-schedule-hook/scheduled-at': '1999-01-01T00:00:00Z' },
      wantLabels: upstream,
      wantAnnotations: { 'backup-schedule-hook/scheduled-at': '2024-05-01T02:00:00Z' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ labels: c.labels as Record<string, string>, annotations: c.annotations as Record<string, string> });
      parent.spec = { schedule: '0 2 * * *', backupTemplate: BR };
      const read = readSpec(parent);
      assert.ok(read.ok, read.ok ? '' : read.problems.join('; '));
      const made = buildSnapshotBackup(parent, read.spec, { slot: SLOT, handoverLabelKey: 'handover' });
      assert.deepEqual(made.metadata.labels, c.wantLabels);
      assert.deepEqual(made.metadata.annotations, c.wantAnnotations);
    });
  }
});

describe('buildSnapshotBackup: a backup-now Backup', () => {
  it('is named, annotated and prefixed by its token, with no slot annotation', () => {
    const parent = schedule({ annotations: { 'backup-schedule-hook/backup-now': 'tok1' } });
    parent.spec = { schedule: '0 2 * * *', backupTemplate: BR };
    const read = readSpec(parent);
    assert.ok(read.ok, read.ok ? '' : read.problems.join('; '));
    const made = buildSnapshotBackup(parent, read.spec, { backupNowToken: 'tok1', handoverLabelKey: 'handover' });
    assert.equal(made.metadata.name, 'nightly-manual-tok1');
    assert.deepEqual(made.metadata.annotations, { 'backup-schedule-hook/backup-now': 'tok1' });
    assert.equal(storagePrefixOf(made.spec as JsonObject), 'schedule-backup/basic-pd.tidb-2379-manual-tok1');
  });
});

describe('buildSnapshotBackup: the template is copied, imagePullSecrets overwritten', () => {
  const cases: { name: string; template: JsonObject; secrets?: unknown; want: unknown }[] = [
    { name: 'the template’s own when the schedule sets none', template: { ...BR, imagePullSecrets: [{ name: 't' }] }, want: [{ name: 't' }] },
    { name: 'the schedule’s overwrite the template’s', template: { ...BR, imagePullSecrets: [{ name: 't' }] }, secrets: [{ name: 's' }], want: [{ name: 's' }] },
    { name: 'an empty list on the schedule empties them', template: { ...BR, imagePullSecrets: [{ name: 't' }] }, secrets: [], want: [] },
    { name: 'none anywhere: none', template: BR, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const template = structuredClone(c.template);
      const { spec } = built({ backupTemplate: template, ...(c.secrets === undefined ? {} : { imagePullSecrets: c.secrets as JsonObject[] }) });
      assert.deepEqual(spec?.['imagePullSecrets'], c.want);
      // The Backup owns its copy: changing it leaves the schedule’s template as it was.
      (spec?.['s3'] as JsonObject)['bucket'] = 'changed';
      if (Array.isArray(spec?.['imagePullSecrets'])) (spec['imagePullSecrets'] as unknown[]).push({ name: 'added' });
      assert.deepEqual(template, c.template);
    });
  }
  it('the schedule’s imagePullSecrets stay the schedule’s', () => {
    const secrets = [{ name: 's' }];
    const { spec } = built({ backupTemplate: BR, imagePullSecrets: secrets });
    (spec?.['imagePullSecrets'] as JsonObject[])[0]!['name'] = 'changed';
    assert.deepEqual(secrets, [{ name: 's' }]);
  });
});

describe('echoUnmanaged: a child of a type the hook does not manage, echoed without status or server-set metadata', () => {
  const object = {
    metadata: {
      name: 'observed-name',
      namespace: 'db',
      labels: { a: 'b' },
      annotations: { c: 'd' },
      finalizers: ['x'],
      uid: 'u',
      resourceVersion: '1',
      managedFields: [],
      ownerReferences: [{ uid: 'p' }],
      creationTimestamp: '2024-05-01T00:00:00Z',
      deletionTimestamp: '2024-05-01T00:00:00Z',
      deletionGracePeriodSeconds: 30,
      generation: 2,
      selfLink: '/x',
    },
    data: { k: 'v' },
    spec: { s: 1 },
    status: { phase: 'Bound' },
  } as unknown as KubeObject;
  const cases: { name: string; type: string; apiVersion: string; kind: string }[] = [
    { name: 'a core type: kind before the first dot, apiVersion after it', type: 'ConfigMap.v1', apiVersion: 'v1', kind: 'ConfigMap' },
    { name: 'a grouped type', type: 'CompactBackup.pingcap.com/v1alpha1', apiVersion: 'pingcap.com/v1alpha1', kind: 'CompactBackup' },
    { name: 'a type key without a dot: all apiVersion, no kind', type: 'Odd', apiVersion: 'Odd', kind: '' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const echoed = echoUnmanaged(object, { name: 'key-name', type: c.type });
      assert.deepEqual(echoed, {
        apiVersion: c.apiVersion,
        kind: c.kind,
        metadata: { name: 'key-name', namespace: 'db', labels: { a: 'b' }, annotations: { c: 'd' }, finalizers: ['x'] },
        data: { k: 'v' },
        spec: { s: 1 },
      });
    });
  }
  it('the object’s own apiVersion and kind are echoed as they are', () => {
    const echoed = echoUnmanaged({ ...object, apiVersion: 'example.com/v2', kind: 'Thing' }, { name: 'key-name', type: 'ConfigMap.v1' });
    assert.deepEqual([echoed.apiVersion, echoed.kind], ['example.com/v2', 'Thing']);
  });
  it('an object without metadata gets its name alone', () => {
    assert.deepEqual(echoUnmanaged({ data: { k: 'v' } } as unknown as KubeObject, { name: 'n', type: 'ConfigMap.v1' }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: { k: 'v' } });
  });
  it('a `__proto__` field is copied as a plain field, never as the prototype', () => {
    const hostile = JSON.parse('{"metadata":{"name":"n","__proto__":{"polluted":true}},"__proto__":{"polluted":true}}') as KubeObject;
    const echoed = echoUnmanaged(hostile, { name: 'n', type: 'ConfigMap.v1' });
    assert.equal((echoed as unknown as { polluted?: boolean }).polluted, undefined);
    assert.equal((echoed.metadata as unknown as { polluted?: boolean }).polluted, undefined);
    assert.equal(JSON.stringify(echoed), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n","__proto__":{"polluted":true}},"__proto__":{"polluted":true}}');
  });
});
