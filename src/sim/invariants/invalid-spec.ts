/**
 * Invariant 4, under an invalid spec (README "Error policy"): the answer to a request whose spec the hook refuses keeps
 * every observed child that is not being deleted, of every type (Backups, the log Backup, CompactBackups), asks for
 * none it was not sent, and changes none: nothing is created, deleted or updated while a user's typo stands.
 */

import { readSpec } from '../../core/spec.js';
import { isSuccess } from '../hook.js';
import type { SyncObservation } from '../metacontroller.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** invalidSpecCheck judges every 200 answer to a request whose spec is invalid. */
export function invalidSpecCheck(context: CheckContext): Check {
  return {
    onSync(sync) {
      if (!isSuccess(sync.answer) || sync.request.parent.metadata.deletionTimestamp != null) return;
      const read = readSpec(sync.request.parent);
      if (read.ok) return;
      const says = `under an invalid spec (${read.problems[0] ?? ''})`;
      const observed = observedKeys(sync);
      const desired = new Set((Array.isArray(sync.answer.body.children) ? sync.answer.body.children : []).map((c) => `${c.kind}/${c.metadata.name}`));
      for (const key of observed) if (!key.startsWith('deleting:') && !desired.has(key)) context.report(4, `the answer leaves out ${key} ${says}: every observed child is kept`);
      for (const key of desired) if (!observed.has(key) && !observed.has(`deleting:${key}`)) context.report(4, `the answer asks for ${key}, which it was not sent, ${says}: nothing is created`);
      if (sync.updated.length > 0) context.report(4, `the answer updates ${sync.updated.join(', ')} ${says}: every child is kept as it is`);
    },
  };
}

/** observedKeys lists the request's children as `Kind/name`, those being deleted as `deleting:Kind/name` (Metacontroller leaves them be). */
function observedKeys(sync: SyncObservation): Set<string> {
  const keys = new Set<string>();
  for (const [type, children] of Object.entries(sync.request.children)) {
    for (const [key, child] of Object.entries(children ?? {})) {
      const name = `${child.kind ?? type.split('.')[0] ?? ''}/${child.metadata?.name ?? key.slice(key.lastIndexOf('/') + 1)}`;
      keys.add(child.metadata?.deletionTimestamp == null ? name : `deleting:${name}`);
    }
  }
  return keys;
}
