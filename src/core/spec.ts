/** Validate: read a BackupSchedule's spec into typed settings, or into messages that say what to fix. */

import { readPositiveDuration } from './duration.js';
import { MAX_SCHEDULE_NAME_LENGTH } from './names.js';
import { parseTsString } from './tso.js';
import { parseSchedule } from './schedule.js';
import { readExtensions } from './spec-extensions.js';
import type { SpecExtensions } from './spec-extensions.js';
import type { Schedule } from './schedule.js';
import type { BackupSchedule, JsonObject } from './types.js';

/** The settings of a valid spec that the core acts on (upstream's fields plus this hook's extensions). */
export interface ScheduleSpec extends SpecExtensions {
  schedule: Schedule;
  pause: boolean;
  /** `maxReservedTime` in ms, or null when unset. Wins over maxBackups. */
  maxReservedTimeMs: number | null;
  /** `maxBackups` when > 0, else null (unlimited). */
  maxBackups: number | null;
  backupTemplate: JsonObject;
  /** `imagePullSecrets` when set (even empty): overwrites the template's. */
  imagePullSecrets: unknown[] | null;
  storageClassName: string | null;
  volumeAttributesClassName: string | null;
  storageSize: string | null;
  /** `logBackupTemplate`: when set, one long-running log Backup `log-<schedule>` exists. */
  logBackupTemplate: JsonObject | null;
  /** `compactBackupTemplate`: CompactBackups of the log, every `compactIntervalMs`. */
  compactBackupTemplate: JsonObject | null;
  /** `compactInterval` in ms ("span"), required with compactBackupTemplate. */
  compactIntervalMs: number | null;
  /** `minCompactStartTs` (TSO or `2006-01-02 15:04:05` UTC) in ms: no compact starts before it. */
  minCompactStartMs: number | null;
}

/** A valid spec, or every problem found in it. */
export type ReadSpecResult = { ok: true; spec: ScheduleSpec } | { ok: false; problems: string[] };

/** readSpec validates the parent's spec; every problem names the field and the fix. */
export function readSpec(parent: BackupSchedule): ReadSpecResult {
  const problems: string[] = [];
  const name = parent.metadata.name ?? '';
  if (name.length > MAX_SCHEDULE_NAME_LENGTH) {
    problems.push(
      `metadata.name "${name}" has ${name.length} characters; TiDB Operator names each Backup's Job ` +
        `backup-<name>-<time>, which must fit 63, so use a schedule name of at most ${MAX_SCHEDULE_NAME_LENGTH} characters`,
    );
  }
  const spec = parent.spec;
  if (!isObject(spec)) return { ok: false, problems: [...problems, 'spec is missing; set spec.schedule and spec.backupTemplate'] };

  const extensionProblems: string[] = [];
  const extensions = readExtensions(parent, spec, extensionProblems);
  const schedule = readSchedule(spec, problems, { timeZone: extensions.timeZone, seed: scheduleSeed(parent) });
  const pause = readOptional(spec, 'pause', 'boolean', problems) ?? false;
  const maxReservedTimeMs = readDuration(spec, 'maxReservedTime', problems);
  const maxBackups = readMaxBackups(spec, problems);
  const backupTemplate = spec['backupTemplate'];
  if (!isObject(backupTemplate)) {
    problems.push('spec.backupTemplate is missing or not an object; set it to the Backup spec each scheduled Backup starts from');
  } else if (backupTemplate['backupMode'] === 'log') {
    // A log backup runs until it is stopped: the first tick's would hold every later tick for ever.
    problems.push(
      'spec.backupTemplate.backupMode is "log": each scheduled Backup would start a log backup, which runs until it is stopped, ' +
        'so the next tick would wait for it for ever; set spec.logBackupTemplate for the log backup and leave backupMode out of ' +
        'spec.backupTemplate (or set it to "snapshot")',
    );
  }
  const imagePullSecrets = spec['imagePullSecrets'];
  if (imagePullSecrets != null && !Array.isArray(imagePullSecrets)) {
    problems.push('spec.imagePullSecrets must be a list like [{name: my-secret}]');
  }
  const storageClassName = readOptional(spec, 'storageClassName', 'string', problems) ?? null;
  const volumeAttributesClassName = readOptional(spec, 'volumeAttributesClassName', 'string', problems) ?? null;
  const storageSize = readOptional(spec, 'storageSize', 'string', problems) ?? null;
  const logBackupTemplate = readTemplate(spec, 'logBackupTemplate', problems);
  const logMode = logBackupTemplate?.['backupMode'];
  if (logMode !== undefined && logMode !== 'log') {
    problems.push(
      `spec.logBackupTemplate.backupMode is ${JSON.stringify(logMode)}: the log backup log-<schedule> would run as another kind of backup; set it to "log" or leave it out`,
    );
  }
  const compactBackupTemplate = readTemplate(spec, 'compactBackupTemplate', problems);
  const compactIntervalMs = readDuration(spec, 'compactInterval', problems);
  const minCompactStartMs = readMinCompactStart(spec, problems);
  if (compactBackupTemplate !== null && logBackupTemplate === null) {
    problems.push('spec.compactBackupTemplate compacts the log backup: set spec.logBackupTemplate too, or remove spec.compactBackupTemplate');
  }
  if (compactBackupTemplate !== null && compactIntervalMs === null && spec['compactInterval'] == null) {
    problems.push('spec.compactBackupTemplate needs spec.compactInterval, the span of each compaction, such as "2h"');
  }
  problems.push(...extensionProblems);

  if (problems.length > 0 || schedule === null || !isObject(backupTemplate)) return { ok: false, problems };
  return {
    ok: true,
    spec: {
      schedule,
      pause,
      maxReservedTimeMs,
      maxBackups,
      backupTemplate,
      imagePullSecrets: Array.isArray(imagePullSecrets) ? imagePullSecrets : null,
      storageClassName,
      volumeAttributesClassName,
      storageSize,
      logBackupTemplate,
      compactBackupTemplate,
      compactIntervalMs,
      minCompactStartMs,
      ...extensions,
    },
  };
}

