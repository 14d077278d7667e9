/** Builders of realistic BackupSchedules, Backups and sync requests for tests, fixtures and the bench. */

import type { BackupSchedule, JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';

/** A TSO for an instant: physical milliseconds shifted left by 18 bits. */
export function tsoAt(iso: string): string {
  return (BigInt(Date.parse(iso)) << 18n).toString();
}

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  name?: string;
  namespace?: string;
  created?: string;
  spec?: JsonObject;
  status?: JsonObject;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

/** The BR snapshot template used throughout the tests: S3 storage with a prefix. */
export const BR_TEMPLATE: JsonObject = {
  backupType: 'full',
  br: { cluster: 'basic', clusterNamespace: 'tidb-cluster', sendCredToTikv: true },
  s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'schedule-backup', secretName: 's3-secret' },
};

/** schedule builds a BackupSchedule parent as Metacontroller sends it. */
export function schedule(options: ScheduleOptions = {}): BackupSchedule {
  const name = options.name ?? 'nightly';
  const parent: BackupSchedule = {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'BackupSchedule',
    metadata: {
      name,
      namespace: options.namespace ?? 'db',
      uid: `uid-${name}`,
      generation: 1,
      resourceVersion: '1000',
      creationTimestamp: options.created ?? '2024-05-01T00:00:00Z',
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
    },
    spec: options.spec ?? { schedule: '*/10 * * * *', maxReservedTime: '1h', backupTemplate: BR_TEMPLATE },
  };
  if (options.status !== undefined) parent.status = options.status;
  return parent;
}

/** States a test Backup can be in. */
export type TestState = 'new' | 'scheduled' | 'running' | 'complete' | 'failed' | 'invalid' | 'scheduled-failed';

/** Options of {@link backup}. */
export interface BackupOptions {
  schedule?: string;
  namespace?: string;
  /** Slot (RFC 3339); sets the name and the scheduled-at annotation unless `name` is given. */
  slot: string;
  name?: string;
  state?: TestState;
  created?: string;
  commitTs?: string | null;
  deleting?: string;
  annotate?: boolean;
  mode?: 'snapshot' | 'log';
  labels?: Record<string, string>;
  /** Extra annotations (a user's, e.g. `backup-schedule-hook/keep`), not part of the last-applied configuration. */
  annotations?: Record<string, string>;
  extraStatus?: JsonObject;
  /** Write Metacontroller's last-applied-configuration annotation (default true). */
  lastApplied?: boolean;
}

/** stamp renders an instant in upstream's name layout. */
export function stamp(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 19).replace('T', 't').replaceAll(':', '-');
}

