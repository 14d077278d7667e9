/**
 * The recorder: the history of one schedule's snapshot Backups and status, as the store saw it, for metrics and the
 * preview. The log Backup (never finished, never scheduled) is left out: the log checks watch it themselves.
 */

import { isLogBackup, snapshotState } from '../core/backup-state.js';
import type { BackupState } from '../core/backup-state.js';
import { SCHEDULE_LABEL } from '../core/names.js';
import { slotOf } from '../core/observe.js';
import { formatTime, parseTime } from '../core/time.js';
import type { KubeObject } from '../core/types.js';
import { goDuration } from './backup-status.js';
import type { StoreEvent } from './store.js';
import type { RunningBackup } from './stuck-rule.js';

/** The life of one Backup. */
export interface BackupRecord {
  name: string;
  uid: string;
  /** Its slot (annotation, name, else creation), or null. */
  slot: number | null;
  createdAt: number;
  /** The schedule's other Backups that were unfinished and not being deleted when it was created. */
  runningAtCreate: RunningBackup[];
  state: BackupState;
  finishedAt: number | null;
  deletingAt: number | null;
  /** Why it was deleted, as the controller (or {@link USER_DELETION}) said, or null. */
  deletionReason: string | null;
  goneAt: number | null;
  /** The latest version seen. */
  object: KubeObject;
}

/** The reason of a deletion nobody's controller asked for: someone ran `kubectl delete` (fault `backups-deleted`). */
export const USER_DELETION = 'deleted by a user (kubectl delete)';

/** A line of the timeline. */
export interface TimelineEvent {
  at: number;
  kind: 'CREATE' | 'COMPLETE' | 'FAIL' | 'INVALID' | 'DELETE' | 'GONE' | 'MISSED';
  name: string;
  detail: string;
}

/** One change of the schedule's recorded last Backup. */
export interface StatusChange {
  at: number;
  lastBackup: string | null;
  lastBackupTime: number | null;
  /** The previous lastBackup, and whether that Backup still existed when this change was written. */
  previous: string | null;
  previousExists: boolean;
}

/** A time during which the stored status did not name the newest existing Backup (nor a newer one). */
export interface KnowledgeGap {
  from: number;
  /** When the status caught up, or null if it never did. */
  to: number | null;
  /** The newest Backup it did not know of when the gap began. */
  newest: string;
}

/** Recorder keeps the history of one schedule. */
export class Recorder {
  /** Every Backup ever created, by uid. */
  readonly backups = new Map<string, BackupRecord>();
  readonly timeline: TimelineEvent[] = [];
  readonly statusChanges: StatusChange[] = [];
  /** Gaps in the status's knowledge of the newest Backup, in order. */
  readonly knowledgeGaps: KnowledgeGap[] = [];
  private readonly reasons = new Map<string, string>();
  /** DELETE lines still waiting for their reason. */
  private readonly unexplained = new Map<string, TimelineEvent>();
  private readonly existing = new Map<string, BackupRecord>();
  /** The latest record of each name (gone ones included). */
  private readonly byName = new Map<string, BackupRecord>();
  private parent: KubeObject | null = null;

  constructor(private readonly schedule: { name: string; namespace: string }) {}

  /** The schedule as last stored. */
  get lastParent(): KubeObject | null {
    return this.parent;
  }

  /** noteDeletionReason remembers why a controller asked to delete a Backup, for the timeline (before or right after the delete). */
  noteDeletionReason(name: string, reason: string): void {
    this.reasons.set(name, reason);
    const entry = this.unexplained.get(name);
    if (entry !== undefined) entry.detail = reason;
    this.unexplained.delete(name);
  }

  /** existingBackup returns the record of a Backup that exists now. */
  existingBackup(name: string): BackupRecord | undefined {
    return this.existing.get(name);
  }

  /** live lists the Backups that exist now. */
  live(): BackupRecord[] {
    return [...this.existing.values()];
  }