function readTemplate(spec: JsonObject, field: string, problems: string[]): JsonObject | null {
  const value = spec[field];
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    problems.push(`spec.${field} must be an object: the Backup spec it starts from`);
    return null;
  }
  return value;
}

function readMinCompactStart(spec: JsonObject, problems: string[]): number | null {
  const value = spec['minCompactStartTs'];
  if (value === undefined || value === null || value === '') return null;
  const at = typeof value === 'string' ? parseTsString(value) : null;
  if (at === null) problems.push(`spec.minCompactStartTs ${JSON.stringify(value)} must be a TSO or a UTC time like "2024-05-01 00:00:00"`);
  return at;
}

/**
 * scheduleSeed is what a schedule's hashed values are drawn from: its namespace/name, which never change for the object
 * (a manifest without a namespace is read as in `default`, where kubectl would create it without one).
 */
export function scheduleSeed(parent: BackupSchedule): string {
  return `${parent.metadata.namespace || 'default'}/${parent.metadata.name ?? ''}`; // empty, like none: default
}

function readSchedule(spec: JsonObject, problems: string[], options: { timeZone: string; seed: string }): Schedule | null {
  const { timeZone, seed } = options;
  const expression = spec['schedule'];
  if (typeof expression !== 'string') {
    problems.push('spec.schedule is missing; set a 5-field cron such as "0 2 * * *", a macro such as "@daily", or "@every 6h"');
    return null;
  }
  const parsed = parseSchedule(expression, timeZone === 'UTC' ? { seed } : { timeZone, seed });
  if (!parsed.ok) {
    problems.push(`spec.schedule: ${parsed.error}`);
    return null;
  }
  return parsed.schedule;
}

function readDuration(spec: JsonObject, field: string, problems: string[]): number | null {
  return readPositiveDuration(spec[field], { path: `spec.${field}`, example: '72h', whenUnset: 'turn it off' }, problems);
}

function readMaxBackups(spec: JsonObject, problems: string[]): number | null {
  const value = spec['maxBackups'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    problems.push(`spec.maxBackups ${JSON.stringify(value)} must be a whole number >= 0 (0 keeps every Backup)`);
    return null;
  }
  return value > 0 ? value : null;
}

function readOptional<T extends 'string' | 'boolean'>(
  spec: JsonObject,
  field: string,
  type: T,
  problems: string[],
): (T extends 'string' ? string : boolean) | undefined {
  const value = spec[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) {
    problems.push(`spec.${field} must be a ${type}, not ${JSON.stringify(value)}`);
    return undefined;
  }
  return value as T extends 'string' ? string : boolean;
}

/** isObject tells whether a JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
