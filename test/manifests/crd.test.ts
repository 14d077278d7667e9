import assert from 'node:assert/strict';
import { compileSchema, crdVersionSchema, prunedPaths, schemaAt, type SchemaNode } from './crd-schema.js';
import { findSyncExamples, type SyncExample } from './sync-examples.js';
import { REPO_ROOT, findOne, renderVariant } from './variants.js';

/** The handover label: TiDB Operator ignores objects carrying it, so children must never have it. */
const HANDOVER_LABEL = 'backup-schedule-hook/controller';

const TEMPLATE = { backupType: 'full', br: { cluster: 'basic', clusterNamespace: 'db' }, s3: { provider: 'aws', bucket: 'b', prefix: 'p' } };

/** A parent that sets every spec field and every status field the hook writes. */
const FULL_PARENT = {
  apiVersion: 'pingcap.com/v1alpha1',
  kind: 'BackupSchedule',
  metadata: { name: 'nightly', namespace: 'db', uid: 'u1', generation: 4, labels: { [HANDOVER_LABEL]: 'true' } },
  spec: {
    schedule: '0 2 * * *', pause: false, maxBackups: 10, maxReservedTime: '72h',
    backupTemplate: TEMPLATE,
    logBackupTemplate: { ...TEMPLATE, backupMode: 'log' },
    compactBackupTemplate: { br: { cluster: 'basic' }, concurrency: 4 },
    compactInterval: '1h', minCompactStartTs: '2026-01-01 00:00:00',
    storageClassName: 'fast', volumeAttributesClassName: 'gold', storageSize: '100Gi',
    imagePullSecrets: [{ name: 'registry' }],
    br: { cluster: 'basic' }, s3: { bucket: 'b' }, gcs: { bucket: 'g' }, azblob: { container: 'c' }, local: { prefix: 'l' },
    timeZone: 'Europe/Berlin', skipMissedOnUnpause: true, startingDeadlineSeconds: 600, backupTimeout: '6h',
    retention: {
      keepLast: 3, keepHourly: 24, keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: -1,
      keepWithin: '48h', minCompleted: 1, failedBackupsHistoryLimit: 5,
    },
  },
  status: {
    observedGeneration: 4,
    conditions: [{ type: 'Ready', status: 'True', reason: 'Scheduled', message: 'ok', lastTransitionTime: '2026-01-01T02:00:00Z', observedGeneration: 4 }],
    lastBackup: 'nightly-2026-01-01t02-00-00', lastBackupTime: '2026-01-01T02:00:00Z', allBackupCleanTime: '2026-01-01T00:00:00Z',
    lastBackupCreation: { name: 'nightly-2026-01-01t02-00-00', time: '2026-01-01T02:00:01Z' },
    nextBackupTime: '2026-01-02T02:00:00Z', lastSuccessfulBackup: 'nightly-2026-01-01t02-00-00', lastSuccessfulTime: '2026-01-01T02:10:00Z',
    logBackup: 'log-nightly', logBackupStartTs: '2025-12-01T00:00:00Z',
    lastCompact: 'compact-nightly-2026-01-01t01-00-00', lastCompactProgress: '2026-01-01T00:00:00Z', lastCompactExecutionTs: '2026-01-01T01:00:00Z',
    scheduleHash: 'a1b2c3', scheduleEditSeenAt: '2025-12-30T08:00:00Z', lastMissedTime: '2025-12-31T02:00:00Z', lastBackupNow: { name: 'nightly-now-1', token: 't1' },
    backupNowRequest: { token: 't2', seenAt: '2026-01-01T02:05:00Z' },
    groupTurn: { schedule: 'hourly', slot: '2026-01-01T01:00:00Z', seenAt: '2026-01-01T02:00:00Z', order: 'slot' },
  },
};

/** The smallest parent a user may write. */
const MINIMAL_PARENT = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'm' }, spec: { schedule: '@daily', backupTemplate: {} } };

const BUILT_IN: SyncExample[] = [
  { source: 'built-in full parent', parent: FULL_PARENT, status: FULL_PARENT.status },
  { source: 'built-in minimal parent', parent: MINIMAL_PARENT, status: {} },
];

