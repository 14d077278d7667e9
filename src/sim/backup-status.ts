/** Backup statuses as TiDB Operator's Backup controller and backup-manager write them (pure builders). */

import { formatTime } from '../core/time.js';
import type { JsonObject } from '../core/types.js';

/** A Backup condition type the executor writes. */
export type BackupPhase = 'Scheduled' | 'Prepare' | 'Running' | 'Complete' | 'Failed';

/** tsoOf returns the TSO of an instant: physical milliseconds shifted left by 18 bits, as a decimal string. */
export function tsoOf(ms: number): string {
  return (BigInt(Math.floor(ms)) << 18n).toString();
}

/**
 * withCondition returns the status with a condition of this type set to "True" at `at` (one entry per type,
 * as upstream keeps them) and `phase` set to that type; `extra` fields are merged in.
 */
export function withCondition(status: JsonObject | undefined, phase: BackupPhase, options: { at: number; extra?: JsonObject; reason?: string }): JsonObject {
  const previous = Array.isArray(status?.['conditions']) ? (status['conditions'] as JsonObject[]) : [];
  const condition: JsonObject = { type: phase, status: 'True', lastTransitionTime: formatTime(options.at) };
  if (options.reason !== undefined) {
    condition['reason'] = options.reason;
    condition['message'] = `backup ${phase.toLowerCase()}: ${options.reason}`;
  }
  const conditions = previous.filter((c) => c['type'] !== phase).concat(condition);
  return { ...(status ?? {}), ...(options.extra ?? {}), phase, conditions };
}

/** goDuration writes milliseconds the way Go's time.Duration prints whole seconds ("4m50s"). */
export function goDuration(ms: number): string {
  let seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** completeFields are what backup-manager adds when BR finishes: commitTs, path, times, size. */
export function completeFields(facts: { startedAt: number; commitAt: number; completedAt: number; backupPath: string }): JsonObject {
  return {
    commitTs: tsoOf(facts.commitAt),
    backupPath: facts.backupPath,
    timeStarted: formatTime(facts.startedAt),
    timeCompleted: formatTime(facts.completedAt),
    timeTaken: goDuration(facts.completedAt - facts.startedAt),
    backupSize: 1073741824,
  };
}

/** A log Backup subcommand the executor runs (a key of `status.logSubCommandStatuses`). */
export type LogSubcommand = 'log-start' | 'log-truncate';

/**
 * withLogSubcommand returns the status with `logSubCommandStatuses[command]` moved to `phase` (its conditions one
 * per type, as upstream's updater keeps them) and `fields` (timeStarted, logTruncatingUntil, …) merged in. The
 * whole Backup's conditions are left alone: upstream copies only some subcommand conditions there.
 */
export function withLogSubcommand(status: JsonObject | undefined, command: LogSubcommand, options: { phase: BackupPhase; at: number; fields?: JsonObject }): JsonObject {
  const statuses = { ...((status?.['logSubCommandStatuses'] as JsonObject | undefined) ?? {}) };
  const previous = (statuses[command] as JsonObject | undefined) ?? { command, conditions: [] };
  const conditions = ((previous['conditions'] as JsonObject[] | undefined) ?? []).filter((c) => c['type'] !== options.phase);
  conditions.push({ type: options.phase, status: 'True', lastTransitionTime: formatTime(options.at) });
  statuses[command] = { ...previous, ...(options.fields ?? {}), command, phase: options.phase, conditions };
  return { ...(status ?? {}), logSubCommandStatuses: statuses };
}
