/**
 * Shapes of the Kubernetes objects and of Metacontroller's sync protocol that the hook reads.
 * Hand-written on purpose (see libraries.md §8): only the fields the hook uses are typed;
 * everything else passes through as `unknown`.
 */

/** A JSON object whose fields are not (yet) known. */
export type JsonObject = { [key: string]: unknown };

/** metav1.OwnerReference, the fields the hook reads. */
export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta, the fields the hook reads. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** metav1.Condition as TiDB Operator and this hook write them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [key: string]: unknown;
}

/** Any Kubernetes object as it arrives in a sync request. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: JsonObject;
  status?: JsonObject;
  [key: string]: unknown;
}

/** BackupSchedule.status: the upstream fields plus this hook's additions; unknown fields are carried. */
export interface BackupScheduleStatus {
  lastBackup?: string;
  lastBackupTime?: string;
  allBackupCleanTime?: string;
  nextBackupTime?: string;
  lastSuccessfulBackup?: string;
  lastSuccessfulTime?: string;
  conditions?: Condition[];
  [key: string]: unknown;
}

/** The parent object: pingcap.com/v1alpha1 BackupSchedule. */
export interface BackupSchedule extends KubeObject {
  metadata: ObjectMeta;
  status?: BackupScheduleStatus;
}

/** A child object Metacontroller sent, keyed by `name` or `namespace/name`. */
export type ChildMap = Record<string, KubeObject>;

/** The POST body of Metacontroller's CompositeController sync hook. */
export interface SyncRequest {
  controller?: JsonObject;
  parent: BackupSchedule;
  children: Record<string, ChildMap>;
  related?: Record<string, ChildMap>;
  finalizing?: boolean;
}

/** A desired child in the answer. */
export interface DesiredChild {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  spec?: unknown;
  [key: string]: unknown;
}

/** The answer of the sync hook. */
export interface SyncResponse {
  status: BackupScheduleStatus;
  children: DesiredChild[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
}