/** Spec field → schema type, per the upstream type and this project's additions. */
const SPEC_FIELDS: Record<string, string> = {
  schedule: 'string', pause: 'boolean', maxBackups: 'integer', maxReservedTime: 'string', backupTemplate: 'object',
  logBackupTemplate: 'object', compactBackupTemplate: 'object', compactInterval: 'string', minCompactStartTs: 'string',
  storageClassName: 'string', volumeAttributesClassName: 'string', storageSize: 'string', imagePullSecrets: 'array',
  br: 'object', s3: 'object', gcs: 'object', azblob: 'object', local: 'object', timeZone: 'string',
  skipMissedOnUnpause: 'boolean', startingDeadlineSeconds: 'integer', backupTimeout: 'string', retention: 'object',
  'retention.keepLast': 'integer', 'retention.keepHourly': 'integer', 'retention.keepDaily': 'integer',
  'retention.keepWeekly': 'integer', 'retention.keepMonthly': 'integer', 'retention.keepYearly': 'integer',
  'retention.keepWithin': 'string', 'retention.minCompleted': 'integer', 'retention.failedBackupsHistoryLimit': 'integer',
};

/** Status field the hook writes → schema type (date-time for times). */
const STATUS_FIELDS: Record<string, string> = {
  lastBackup: 'string', lastBackupTime: 'date-time', allBackupCleanTime: 'date-time', nextBackupTime: 'date-time',
  lastSuccessfulBackup: 'string', lastSuccessfulTime: 'date-time', conditions: 'array', 'conditions[].type': 'string',
  'conditions[].status': 'string', 'conditions[].reason': 'string', 'conditions[].message': 'string',
  'conditions[].lastTransitionTime': 'date-time', 'conditions[].observedGeneration': 'integer', observedGeneration: 'integer',
  logBackup: 'string', logBackupStartTs: 'date-time', lastCompact: 'string', lastCompactProgress: 'date-time',
  lastCompactExecutionTs: 'date-time', scheduleHash: 'string', lastMissedTime: 'date-time', lastBackupNow: 'object',
  'lastBackupNow.name': 'string', 'lastBackupNow.token': 'string', backupNowRequest: 'object', 'backupNowRequest.token': 'string',
  'backupNowRequest.seenAt': 'date-time', lastBackupCreation: 'object', 'lastBackupCreation.name': 'string',
  'lastBackupCreation.time': 'date-time', scheduleEditSeenAt: 'date-time', groupTurn: 'object', 'groupTurn.schedule': 'string',
  'groupTurn.slot': 'date-time', 'groupTurn.seenAt': 'date-time', 'groupTurn.order': 'string', pausedBeforeInvalidSpec: 'boolean',
};

/**
 * Fields a fixture carries on purpose although this CRD prunes them, with the reason. Each entry
 * must still occur in some fixture, so the list cannot outlive its reason.
 */
const DELIBERATELY_UNDECLARED: Record<string, string> = {
  '.status.somethingNew': 'status-carried-forward: the hook carries status fields of a newer CRD; this CRD prunes them',
};

/** Type of a schema node as the tables above write it. */
function typeOf(node: SchemaNode | undefined): string | undefined {
  return node?.format === 'date-time' ? 'date-time' : node?.type;
}

/** The node for `a.b` or `a[].b` below `schema`. */
function fieldSchema(schema: SchemaNode, field: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const part of field.split('.')) {
    const name = part.replace(/\[\]$/, '');
    node = schemaAt(node ?? {}, name);
    if (part.endsWith('[]')) node = node?.items;
  }
  return node;
}