/** backup builds a Backup child as the API server returns it (server fields, managedFields, status). */
export function backup(options: BackupOptions): KubeObject {
  const scheduleName = options.schedule ?? 'nightly';
  const name = options.name ?? `${scheduleName}-${stamp(options.slot)}`;
  const created = options.created ?? new Date(Date.parse(options.slot) + 2000).toISOString().replace('.000Z', 'Z');
  const state = options.state ?? 'complete';
  const labels = options.labels ?? {
    'app.kubernetes.io/name': 'backup-schedule',
    'app.kubernetes.io/managed-by': 'backup-schedule-operator',
    'app.kubernetes.io/instance': scheduleName,
    'tidb.pingcap.com/backup-schedule': scheduleName,
    'controller-uid': `uid-${scheduleName}`,
  };
  const annotations: Record<string, string> = {};
  if (options.annotate !== false) annotations['backup-schedule-hook/scheduled-at'] = options.slot;
  const spec: JsonObject = {
    ...(options.mode === 'log' ? { backupMode: 'log' } : {}),
    ...BR_TEMPLATE,
    s3: { ...(BR_TEMPLATE['s3'] as JsonObject), prefix: `schedule-backup/basic-pd.tidb-cluster-2379-${stamp(options.slot)}` },
  };
  if (options.lastApplied !== false) {
    annotations['metacontroller.k8s.io/last-applied-configuration'] = JSON.stringify({
      apiVersion: 'pingcap.com/v1alpha1',
      kind: 'Backup',
      metadata: { name, namespace: options.namespace ?? 'db', labels, annotations: { ...annotations } },
      spec,
    });
  }
  const object: KubeObject = {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: options.namespace ?? 'db',
      uid: `uid-${name}`,
      resourceVersion: '2000',
      generation: 1,
      creationTimestamp: created,
      labels,
      annotations: { ...annotations, ...(options.annotations ?? {}) },
      ownerReferences: [
        { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: scheduleName, uid: `uid-${scheduleName}`, controller: true, blockOwnerDeletion: true },
      ],
      finalizers: ['tidb.pingcap.com/backup-protection'],
      managedFields: [{ manager: 'metacontroller', operation: 'Update', apiVersion: 'pingcap.com/v1alpha1', time: created, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      ...(options.deleting ? { deletionTimestamp: options.deleting } : {}),
    },
    spec,
    status: backupStatus(state, { slot: options.slot, commitTs: options.commitTs, extra: options.extraStatus }),
  };
  return object;
}

function backupStatus(state: TestState, facts: { slot: string; commitTs: string | null | undefined; extra: JsonObject | undefined }): JsonObject {
  if (state === 'new') return { ...(facts.extra ?? {}) };
  const at = (seconds: number): string => new Date(Date.parse(facts.slot) + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const condition = (type: string, seconds: number): JsonObject => ({ type, status: 'True', lastTransitionTime: at(seconds) });
  const conditions: JsonObject[] = [condition('Scheduled', 5)];
  if (state !== 'scheduled' && state !== 'scheduled-failed') conditions.push(condition('Prepare', 10), condition('Running', 20));
  if (state === 'complete') conditions.push(condition('Complete', 300));
  if (state === 'failed' || state === 'scheduled-failed') conditions.push(condition('Failed', 120));
  if (state === 'invalid') conditions.splice(0, conditions.length, condition('Invalid', 5));
  const last = conditions[conditions.length - 1];
  const status: JsonObject = { phase: last?.['type'], conditions, backupPath: `s3://backups/schedule-backup/${stamp(facts.slot)}` };
  const commitTs = facts.commitTs === undefined ? (state === 'complete' ? tsoAt(at(10)) : undefined) : facts.commitTs;
  if (commitTs !== undefined && commitTs !== null) status['commitTs'] = commitTs;
  if (state === 'complete') {
    status['timeStarted'] = at(10);
    status['timeCompleted'] = at(300);
    status['timeTaken'] = '4m50s';
    status['backupSize'] = 1073741824;
  }
  return { ...status, ...(facts.extra ?? {}) };
}

/** request builds a sync request with Metacontroller's v2 keys (`namespace/name`). */
export function request(parent: BackupSchedule, children: KubeObject[] = [], extra: Partial<SyncRequest> = {}): SyncRequest {
  const map: Record<string, KubeObject> = {};
  for (const child of children) map[`${child.metadata?.namespace ?? 'db'}/${child.metadata?.name ?? ''}`] = child;
  return { controller: {}, parent, children: { 'Backup.pingcap.com/v1alpha1': map }, related: {}, finalizing: false, ...extra };
}

/** The log template used by the tests. */
export const LOG_TEMPLATE: JsonObject = {
  backupMode: 'log',
  br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' },
  s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'log-backup', secretName: 's3-secret' },
};

/** The compact template used by the tests. */
export const COMPACT_TEMPLATE: JsonObject = {
  br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' },
  s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'log-backup', secretName: 's3-secret' },
  concurrency: 4,
  maxRetryTimes: 6,
};

