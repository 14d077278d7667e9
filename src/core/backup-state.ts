/** What a Backup's status says about it, read the way TiDB Operator's helpers read it. */

import { parseTime } from './time.js';
import { tsoToMillis } from './tso.js';
import type { Condition, KubeObject } from './types.js';

/** How far a snapshot Backup got: finished (complete, failed, invalid) or not yet. */
export type BackupState = 'complete' | 'failed' | 'invalid' | 'unfinished';

/** conditionIsTrue tells whether `status.conditions` holds an entry of this type with status "True". */
export function conditionIsTrue(object: KubeObject, type: string): boolean {
  const conditions = object.status?.['conditions'];
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c: unknown) => isCondition(c) && c.type === type && c.status === 'True');
}

function isCondition(value: unknown): value is Condition {
  return typeof value === 'object' && value !== null && typeof (value as Condition).type === 'string';
}

/** snapshotState judges a snapshot Backup from its conditions (not `phase`), as upstream does: Complete, then Failed, then Invalid. */
export function snapshotState(backup: KubeObject): BackupState {
  const conditions = backup.status?.['conditions'];
  if (!Array.isArray(conditions)) return 'unfinished';
  let failed = false;
  let invalid = false;
  for (const c of conditions as unknown[]) {
    if (!isCondition(c) || c.status !== 'True') continue;
    if (c.type === 'Complete') return 'complete';
    if (c.type === 'Failed') failed = true;
    if (c.type === 'Invalid') invalid = true;
  }
  return failed ? 'failed' : invalid ? 'invalid' : 'unfinished';
}

/**
 * finishedAt returns when a finished Backup finished: its completion time ({@link completionTime}), else the latest
 * lastTransitionTime of its True Complete, Failed or Invalid condition; null while unfinished or when none can be read.
 */
export function finishedAt(backup: KubeObject): number | null {
  const completed = completionTime(backup);
  if (completed !== null) return parseTime(completed);
  const conditions = backup.status?.['conditions'];
  if (!Array.isArray(conditions)) return null;
  let at: number | null = null;
  for (const c of conditions as unknown[]) {
    if (!isCondition(c) || c.status !== 'True' || (c.type !== 'Complete' && c.type !== 'Failed' && c.type !== 'Invalid')) continue;
    const time = parseTime(c.lastTransitionTime);
    if (time !== null && (at === null || time > at)) at = time;
  }
  return at;
}

/** isLogBackup tells whether a Backup is a log (PITR) backup: `spec.backupMode: log`. */
export function isLogBackup(backup: KubeObject): boolean {
  return backup.spec?.['backupMode'] === 'log';
}

/** The instant a finished Backup's age is judged by, or a reason it cannot be judged. */
export type AgeResult = { ok: true; at: number } | { ok: false; reason: string };

/** backupAge returns `status.commitTs` (TSO, physical ms) when set, else `metadata.creationTimestamp`. */
export function backupAge(backup: KubeObject): AgeResult {
  const commitTs = backup.status?.['commitTs'];
  if (commitTs !== undefined && commitTs !== null && commitTs !== '') {
    const at = typeof commitTs === 'string' ? tsoToMillis(commitTs) : null;
    return at === null ? { ok: false, reason: `status.commitTs ${JSON.stringify(commitTs)} is not a TSO` } : { ok: true, at };
  }
  const created = parseTime(backup.metadata?.creationTimestamp);
  return created === null
    ? { ok: false, reason: 'it has neither status.commitTs nor a valid metadata.creationTimestamp' }
    : { ok: true, at: created };
}

/** completionTime returns `status.timeCompleted`, else the Complete condition's lastTransitionTime, else null. */
export function completionTime(backup: KubeObject): string | null {
  const completed = backup.status?.['timeCompleted'];
  if (typeof completed === 'string' && parseTime(completed) !== null) return completed;
  const conditions = backup.status?.['conditions'];
  if (!Array.isArray(conditions)) return null;
  const complete = conditions.find((c: unknown) => isCondition(c) && c.type === 'Complete' && c.status === 'True') as
    | Condition
    | undefined;
  const at = complete?.lastTransitionTime;
  return typeof at === 'string' && parseTime(at) !== null ? at : null;
}