describe('BackupSchedule CRD schema', () => {
  const variant = renderVariant('all');
  const schema = crdVersionSchema(findOne(variant, 'CustomResourceDefinition'), 'v1alpha1');
  const statusSchema = schema.properties?.['status'] as SchemaNode;
  const validateParent = compileSchema(schema);
  const validateStatus = compileSchema(statusSchema);
  const controller = findOne(variant, 'CompositeController') as { spec?: { childResources?: Array<{ apiVersion: string; resource: string }> } };
  const declaredChildren = new Set((controller.spec?.childResources ?? []).map((child) => `${child.apiVersion} ${child.resource}`));
  const examples = [...BUILT_IN, ...findSyncExamples(REPO_ROOT)];

  for (const [field, type] of Object.entries(SPEC_FIELDS)) {
    it(`declares spec.${field} as ${type}`, () => {
      assert.equal(typeOf(fieldSchema(schema, `spec.${field}`)), type);
    });
  }
  for (const [field, type] of Object.entries(STATUS_FIELDS)) {
    it(`declares status.${field} as ${type}`, () => {
      assert.equal(typeOf(fieldSchema(statusSchema, field)), type);
    });
  }

  const allowedPruned = new Set<string>();
  /** Pruned paths that are not deliberately undeclared; remembers the deliberate ones seen. */
  const unexpectedlyPruned = (paths: string[]): string[] => paths.filter((found) => {
    if (!(found in DELIBERATELY_UNDECLARED)) return true;
    allowedPruned.add(found);
    return false;
  });

  for (const example of examples.filter((candidate) => candidate.parent !== undefined)) {
    it(`accepts the parent of ${example.source} and prunes none of its fields`, () => {
      assert.deepEqual(validateParent(example.parent), []);
      assert.deepEqual(unexpectedlyPruned(prunedPaths(example.parent, schema)), []);
    });
  }

  for (const example of examples.filter((candidate) => candidate.status !== undefined)) {
    it(`keeps every status field of ${example.source}`, () => {
      assert.deepEqual(validateStatus(example.status), []);
      assert.deepEqual(unexpectedlyPruned(prunedPaths(example.status, statusSchema, '.status')), []);
    });
  }

  it('lists as deliberately undeclared only fields some fixture still carries', () => {
    for (const example of examples) {
      if (example.parent !== undefined) unexpectedlyPruned(prunedPaths(example.parent, schema));
      if (example.status !== undefined) unexpectedlyPruned(prunedPaths(example.status, statusSchema, '.status'));
    }
    assert.deepEqual(Object.keys(DELIBERATELY_UNDECLARED).filter((found) => !allowedPruned.has(found)), []);
  });

  for (const example of examples.filter((candidate) => candidate.children !== undefined)) {
    it(`has Metacontroller own every child kind of ${example.source}, none with the handover label`, () => {
      const resources: Record<string, string> = { Backup: 'backups', CompactBackup: 'compactbackups' };
      for (const child of example.children as Array<{ apiVersion?: string; kind?: string; metadata?: { labels?: Record<string, string> } }>) {
        assert.ok(declaredChildren.has(`${child.apiVersion} ${resources[child.kind ?? ''] ?? child.kind}`), `${child.kind} is no childResource`);
        assert.equal(child.metadata?.labels?.[HANDOVER_LABEL], undefined);
      }
    });
  }

  describe('judges types, not values the hook judges itself', () => {
    const table: Array<[description: string, spec: Record<string, unknown>, accepted: boolean]> = [
      ['a malformed cron expression', { schedule: 'every night' }, true],
      ['a negative startingDeadlineSeconds', { startingDeadlineSeconds: -1 }, true],
      ['an unknown time zone', { timeZone: 'Mars/Olympus' }, true],
      ['a malformed backupTimeout', { backupTimeout: 'soon' }, true],
      ['keepDaily -1 (unlimited)', { retention: { keepDaily: -1 } }, true],
      ['pause as a string', { pause: 'yes' }, false],
      ['maxBackups as a fraction', { maxBackups: 1.5 }, false],
      ['startingDeadlineSeconds as a string', { startingDeadlineSeconds: '60' }, false],
      ['retention as a list', { retention: [] }, false],
      ['backupTemplate as a string', { backupTemplate: 'full' }, false],
    ];
    for (const [description, spec, accepted] of table) {
      it(`${accepted ? 'accepts' : 'rejects'} ${description}`, () => {
        const parent = { ...MINIMAL_PARENT, spec: { ...MINIMAL_PARENT.spec, ...spec } };
        assert.equal(validateParent(parent).length === 0, accepted);
      });
    }
  });

  describe('reports the fields the API server would prune', () => {
    const table: Array<[description: string, value: Record<string, unknown>, pruned: string[]]> = [
      ['an undeclared status field', { lastBackup: 'a', lastBakcup: 'b' }, ['.status.lastBakcup']],
      ['an undeclared condition field', { conditions: [{ type: 'Ready', status: 'True' }, { type: 'X', detail: 1 }] }, ['.status.conditions[1].detail']],
      ['an undeclared nested field', { lastBackupNow: { name: 'n', token: 't', at: 'now' } }, ['.status.lastBackupNow.at']],
      ['nothing inside templates (preserved)', { spec: { backupTemplate: { anything: { deep: 1 } } } }, []],
    ];
    for (const [description, value, pruned] of table) {
      it(description, () => {
        const isSpec = 'spec' in value;
        const found = isSpec ? prunedPaths(value, schema) : prunedPaths(value, statusSchema, '.status');
        assert.deepEqual(found, pruned);
      });
    }
  });
});
