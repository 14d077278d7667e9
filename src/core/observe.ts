/** Observe: sort the children Metacontroller sent into this schedule's snapshot Backups and everything else. */

import { backupAge, isLogBackup, snapshotState } from './backup-state.js';
import type { BackupState } from './backup-state.js';
import { BACKUP_CHILD_TYPE, SCHEDULED_AT_ANNOTATION, SCHEDULE_LABEL, slotFromBackupName } from './names.js';
import { parseTime } from './time.js';
import type { BackupSchedule, ChildMap, KubeObject } from './types.js';

/** A snapshot Backup of this schedule whose slot is known: the only kind the hook counts or deletes. */
export interface SnapshotBackup {
  role: 'snapshot';
  name: string;
  object: KubeObject;
  deleting: boolean;
  /** Its schedule slot (epoch ms): annotation, else name, else creationTimestamp. */
  slot: number;
  state: BackupState;
  /** The instant its age is judged by: `status.commitTs` (TSO) when set, else its creationTimestamp. */
  ageAt: number;
}

/** Any other observed Backup: this schedule's log backup, or one the hook does not understand or own. */
export interface OtherBackup {
  role: 'log' | 'foreign';
  name: string;
  object: KubeObject;
  deleting: boolean;
}

/** An observed Backup child. */
export type ObservedBackup = SnapshotBackup | OtherBackup;

/** An observed child of a type the hook does not manage. */
export interface ObservedOther {
  type: string;
  name: string;
  object: KubeObject;
  deleting: boolean;
}

/** Everything the request says about the children. */
export interface Observation {
  /** Backup children, sorted by name. */
  backups: ObservedBackup[];
  /** Children of other types, sorted by type then name. */
  others: ObservedOther[];
}

/** observeChildren classifies the request's children; it never throws on odd objects. */
export function observeChildren(parent: BackupSchedule, children: Record<string, ChildMap>): Observation {
  const backups: ObservedBackup[] = [];
  const others: ObservedOther[] = [];
  for (const type of Object.keys(children).sort()) {
    const map = children[type] ?? {};
    for (const key of Object.keys(map)) {
      const object = map[key];
      if (object === undefined) continue;
      const name = objectName(object, key);
      const deleting = object.metadata?.deletionTimestamp != null;
      if (type === BACKUP_CHILD_TYPE) backups.push(observeBackup(parent, { name, object, deleting }));
      else others.push({ type, name, object, deleting });
    }
  }
  backups.sort((a, b) => compareNames(a.name, b.name));
  others.sort((a, b) => compareNames(a.type, b.type) || compareNames(a.name, b.name));
  return { backups, others };
}

function observeBackup(parent: BackupSchedule, seen: Omit<OtherBackup, 'role'>): ObservedBackup {
  const { object } = seen;
  if (!belongsTo(object, parent)) return { ...seen, role: 'foreign' };
  if (isLogBackup(object)) return { ...seen, role: 'log' };
  const slot = slotOf(object, { scheduleName: parent.metadata.name ?? '', name: seen.name });
  const age = backupAge(object);
  // A slot or age that cannot be read: kept, never counted, never deleted.
  if (slot === null || !age.ok) return { ...seen, role: 'foreign' };
  return { ...seen, role: 'snapshot', slot, state: snapshotState(object), ageAt: age.at };
}

/** belongsTo tells whether a Backup carries this schedule's label and no controller owner other than it. */
export function belongsTo(object: KubeObject, parent: BackupSchedule): boolean {
  const scheduleName = parent.metadata.name;
  if (scheduleName === undefined || object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName) return false;
  const owners = object.metadata.ownerReferences;
  const parentUid = parent.metadata.uid;
  if (!Array.isArray(owners) || parentUid === undefined) return true;
  return owners.every((ref) => ref?.controller !== true || ref.uid === parentUid);
}

/** slotOf reads a Backup's slot: its scheduled-at annotation, else its name, else its creationTimestamp. */
export function slotOf(object: KubeObject, ids: { scheduleName: string; name: string }): number | null {
  const annotation = object.metadata?.annotations?.[SCHEDULED_AT_ANNOTATION];
  if (annotation !== undefined) return parseTime(annotation); // present but garbage: not understood
  return slotFromBackupName(ids.scheduleName, ids.name) ?? parseTime(object.metadata?.creationTimestamp);
}

function objectName(object: KubeObject, key: string): string {
  const name = object.metadata?.name;
  if (typeof name === 'string' && name !== '') return name;
  return key.slice(key.lastIndexOf('/') + 1);
}

/** compareNames orders names by UTF-16 code units, independent of locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
