/**
 * Metacontroller's related resources (the customize hook): a parent's rules select objects of other types by
 * label, in the parent's namespace, from the same informer caches as its children; the sync request carries them
 * under `related`, shaped like `children` (`<Kind>.<apiVersion>` → `namespace/name` → object).
 */

import type { RelatedResourceRule } from '../core/group.js';
import type { BackupSchedule, ChildMap, KubeObject } from '../core/types.js';
import type { InformerCache } from './cache.js';

/** A customize hook: the related-resource rules of one parent. */
export type CustomizeHook = (parent: BackupSchedule) => { relatedResources: RelatedResourceRule[] };

/** The kinds the simulator stores, by plural resource name. */
const KIND_OF_RESOURCE: Readonly<Record<string, string>> = {
  backupschedules: 'BackupSchedule',
  backups: 'Backup',
  compactbackups: 'CompactBackup',
};

/** ruleMatches tells whether an object in the parent's namespace is one a rule selects. */
export function ruleMatches(rule: RelatedResourceRule, object: KubeObject): boolean {
  if (object.kind !== KIND_OF_RESOURCE[rule.resource] || (object.apiVersion !== undefined && object.apiVersion !== rule.apiVersion)) return false;
  const labels = object.metadata?.labels ?? {};
  return Object.entries(rule.labelSelector.matchLabels).every(([key, value]) => labels[key] === value);
}

/** relatedObjects reads what the rules select from the cache, in the parent's namespace, keyed as Metacontroller keys them. */
export function relatedObjects(cache: Pick<InformerCache, 'list'>, query: { rules: readonly RelatedResourceRule[]; namespace: string }): Record<string, ChildMap> {
  const related: Record<string, ChildMap> = {};
  for (const rule of query.rules) {
    const kind = KIND_OF_RESOURCE[rule.resource];
    if (kind === undefined) continue;
    const map: ChildMap = (related[`${kind}.${rule.apiVersion}`] ??= {});
    for (const object of cache.list(kind, query.namespace)) {
      if (ruleMatches(rule, object)) map[`${query.namespace}/${object.metadata?.name ?? ''}`] = object;
    }
  }
  return related;
}
