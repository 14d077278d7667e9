/**
 * Answer: the desired objects the hook creates — a new snapshot Backup for a slot or a backup-now token, from the
 * schedule's template as upstream builds it, and the metadata, template copy and storage prefix that every new child
 * (the log Backup, a CompactBackup) shares. Kept children's desired forms: kept-form.ts.
 */

import { posix } from 'node:path';

import { isObject } from './spec.js';
import type { ScheduleSpec } from './spec.js';
import {
  BACKUP_NOW_ANNOTATION,
  CONTROLLER_UID_LABEL,
  PINGCAP_API_VERSION,
  SCHEDULED_AT_ANNOTATION,
  backupName,
  backupNowName,
  scheduleLabels,
} from './names.js';
import { formatSlotStamp, formatTime } from './time.js';
import type { BackupSchedule, DesiredChild, JsonObject } from './types.js';

/** PD client port compiled into TiDB Operator; part of the BR storage prefix. */
const PD_CLIENT_PORT = 2379;
/** Storage size a Backup without `br` gets when neither template nor schedule sets one. */
const DEFAULT_STORAGE_SIZE = '100Gi';
/** Storage backends in the order upstream picks the one whose prefix it extends. */
const STORAGE_BACKENDS = ['s3', 'gcs', 'azblob', 'local'] as const;

/** What a new Backup is for: a slot (epoch ms), or a backup-now token (then it has no slot). */
export type BackupOrigin = { slot: number } | { backupNowToken: string };

/** Options of {@link buildSnapshotBackup}. */
export type BuildBackupOptions = BackupOrigin & {
  /** Label key that hands schedules over from TiDB Operator; never copied onto Backups. */
  handoverLabelKey: string;
};

/**
 * buildSnapshotBackup builds the Backup for a slot from the schedule's template, as upstream does. A
 * backup-now Backup is built the same way, named and stamped by its token instead of a slot.
 */
export function buildSnapshotBackup(parent: BackupSchedule, spec: ScheduleSpec, options: BuildBackupOptions): DesiredChild {
  const { name, stamp, annotations } = originOf(parent.metadata.name ?? '', options);
  const backupSpec = templateCopy(spec.backupTemplate, spec.imagePullSecrets);
  const br = backupSpec['br'];
  if (isObject(br)) {
    const cluster = typeof br['cluster'] === 'string' ? br['cluster'] : '';
    const clusterNamespace = typeof br['clusterNamespace'] === 'string' && br['clusterNamespace'] !== '' ? br['clusterNamespace'] : parent.metadata.namespace ?? '';
    extendStoragePrefix(backupSpec, `${cluster}-pd.${clusterNamespace}-${PD_CLIENT_PORT}-${stamp}`);
  } else {
    fillStorageDefaults(backupSpec, spec);
  }
  return {
    apiVersion: PINGCAP_API_VERSION,
    kind: 'Backup',
    metadata: childMetadata(parent, { name, handoverLabelKey: options.handoverLabelKey, annotations }),
    spec: backupSpec,
  };
}

/** originOf is what a new Backup takes from its origin: its name, the stamp its storage prefix ends in, its annotation. */
function originOf(scheduleName: string, origin: BackupOrigin): { name: string; stamp: string; annotations: Record<string, string> } {
  if ('slot' in origin) {
    return { name: backupName(scheduleName, origin.slot), stamp: formatSlotStamp(origin.slot), annotations: { [SCHEDULED_AT_ANNOTATION]: formatTime(origin.slot) } };
  }
  const token = origin.backupNowToken;
  return { name: backupNowName(scheduleName, token), stamp: `manual-${token}`, annotations: { [BACKUP_NOW_ANNOTATION]: token } };
}

/** Options of {@link childMetadata}. */
export interface ChildMetadataOptions {
  name: string;
  handoverLabelKey: string;
  /** Annotations of the hook's own, added to the schedule's. */
  annotations?: Record<string, string>;
}

/** childMetadata returns a child's name, namespace, labels and annotations, derived from the schedule as upstream does. */
export function childMetadata(parent: BackupSchedule, options: ChildMetadataOptions): DesiredChild['metadata'] {
  const namespace = parent.metadata.namespace;
  return {
    name: options.name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: childLabels(parent, options.handoverLabelKey),
    annotations: { ...copyAnnotations(parent.metadata.annotations), ...(options.annotations ?? {}) },
  };
}

/**
 * childLabels returns the schedule's labels under upstream's four, which win; not the handover label, nor
 * `controller-uid`: Metacontroller sets that one to this schedule's uid, and refuses the whole answer when a desired
 * child carries another value (a schedule that is itself the child of a `generateSelector` controller carries its parent's).
 */
function childLabels(parent: BackupSchedule, handoverLabelKey: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent.metadata.labels ?? {})) {
    if (key !== handoverLabelKey && key !== CONTROLLER_UID_LABEL && typeof value === 'string') labels[key] = value;
  }
  return { ...labels, ...scheduleLabels(parent.metadata.name ?? '') };
}

/** copyAnnotations copies the schedule's annotations except kubectl's and the backup-now request (which marks backup-now Backups). */
function copyAnnotations(source: Record<string, string> | undefined): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    if (!key.startsWith('kubectl.kubernetes.io/') && key !== BACKUP_NOW_ANNOTATION && typeof value === 'string') annotations[key] = value;
  }
  return annotations;
}

/** templateCopy deep-copies a template; the schedule's imagePullSecrets, when set, overwrite the template's. */
export function templateCopy(template: JsonObject, imagePullSecrets: unknown[] | null): JsonObject {
  const copy = structuredClone(template);
  if (imagePullSecrets !== null) copy['imagePullSecrets'] = structuredClone(imagePullSecrets);
  return copy;
}

/** storagePrefixOf reads the prefix of the first storage set (s3, gcs, azblob, local), the one {@link extendStoragePrefix} extends, or null. */
export function storagePrefixOf(backupSpec: JsonObject): string | null {
  const prefix = firstStorage(backupSpec)?.['prefix'];
  return typeof prefix === 'string' ? prefix : null;
}

/** extendStoragePrefix joins a suffix onto the prefix of the first storage set (s3, gcs, azblob, local), as upstream. */
export function extendStoragePrefix(backupSpec: JsonObject, suffix: string): void {
  const storage = firstStorage(backupSpec);
  if (storage === undefined) return;
  const prefix = storage['prefix'];
  storage['prefix'] = posix.join(typeof prefix === 'string' ? prefix : '', suffix);
}

/** firstStorage is the first storage set of a Backup spec in upstream's order (s3, gcs, azblob, local), or undefined. */
function firstStorage(backupSpec: JsonObject): JsonObject | undefined {
  for (const backend of STORAGE_BACKENDS) {
    const storage = backupSpec[backend];
    if (isObject(storage)) return storage;
  }
  return undefined;
}

function fillStorageDefaults(backupSpec: JsonObject, spec: ScheduleSpec): void {
  if (!nonEmptyString(backupSpec['storageClassName']) && spec.storageClassName !== null) {
    backupSpec['storageClassName'] = spec.storageClassName;
  }
  if (!nonEmptyString(backupSpec['volumeAttributesClassName']) && spec.volumeAttributesClassName !== null) {
    backupSpec['volumeAttributesClassName'] = spec.volumeAttributesClassName;
  }
  if (!nonEmptyString(backupSpec['storageSize'])) {
    backupSpec['storageSize'] = nonEmptyString(spec.storageSize) ? spec.storageSize : DEFAULT_STORAGE_SIZE;
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
