/** Validate `spec.retention`: grandfather-father-son keep rules (restic's `forget`) plus a floor and a failed limit. */

import { readPositiveDuration } from './duration.js';
import { FAILED_BACKUPS_KEPT } from './retention.js';
import type { JsonObject } from './types.js';

/** Keep rules counted in buckets, in restic's order. */
export const BUCKET_RULES = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
/** A keep rule counted in buckets. */
export type BucketRule = (typeof BUCKET_RULES)[number];

/** Default of `retention.minCompleted`: never fewer than one completed snapshot Backup (Velero #9061). */
export const DEFAULT_MIN_COMPLETED = 1;
/** Default of `retention.failedBackupsHistoryLimit`: as many failed/invalid as the core keeps under maxBackups. */
export const DEFAULT_FAILED_HISTORY_LIMIT = FAILED_BACKUPS_KEPT;

/** A valid `spec.retention`. */
export interface GfsPolicy {
  /** Bucket counts: N > 0 keeps N buckets, -1 every bucket, 0 leaves the rule unused. */
  counts: Record<BucketRule, number>;
  /** `keepWithin` in ms and as written, or null. */
  keepWithin: { ms: number; text: string } | null;
  minCompleted: number;
  failedBackupsHistoryLimit: number;
}

const FIELDS = [...BUCKET_RULES, 'keepWithin', 'minCompleted', 'failedBackupsHistoryLimit'];

/** readRetention validates `spec.retention` (absent: null); every problem names the field and the fix. */
export function readRetention(spec: JsonObject, problems: string[]): GfsPolicy | null {
  const value = spec['retention'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('spec.retention must be an object such as {keepDaily: 7, keepWeekly: 4}');
    return null;
  }
  const retention = value as JsonObject;
  const before = problems.length;
  for (const key of Object.keys(retention)) {
    if (!FIELDS.includes(key)) {
      const near = FIELDS.find((field) => field.toLowerCase() === key.toLowerCase() || editDistance(field, key) <= 2);
      const hint = near === undefined ? `use one of ${FIELDS.join(', ')}` : `did you mean ${near}`;
      problems.push(`spec.retention.${key} is not a retention field; ${hint}`);
    }
  }
  const counts = {} as Record<BucketRule, number>;
  for (const rule of BUCKET_RULES) counts[rule] = readCount(retention, rule, problems);
  const keepWithin = readKeepWithin(retention, problems);
  const minCompleted = readWhole(retention, { field: 'minCompleted', fallback: DEFAULT_MIN_COMPLETED }, problems);
  const failedBackupsHistoryLimit = readWhole(retention, { field: 'failedBackupsHistoryLimit', fallback: DEFAULT_FAILED_HISTORY_LIMIT }, problems);
  if (problems.length > before) return null;
  if (BUCKET_RULES.every((rule) => counts[rule] === 0) && keepWithin === null) {
    problems.push(
      'spec.retention has no keep rule, which would delete every completed Backup beyond minCompleted; set at least one of ' +
        `${BUCKET_RULES.join(', ')} or keepWithin (restic refuses an empty policy too), or remove spec.retention to keep every Backup`,
    );
    return null;
  }
  return { counts, keepWithin, minCompleted, failedBackupsHistoryLimit };
}

function readCount(retention: JsonObject, rule: BucketRule, problems: string[]): number {
  const value = retention[rule];
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -1) {
    problems.push(`spec.retention.${rule} ${JSON.stringify(value)} must be a whole number: N > 0 keeps N, -1 keeps all, 0 does not use the rule`);
    return 0;
  }
  return value;
}

function readKeepWithin(retention: JsonObject, problems: string[]): GfsPolicy['keepWithin'] {
  const value = retention['keepWithin'];
  const field = { path: 'spec.retention.keepWithin', example: '168h', whenUnset: 'keep Backups by the other rules only' };
  const ms = readPositiveDuration(value, field, problems);
  return ms === null ? null : { ms, text: String(value) };
}

function readWhole(retention: JsonObject, field: { field: string; fallback: number }, problems: string[]): number {
  const value = retention[field.field];
  if (value === undefined || value === null) return field.fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    problems.push(`spec.retention.${field.field} ${JSON.stringify(value)} must be a whole number >= 0 (default ${field.fallback})`);
    return field.fallback;
  }
  return value;
}

/** editDistance is the Levenshtein distance of two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
