/**
 * Decide the log backup: one long-running log Backup `log-<schedule>` while `spec.logBackupTemplate` is set.
 * The hook never deletes it (not on pause, not when the template is removed, not by retention); it only asks
 * for it again, with a new start time, when it has been missing for longer than the stale-view grace.
 */

import { childMetadata, extendStoragePrefix, storagePrefixOf, templateCopy } from './desired.js';
import { PINGCAP_API_VERSION, logBackupName } from './names.js';
import type { ObservedBackup } from './observe.js';
import { seenNoLaterThan } from './quiet.js';
import { isAnchored, mostRecentTick } from './schedule.js';
import type { ScheduleSpec } from './spec.js';
import { formatSlotStamp, formatTime, parseSlotStamp, parseTime } from './time.js';
import { parseTso, physicalMillis, tsoToMillis } from './tso.js';
import type { BackupSchedule, BackupScheduleStatus, DesiredChild, KubeObject } from './types.js';

/** What the log backup needs from this sync. */
export interface LogBackupDecision {
  /** A log Backup to ask for (creation, or re-creation of a missing one), or null. */
  create: DesiredChild | null;
  /** The observed log Backup (not being deleted), or null. */
  observed: KubeObject | null;
  /** Status fields to set: `logBackup`, `logBackupStartTs`, `logBackupCreationTime`. */
  status: { logBackup?: string; logBackupStartTs?: string; logBackupCreationTime?: string };
  /** The LogBackupMissing condition to report, or null when the feature is not in use. */
  missing: Finding | null;
  /** The LogBackupFailed condition (its current subcommand failed), or null when no log Backup of the feature is seen. */
  failed: Finding | null;
  /** When the decision changes by time alone (end of the grace), or null. */
  until: number | null;
}

