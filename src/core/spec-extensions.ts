/**
 * Validate the spec fields this hook adds to upstream's schema: `timeZone`, `skipMissedOnUnpause`,
 * `startingDeadlineSeconds`, `backupTimeout`, `retention`, and the schedule's backup-now annotation.
 * A spec without them reads as upstream's.
 */

import { readBackupNowToken } from './backup-now.js';
import { readPositiveDuration } from './duration.js';
import { readRetention } from './retention-spec.js';
import type { GfsPolicy } from './retention-spec.js';
import { parseSchedule } from './schedule.js';
import type { BackupSchedule, JsonObject } from './types.js';

/** The extension settings of a valid spec. */
export interface SpecExtensions {
  /** IANA zone of the schedule's ticks and of retention buckets; "UTC" when unset. */
  timeZone: string;
  skipMissedOnUnpause: boolean;
  /** `startingDeadlineSeconds` in ms, or null for no deadline. */
  startingDeadlineMs: number | null;
  /** `backupTimeout` in ms and as written, or null (a running Backup is never stuck). */
  backupTimeout: { ms: number; text: string } | null;
  /** `retention` (GFS), or null. Excludes maxReservedTime and maxBackups. */
  retention: GfsPolicy | null;
  /** The schedule's backup-now token, or null. */
  backupNowToken: string | null;
}

/** readExtensions validates the extension fields; every problem names the field and the fix. */
export function readExtensions(parent: BackupSchedule, spec: JsonObject, problems: string[]): SpecExtensions {
  const skip = spec['skipMissedOnUnpause'];
  if (skip != null && typeof skip !== 'boolean') problems.push(`spec.skipMissedOnUnpause must be true or false, not ${JSON.stringify(skip)}`);
  const retention = readRetention(spec, problems);
  const upstream = [hasValue(spec['maxReservedTime']) ? 'maxReservedTime' : '', typeof spec['maxBackups'] === 'number' && spec['maxBackups'] > 0 ? 'maxBackups' : ''];
  const both = upstream.filter((field) => field !== '');
  if (retention !== null && both.length > 0) {
    problems.push(
      `spec.retention cannot be combined with ${both.map((field) => `spec.${field}`).join(' or ')}; use one or the other ` +
        '(retention.keepWithin replaces maxReservedTime, retention.keepLast replaces maxBackups)',
    );
  }
  const backupTimeout = readPositiveDuration(
    spec['backupTimeout'],
    { path: 'spec.backupTimeout', example: '6h', whenUnset: 'wait for every running Backup however long it takes' },
    problems,
  );
  return {
    timeZone: readTimeZone(spec, problems),
    skipMissedOnUnpause: skip === true,
    startingDeadlineMs: readStartingDeadline(spec, problems),
    backupTimeout: backupTimeout === null ? null : { ms: backupTimeout, text: String(spec['backupTimeout']) },
    retention,
    backupNowToken: readBackupNowToken(parent, problems),
  };
}

/** readTimeZone returns the zone the schedule module accepts, "UTC" when unset; an unknown zone is a problem. */
function readTimeZone(spec: JsonObject, problems: string[]): string {
  const value = spec['timeZone'];
  if (value === undefined || value === null) return 'UTC';
  const hint = 'use an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York" (see `timedatectl list-timezones`)';
  if (typeof value !== 'string' || value === '') {
    problems.push(`spec.timeZone ${JSON.stringify(value)} is not a time zone name; ${hint}, or remove it for UTC`);
    return 'UTC';
  }
  // The schedule module is the one judge of zones: a zone it cannot compute ticks in is unknown.
  if (!parseSchedule('@hourly', { timeZone: value }).ok) {
    problems.push(`spec.timeZone "${value}" is not a known IANA time zone; ${hint}`);
    return 'UTC';
  }
  return value;
}

function readStartingDeadline(spec: JsonObject, problems: string[]): number | null {
  const value = spec['startingDeadlineSeconds'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    problems.push(`spec.startingDeadlineSeconds ${JSON.stringify(value)} must be a whole number of seconds >= 0, such as 3600; remove it for no deadline`);
    return null;
  }
  return value * 1000;
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