  /** receive takes every store event. */
  receive(event: StoreEvent): void {
    const { object } = event;
    if (object.metadata?.namespace !== this.schedule.namespace) return;
    if (object.kind === 'BackupSchedule' && object.metadata.name === this.schedule.name) this.receiveParent(event);
    else if (object.kind === 'Backup' && object.metadata.labels?.[SCHEDULE_LABEL] === this.schedule.name && !isLogBackup(object)) this.receiveBackup(event);
    else return;
    this.trackKnowledge(event.at);
  }

  /** trackKnowledge opens a gap when the stored status stops naming the newest existing Backup, and closes it when it does again. */
  private trackKnowledge(at: number): void {
    let newest: BackupRecord | null = null;
    for (const record of this.existing.values()) if (newest === null || record.createdAt > newest.createdAt) newest = record;
    const named = stringOrNull(this.parent?.status?.['lastBackup']);
    const namedRecord = named === null ? undefined : this.byName.get(named);
    const knows = newest === null || (namedRecord !== undefined && namedRecord.createdAt >= newest.createdAt);
    const open = this.knowledgeGaps[this.knowledgeGaps.length - 1];
    const isOpen = open !== undefined && open.to === null;
    if (!knows && !isOpen && newest !== null) this.knowledgeGaps.push({ from: at, to: null, newest: newest.name });
    if (knows && isOpen) open.to = at;
  }

  private receiveParent(event: StoreEvent): void {
    const before = this.parent;
    this.parent = event.type === 'deleted' ? null : event.object;
    const previous = stringOrNull(before?.status?.['lastBackup']);
    const lastBackup = stringOrNull(event.object.status?.['lastBackup']);
    const lastBackupTime = parseTime(event.object.status?.['lastBackupTime']);
    if (lastBackup === previous && lastBackupTime === parseTime(before?.status?.['lastBackupTime'])) return;
    const previousExists = previous !== null && this.existing.has(previous);
    this.statusChanges.push({ at: event.at, lastBackup, lastBackupTime, previous, previousExists });
  }

  private receiveBackup(event: StoreEvent): void {
    const { object, at } = event;
    const name = object.metadata?.name ?? '';
    if (event.type === 'added') {
      const runningAtCreate = this.live()
        .filter((b) => b.name !== name && b.state === 'unfinished' && b.deletingAt === null)
        // Issue 9 judges a running Backup by its creationTimestamp (whole seconds), so the record does too.
        .map((b) => ({ name: b.name, createdAt: parseTime(b.object.metadata?.creationTimestamp) ?? b.createdAt }));
      const slot = slotOf(object, { scheduleName: this.schedule.name, name });
      const record: BackupRecord = {
        name,
        uid: object.metadata?.uid ?? '',
        slot,
        createdAt: at,
        runningAtCreate,
        state: 'unfinished',
        finishedAt: null,
        deletingAt: null,
        deletionReason: null,
        goneAt: null,
        object,
      };
      this.backups.set(record.uid, record);
      this.existing.set(name, record);
      this.byName.set(name, record);
      this.timeline.push({ at, kind: 'CREATE', name, detail: slot === null ? 'created' : `slot ${formatTime(slot)}` });
      return;
    }
    const record = this.existing.get(name);
    if (record === undefined) return;
    record.object = object;
    const state = snapshotState(object);
    if (record.state === 'unfinished' && state !== 'unfinished') {
      record.state = state;
      record.finishedAt = at;
      const kind = state === 'complete' ? 'COMPLETE' : state === 'failed' ? 'FAIL' : 'INVALID';
      this.timeline.push({ at, kind, name, detail: `after ${goDuration(at - record.createdAt)}` });
    }
    if (record.deletingAt === null && (object.metadata?.deletionTimestamp != null || event.type === 'deleted')) {
      record.deletingAt = at;
      record.deletionReason = this.reasons.get(name) ?? null;
      const entry: TimelineEvent = { at, kind: 'DELETE', name, detail: this.reasons.get(name) ?? 'deleted' };
      if (!this.reasons.has(name)) this.unexplained.set(name, entry);
      this.timeline.push(entry);
    }
    if (event.type === 'deleted') {
      record.goneAt = at;
      this.existing.delete(name);
      this.timeline.push({ at, kind: 'GONE', name, detail: `after ${goDuration(at - (record.deletingAt ?? at))} being deleted` });
    }
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
