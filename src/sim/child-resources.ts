/**
 * The child types the CompositeController declares (`spec.childResources`): Backups always, CompactBackups when
 * the `compact-backups` component is installed. Each has its children map key and its own update strategy.
 */

import { BACKUP_CHILD_TYPE, COMPACT_CHILD_TYPE, PINGCAP_API_VERSION } from '../core/names.js';
import type { KubeObject } from '../core/types.js';

/** `childResources[].updateStrategy.method` values the simulator models. */
export type UpdateMethod = 'InPlace' | 'OnDelete';

/** One declared child type. */
export interface ChildResource {
  /** The children map key, `<Kind>.<apiVersion>`. */
  key: string;
  kind: string;
  apiVersion: string;
  updateStrategy: UpdateMethod;
}

/** The part of the CompositeController's settings that declares child types. */
export interface ChildResourceSettings {
  /** Update strategy of Backups. */
  updateStrategy: UpdateMethod;
  /** The compact-backups component (OnDelete in the manifests); absent: CompactBackups are not a child type. */
  compactBackups?: { updateStrategy: UpdateMethod };
}

/** childResourcesOf lists the declared child types, sorted by key (Metacontroller writes types in GVK order). */
export function childResourcesOf(settings: ChildResourceSettings): ChildResource[] {
  const resources: ChildResource[] = [{ key: BACKUP_CHILD_TYPE, kind: 'Backup', apiVersion: PINGCAP_API_VERSION, updateStrategy: settings.updateStrategy }];
  if (settings.compactBackups !== undefined) {
    resources.push({ key: COMPACT_CHILD_TYPE, kind: 'CompactBackup', apiVersion: PINGCAP_API_VERSION, updateStrategy: settings.compactBackups.updateStrategy });
  }
  return resources.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** resourceOf returns the declared type an object belongs to, or undefined. */
export function resourceOf(resources: readonly ChildResource[], object: Pick<KubeObject, 'kind' | 'apiVersion'>): ChildResource | undefined {
  return resources.find((r) => r.kind === object.kind && (object.apiVersion === undefined || r.apiVersion === object.apiVersion));
}
