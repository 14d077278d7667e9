/**
 * The invariants every answer of the hook keeps, whatever the request: checked by the fuzz tests on
 * generated hostile requests. The central one: Metacontroller deletes every observed child a 200 answer
 * leaves out, so only a named retention rule may leave one out.
 */

import assert from 'node:assert/strict';

import type { Decision } from '../../src/core/sync.js';
import type { KubeObject, SyncRequest } from '../../src/core/types.js';

const BACKUP_TYPE = 'Backup.pingcap.com/v1alpha1';
const SCHEDULE_LABEL = 'tidb.pingcap.com/backup-schedule';
const COMPACT_TYPE = 'CompactBackup.pingcap.com/v1alpha1';
const KEEP_ANNOTATION = 'backup-schedule-hook/keep';
/** The spec fields whose rules may remove a Backup or CompactBackup. */
const RETENTION_RULES = new Set(['maxReservedTime', 'maxBackups', 'retention', 'failedBackupsHistoryLimit']);
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Status fields the hook owns; every other field of the previous status is carried unchanged. */
const OWNED_STATUS = new Set(['lastBackup', 'lastBackupTime', 'nextBackupTime', 'lastSuccessfulBackup', 'lastSuccessfulTime', 'conditions']);
/** Metadata the server sets; never echoed back. */
const SERVER_SET = new Set(['uid', 'resourceVersion', 'managedFields', 'ownerReferences', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink']);

/** An observed child: its type key (`Kind.group/version`), its name and the object. */
export interface ObservedChild {
  type: string;
  kind: string;
  name: string;
  object: KubeObject;
}

/** liveObservedChildren lists the observed children not being deleted, named as Metacontroller names them. */
export function liveObservedChildren(request: SyncRequest): ObservedChild[] {
  const live: ObservedChild[] = [];
  for (const [type, map] of Object.entries(request.children)) {
    for (const [key, object] of Object.entries(map)) {
      if (object.metadata?.deletionTimestamp != null) continue;
      const named = object.metadata?.name;
      const name = typeof named === 'string' && named !== '' ? named : key.slice(key.lastIndexOf('/') + 1);
      live.push({ type, kind: type.slice(0, Math.max(0, type.indexOf('.'))), name, object });
    }
  }
  return live;
}

/** assertKeepsObservedChildren fails unless every live observed child is desired or removed by a named retention rule of this schedule. */
export function assertKeepsObservedChildren(request: SyncRequest, decision: Decision): void {
  const { response, report } = decision;
  const desired = new Set(response.children.map((c) => `${c.kind}.${c.apiVersion}/${c.metadata.name}`));
  const deletions = new Map(report.deletions.map((d) => [d.name, d]));
  const scheduleName = request.parent.metadata.name;
  for (const child of liveObservedChildren(request)) {
    if (desired.has(`${child.type}/${child.name}`)) continue;
    const deletion = deletions.get(child.name);
    assert.ok(
      (child.type === BACKUP_TYPE || child.type === COMPACT_TYPE) && deletion !== undefined,
      `observed ${child.type} ${child.name} is left out without a retention rule (outcome ${report.outcome})`,
    );
    assert.ok(RETENTION_RULES.has(deletion.rule) && deletion.reason.length > 0, `${child.name} is removed by "${deletion.rule}: ${deletion.reason}", not a retention rule`);
    assert.equal(child.object.metadata?.labels?.[SCHEDULE_LABEL], scheduleName, `${child.name} is removed but does not carry this schedule's label`);
    assert.ok(['created', 'waiting', 'idle', 'paused'].includes(report.outcome), `${child.name} is removed in a sync whose outcome is ${report.outcome}`);
    if (child.type === COMPACT_TYPE) continue;
    assert.notEqual(child.name, response.status.lastBackup, `${child.name} is the last Backup and is removed`);
    assert.notEqual(child.object.spec?.['backupMode'], 'log', `${child.name} is a log Backup and is removed`);
    assert.notEqual(child.object.metadata?.annotations?.[KEEP_ANNOTATION], 'true', `${child.name} is pinned and is removed`);
    const conditions = child.object.status?.['conditions'];
    const finished =
      Array.isArray(conditions) &&
      conditions.some((c: { type?: unknown; status?: unknown } | null) => c !== null && typeof c === 'object' && ['Complete', 'Failed', 'Invalid'].includes(String(c.type)) && c.status === 'True');
    assert.ok(finished, `${child.name} is removed but is not finished (no Complete, Failed or Invalid condition True)`);
  }
}

/** assertWellFormedAnswer fails unless the answer names each child once, never re-creates an observed name, and writes valid owned status fields. */
export function assertWellFormedAnswer(request: SyncRequest, decision: Decision): void {
  const { response, report } = decision;
  const ids = response.children.map((c) => `${c.kind}.${c.apiVersion}/${c.metadata.name}`);
  assert.equal(new Set(ids).size, ids.length, `the answer names a child twice: ${ids.join(', ')}`);
  for (const child of response.children) {
    assert.equal(typeof child.apiVersion, 'string', 'a desired child without a string apiVersion');
    assert.equal(typeof child.kind, 'string', 'a desired child without a string kind');
    assert.equal(typeof child.metadata.name, 'string', 'a desired child without a name');
    assert.equal('status' in child, false, `desired child ${child.metadata.name} carries a status`);
  }
  // Metacontroller refuses the whole answer when a desired child carries a controller-uid other than the parent's (a
  // Backup it sent carries the parent's: a kept one applied under an earlier schedule of the same name must not say otherwise).
  const parentUid = request.parent.metadata.uid;
  for (const child of response.children) {
    const uid = child.metadata.labels?.['controller-uid'];
    if (parentUid !== undefined && uid !== undefined && (child.kind === 'Backup' || child.kind === 'CompactBackup')) {
      assert.equal(uid, parentUid, `desired ${child.kind} ${child.metadata.name} carries controller-uid ${String(uid)}, not the schedule's`);
    }
  }
  if (report.created !== null) {
    const observedBackups = Object.entries(request.children[BACKUP_TYPE] ?? {}).map(([key, o]) => o.metadata?.name || key.slice(key.lastIndexOf('/') + 1));
    assert.ok(!observedBackups.includes(report.created), `the answer creates ${report.created}, which is an observed Backup`);
  }
  const { status } = response;
  const ready = Array.isArray(status.conditions) ? status.conditions.find((c) => c?.type === 'Ready') : undefined;
  if (report.outcome === 'parent-deleting') {
    assert.deepEqual(status, request.parent.status ?? {}, 'a parent being deleted gets its status back unchanged');
  } else {
    if (status.nextBackupTime !== undefined) assert.match(status.nextBackupTime, RFC3339_UTC, 'status.nextBackupTime');
    assert.ok(ready !== undefined, 'no Ready condition');
    assert.ok(['True', 'False'].includes(ready.status), `Ready status ${ready.status}`);
    assert.ok(typeof ready.message === 'string' && ready.message.length > 0, 'Ready without a message');
    assert.match(String(ready.lastTransitionTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i, 'Ready.lastTransitionTime');
  }
  if (report.outcome === 'invalid') {
    assert.equal(ready?.status, 'False', 'an invalid spec reports Ready=False');
    assert.equal(ready?.reason, 'InvalidSpec', 'an invalid spec reports reason InvalidSpec');
    assert.equal(report.created, null, 'an invalid spec creates nothing');
    assert.ok(report.problems.length > 0, 'an invalid spec names its problems');
  }
  if (response.resyncAfterSeconds !== undefined) {
    assert.ok(Number.isFinite(response.resyncAfterSeconds) && response.resyncAfterSeconds > 0, `resyncAfterSeconds ${response.resyncAfterSeconds}`);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(response)), response, 'the answer does not survive JSON unchanged');
}

/** assertCarriesStatusAndEchoes fails unless unowned status fields are carried and unmanaged children are echoed unchanged. */
export function assertCarriesStatusAndEchoes(request: SyncRequest, decision: Decision): void {
  const previous = request.parent.status;
  if (previous !== null && typeof previous === 'object') {
    for (const [key, value] of Object.entries(previous)) {
      if (!OWNED_STATUS.has(key)) assert.deepEqual(decision.response.status[key], value, `status.${key} is not carried forward`);
    }
  }
  for (const child of liveObservedChildren(request)) {
    // Backups, and CompactBackups carrying this schedule's label, are managed: kept in their applied form.
    if (child.type === BACKUP_TYPE || (child.type === COMPACT_TYPE && child.object.metadata?.labels?.[SCHEDULE_LABEL] === request.parent.metadata.name)) continue;
    const echoed = decision.response.children.find((c) => `${c.kind}.${c.apiVersion}` === child.type && c.metadata.name === child.name);
    assert.ok(echoed !== undefined, `unmanaged ${child.type} ${child.name} is not echoed`);
    for (const [key, value] of Object.entries(child.object)) {
      if (key !== 'status' && key !== 'metadata') assert.deepEqual(echoed[key], value, `unmanaged ${child.name}: field ${key} changed`);
    }
    for (const [key, value] of Object.entries(child.object.metadata ?? {})) {
      if (!SERVER_SET.has(key) && key !== 'name') assert.deepEqual(echoed.metadata[key], value, `unmanaged ${child.name}: metadata.${key} changed`);
    }
  }
}
