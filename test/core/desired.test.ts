import assert from 'node:assert/strict';

import { buildSnapshotBackup, storagePrefixOf } from '../../src/core/desired.js';
import { readSpec } from '../../src/core/spec.js';
import type { BackupSchedule, JsonObject } from '../../src/core/types.js';
import { schedule } from '../support/objects.js';

const SLOT = Date.parse('2024-05-01T02:00:00Z');
const STAMP = '2024-05-01t02-00-00';
const S3 = { provider: 'aws', bucket: 'backups', prefix: 'schedule-backup' };

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