/** A condition's status, reason and message. */
export interface Finding {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** Options of {@link decideLogBackup}. */
export interface LogBackupOptions {
  spec: ScheduleSpec;
  previous: BackupScheduleStatus;
  /** The observed Backups of the schedule by name. */
  backups: ReadonlyMap<string, ObservedBackup>;
  now: number;
  /** The snapshot watermark: anchors `@every` schedules. */
  watermark: number | null;
  staleViewGraceMs: number;
  handoverLabelKey: string;
}

/** decideLogBackup creates the log Backup once, reports it missing, and asks again past the grace. */
export function decideLogBackup(parent: BackupSchedule, options: LogBackupOptions): LogBackupDecision {
  const { spec, previous, now } = options;
  const name = logBackupName(parent.metadata.name ?? '');
  const found = options.backups.get(name);
  const seen = found?.role === 'log' ? found : undefined;
  const observed = seen !== undefined && !seen.deleting ? seen.object : null;
  const recordedStart = parseTime(previous.logBackupStartTs);
  const recordedAsk = parseTime(previous[LOG_BACKUP_CREATION_TIME]);
  // When it was asked for: a record later than now (a clock ahead of this one wrote it) counts as now, and is written
  // back so, once, whether or not the log is seen; no record: its start.
  const askedAt = seenNoLaterThan(recordedAsk, now) ?? recordedStart;
  const askRewritten = recordedAsk !== null && recordedAsk !== askedAt ? { [LOG_BACKUP_CREATION_TIME]: formatTime(now) } : {};
  const none: LogBackupDecision = { create: null, observed, status: {}, missing: null, failed: null, until: null };

  if (observed !== null && spec.logBackupTemplate === null) return none; // kept as it is; not ours to record
  if (observed !== null) {
    const status: LogBackupDecision['status'] = { ...askRewritten };
    if (previous.logBackup !== name) status.logBackup = name;
    // The log Backup's own start wins over the status sent, which may be older than the log (a stale status after
    // it was asked for again): compaction extends its prefix with this start.
    const ownStart = prefixStartOf(observed);
    if (ownStart !== null && ownStart !== recordedStart) status.logBackupStartTs = formatTime(ownStart);
    else if (ownStart === null && recordedStart === null) status.logBackupStartTs = formatTime(startOfObserved(observed));
    return { ...none, status, missing: { status: 'False', reason: 'LogBackupPresent', message: `log Backup ${name} exists` }, failed: failedFinding(observed, name) };
  }
  const template = spec.logBackupTemplate;
  if (template === null) return none;
  const build = (start: number): DesiredChild => buildLogBackup(parent, { spec, template, start, handoverLabelKey: options.handoverLabelKey });
  const tick = latestTick(spec, { now, watermark: options.watermark });
  const asked = { logBackupStartTs: formatTime(tick), [LOG_BACKUP_CREATION_TIME]: formatTime(now) };

  if (typeof previous.logBackup !== 'string' || previous.logBackup === '') {
    if (spec.pause) return none;
    return { ...none, create: build(tick), status: { logBackup: name, ...asked } };
  }
  if (recordedStart !== null && askedAt !== null && now < askedAt + options.staleViewGraceMs) {
    // Asked for a moment ago: not in the view yet. Ask for the same object again (AlreadyExists is ignored).
    return { ...none, create: spec.pause ? null : build(recordedStart), status: askRewritten, until: askedAt + options.staleViewGraceMs };
  }
  if (spec.pause) {
    return { ...none, missing: { status: 'True', reason: 'LogBackupMissing', message: `log Backup ${name} is missing; the schedule is paused, so no new one is asked for` } };
  }
  return {
    ...none,
    create: build(tick),
    status: asked,
    missing: {
      status: 'True',
      reason: 'LogBackupMissing',
      message:
        `log Backup ${name} is missing (deleted?); asked for a new one starting at ${formatTime(tick)}. ` +
        `Point-in-time recovery has a gap from the old log's last checkpoint to ${formatTime(tick)}; ` +
        `restore points inside it need a snapshot Backup`,
    },
  };
}

/**
 * The status field recording when the sync that asked for the log Backup (the one starting at `logBackupStartTs`) ran:
 * missing from the view within the stale-view grace after then, it is cache lag, not a deleted log. Its start is the
 * schedule's tick before, which can be a day earlier.
 */
export const LOG_BACKUP_CREATION_TIME = 'logBackupCreationTime';

/** The condition types that report the log Backup while `spec.logBackupTemplate` is set. */
export const LOG_BACKUP_CONDITIONS = ['LogBackupMissing', 'LogBackupFailed'] as const;

/**
 * logBackupNotConfigured is what LogBackupMissing and LogBackupFailed say, once written, after `spec.logBackupTemplate`
 * was removed: the hook reports on the log Backup no more, so what they said of it (that it exists, that it failed and
 * a new one is asked for once it is deleted) would stay, true or not, for good.
 */
export function logBackupNotConfigured(scheduleName: string): { reason: string; message: string } {
  return {
    reason: 'LogBackupNotConfigured',
    message: `spec.logBackupTemplate is not set: the hook no longer watches log Backup ${logBackupName(scheduleName)} nor asks for one; it never deletes it`,
  };
}

/** Subcommands by which a user stops a log backup on purpose. */
const DELIBERATE_SUBCOMMANDS: ReadonlySet<string> = new Set(['log-stop', 'log-pause']);
/** LogBackupFailed's reason for a log the user stopped or paused on purpose. */
const STOPPED_BY_USER = 'StoppedByUser';

/**
 * failedFinding reads the log Backup's state as upstream's helpers do (the phase of its current subcommand in
 * `status.logSubCommandStatuses`): Failed is reported, anything else (running on track, stopped, not started yet) is not.
 */
function failedFinding(log: KubeObject, name: string): Finding {
  const state = logSubcommandState(log);
  if (state.phase === 'Failed') {
    return {
      status: 'True',
      reason: 'LogSubcommandFailed',
      message:
        `log Backup ${name}: ${state.subcommand} failed, so point-in-time coverage stops at its last checkpoint; see its ` +
        `conditions and the Job backup-${name}-${state.subcommand}. The hook does not restart it: fix the cause, then ` +
        'delete the log Backup (a new one is asked for) or change its logSubcommand',
    };
  }
  const reason = DELIBERATE_SUBCOMMANDS.has(state.subcommand) ? STOPPED_BY_USER : 'NotFailed';
  return { status: 'False', reason, message: `log Backup ${name}: ${state.subcommand} ${state.phase ?? 'has no status yet'}` };
}

/**
 * The most recent schedule tick at or before now (the log's start time), else now itself. Before the first tick after
 * the watermark, an `@every` schedule's most recent tick is the watermark, its anchor (never a multiple of its period
 * from 1970).
 */
function latestTick(spec: ScheduleSpec, at: { now: number; watermark: number | null }): number {
  const { watermark, now } = at;
  const anchored = watermark === null ? null : mostRecentTick(spec.schedule, { after: watermark, atOrBefore: now });
  if (anchored !== null) return anchored;
  if (watermark !== null && watermark <= now && isAnchored(spec.schedule)) return Math.floor(watermark / 1000) * 1000;
  return mostRecentTick(spec.schedule, { after: 0, atOrBefore: now }) ?? Math.floor(now / 1000) * 1000;
}

/** prefixStartOf reads the `log-<time>` a log Backup's storage prefix ends with (what compaction must extend its own prefix with), or null. */
function prefixStartOf(log: KubeObject): number | null {
  const prefix = storagePrefixOf(log.spec ?? {});
  const last = prefix?.split('/').at(-1) ?? '';
  return last.startsWith('log-') ? parseSlotStamp(last.slice('log-'.length)) : null;
}

/** startOfObserved is the start of a log Backup whose prefix has no start (an adopted one without that layout): its commitTs, else its creation. */
function startOfObserved(log: KubeObject): number {
  const commitTs = log.status?.['commitTs'];
  const fromTso = typeof commitTs === 'string' ? tsoToMillis(commitTs) : null;
  return fromTso ?? parseTime(log.metadata?.creationTimestamp) ?? 0;
}

/** Options of {@link buildLogBackup}. */
export interface BuildLogBackupOptions {
  spec: ScheduleSpec;
  template: NonNullable<ScheduleSpec['logBackupTemplate']>;
  start: number;
  handoverLabelKey: string;
}

/** buildLogBackup builds `log-<schedule>` from the template as upstream does (prefix suffix `log-<start>`). */
export function buildLogBackup(parent: BackupSchedule, options: BuildLogBackupOptions): DesiredChild {
  const spec = templateCopy(options.template, options.spec.imagePullSecrets);
  // The CRD defaults backupMode to snapshot: a log template that forgot it would run a snapshot named log-*.
  if (spec['backupMode'] === undefined) spec['backupMode'] = 'log';
  extendStoragePrefix(spec, `log-${formatSlotStamp(options.start)}`);
  return {
    apiVersion: PINGCAP_API_VERSION,
    kind: 'Backup',
    metadata: childMetadata(parent, { name: logBackupName(parent.metadata.name ?? ''), handoverLabelKey: options.handoverLabelKey }),
    spec,
  };
}

/** The log backup's health as of one sync: null when the feature is not in use (or the log was just asked for). */
export type LogBackupHealth = 'ok' | 'missing' | 'failed';

/** The log backup's health and checkpoint, read from its decision. */
export interface LogBackupFacts {
  health: LogBackupHealth | null;
  /** The observed log Backup's `status.logCheckpointTs` (epoch ms), or null: none yet, unreadable, or no health to report. */
  checkpoint: number | null;
}


/**
 * logBackupFacts reads the decision's findings: missing when it reports LogBackupMissing, failed when it reports
 * LogBackupFailed, ok when it reports neither as true; null when it reports no LogBackupMissing condition at all.
 */
export function logBackupFacts(decision: LogBackupDecision): LogBackupFacts {
  if (decision.missing === null) return { health: null, checkpoint: null };
  // Stopped or paused through the log Backup (the user's act): not watched, so its still checkpoint raises nothing.
  if (decision.failed?.reason === STOPPED_BY_USER) return { health: null, checkpoint: null };
  const health: LogBackupHealth = decision.missing.status === 'True' ? 'missing' : decision.failed?.status === 'True' ? 'failed' : 'ok';
  const tso = decision.observed === null ? null : logRangeOf(decision.observed).checkpointTso;
  // A checkpoint TSO of 0 is a log that has not checkpointed yet, not one stuck at 1970.
  return { health, checkpoint: tso === null || tso === 0n ? null : physicalMillis(tso) };
}

/** The log's range: its start (`status.commitTs`) and checkpoint (`status.logCheckpointTs`), as TSOs. */
export interface LogRange {
  startTso: bigint | null;
  checkpointTso: bigint | null;
}

/** logRangeOf reads a log Backup's start and checkpoint TSOs; unreadable values are null. */
export function logRangeOf(log: KubeObject): LogRange {
  const tso = (field: string): bigint | null => {
    const value = log.status?.[field];
    return typeof value === 'string' ? parseTso(value) : null;
  };
  return { startTso: tso('commitTs'), checkpointTso: tso('logCheckpointTs') };
}

/** logSubcommandState reads the log Backup's current subcommand and its phase, as upstream's helpers derive them. */
export function logSubcommandState(log: KubeObject): { subcommand: string; phase: string | null } {
  const spec = log.spec ?? {};
  const subcommand = typeof spec['logSubcommand'] === 'string' ? spec['logSubcommand'] : spec['logStop'] === true ? 'log-stop' : 'log-start';
  const statuses = log.status?.['logSubCommandStatuses'];
  if (typeof statuses !== 'object' || statuses === null) return { subcommand, phase: null };
  const phase = (statuses as Record<string, { phase?: unknown } | undefined>)[subcommand]?.phase;
  return { subcommand, phase: typeof phase === 'string' ? phase : null };
}