/** logBackup builds a running log Backup `log-<schedule>` with its start and checkpoint. */
export function logBackup(options: { schedule?: string; start: string; checkpoint: string; truncateUntil?: string; deleting?: string; logStartPhase?: 'Running' | 'Failed' }): KubeObject {
  const scheduleName = options.schedule ?? 'nightly';
  const object = backup({ slot: options.start, name: `log-${scheduleName}`, mode: 'log', state: 'new', annotate: false, schedule: scheduleName, ...(options.deleting ? { deleting: options.deleting } : {}) });
  const spec: JsonObject = { ...LOG_TEMPLATE, s3: { ...(LOG_TEMPLATE['s3'] as JsonObject), prefix: `log-backup/log-${stamp(options.start)}` } };
  if (options.truncateUntil !== undefined) spec['logTruncateUntil'] = options.truncateUntil;
  object.spec = spec;
  const annotations = object.metadata!.annotations!;
  annotations['metacontroller.k8s.io/last-applied-configuration'] = JSON.stringify({
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'Backup',
    metadata: { name: `log-${scheduleName}`, namespace: 'db', labels: object.metadata!.labels },
    spec,
  });
  object.status = {
    phase: 'Running',
    commitTs: tsoAt(options.start),
    logCheckpointTs: tsoAt(options.checkpoint),
    conditions: [{ type: 'Running', status: 'True', lastTransitionTime: options.start }],
    logSubCommandStatuses: {
      'log-start': { command: 'log-start', phase: options.logStartPhase ?? 'Running', conditions: [{ type: options.logStartPhase ?? 'Running', status: 'True', lastTransitionTime: options.start }] },
    },
  };
  return object;
}

/** compactBackup builds a CompactBackup of the schedule over [start, end), named by its start unless `name` says otherwise. */
export function compactBackup(options: {
  schedule?: string;
  start: string;
  end: string;
  state?: 'Complete' | 'Failed' | 'Running' | '';
  name?: string;
  compactedUntil?: string;
  /** The start of the log it compacts: its prefix then ends with `log-<start>`, as the hook writes it. */
  logStart?: string;
  /** creationTimestamp; the window's start by default. */
  created?: string;
}): KubeObject {
  const scheduleName = options.schedule ?? 'nightly';
  const fmt = (iso: string): string => iso.replace('T', ' ').replace('Z', '');
  const name = options.name ?? `compact-${scheduleName}-${stamp(options.start)}`;
  const s3 = COMPACT_TEMPLATE['s3'] as JsonObject;
  const storage = options.logStart === undefined ? s3 : { ...s3, prefix: `${String(s3['prefix'])}/log-${stamp(options.logStart)}` };
  const spec: JsonObject = { ...COMPACT_TEMPLATE, s3: storage, startTs: fmt(options.start), endTs: fmt(options.end) };
  const labels = {
    'app.kubernetes.io/name': 'backup-schedule',
    'app.kubernetes.io/managed-by': 'backup-schedule-operator',
    'app.kubernetes.io/instance': scheduleName,
    'tidb.pingcap.com/backup-schedule': scheduleName,
    'controller-uid': `uid-${scheduleName}`,
  };
  return {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'CompactBackup',
    metadata: {
      name,
      namespace: 'db',
      uid: `uid-${name}`,
      resourceVersion: '3000',
      creationTimestamp: options.created ?? options.start,
      labels,
      annotations: { 'metacontroller.k8s.io/last-applied-configuration': JSON.stringify({ apiVersion: 'pingcap.com/v1alpha1', kind: 'CompactBackup', metadata: { name, namespace: 'db', labels }, spec }) },
      ownerReferences: [{ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: scheduleName, uid: `uid-${scheduleName}`, controller: true }],
    },
    spec,
    status: { state: options.state ?? 'Complete', ...(options.compactedUntil === undefined ? {} : { endTs: tsoAt(options.compactedUntil) }) },
  };
}

/** withCompacts adds CompactBackups to a request under their child type key. */
export function withCompacts(req: SyncRequest, compacts: KubeObject[]): SyncRequest {
  req.children['CompactBackup.pingcap.com/v1alpha1'] = Object.fromEntries(compacts.map((c) => [`db/${c.metadata?.name}`, c]));
  return req;
}
