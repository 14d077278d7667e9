/** Configuration: read only from environment variables, validated once at start with messages that say what to fix. */

import { parseGoDuration } from './core/duration.js';
import { DEFAULT_DELETION_STUCK_AFTER_MS } from './core/stuck.js';
import { DEFAULT_HANDOVER_LABEL_KEY, DEFAULT_STALE_VIEW_GRACE_MS } from './core/sync.js';

/** The service's settings. */
export interface Config {
  /** PORT: TCP port to listen on (default 8080; 0 picks a free one). */
  port: number;
  /** HOST: address to bind; null (the default) binds every interface, IPv6 and IPv4 (IPv4 only where IPv6 is off). */
  host: string | null;
  /** LOG_LEVEL: pino level (default info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** BODY_LIMIT_BYTES: largest accepted sync request body (default 64 MiB). */
  bodyLimitBytes: number;
  /** BODY_BYTES_IN_FLIGHT: bytes of request bodies read at once; requests beyond wait, then get 503 (default 128 MiB). */
  bodyBytesInFlight: number;
  /** STALE_VIEW_GRACE: Go duration a missing last Backup counts as in flight after it was asked for (default 5m). */
  staleViewGraceMs: number;
  /** HANDOVER_LABEL_KEY: label that hands schedules over from TiDB Operator; never copied onto Backups. */
  handoverLabelKey: string;
  /** DELETION_STUCK_AFTER: Go duration after its deletionTimestamp a Backup still present is reported in DeletionStuck (default 1h). */
  deletionStuckAfterMs: number;
  /** RESYNC_EVERY: Go duration, the longest call-back every answer asks for (default 5m; 0 turns it off). */
  resyncEveryMs: number;
  /** SHUTDOWN_GRACE: Go duration in-flight requests get after SIGTERM (default 20s). */
  shutdownGraceMs: number;
  /** SHUTDOWN_DELAY: Go duration the service keeps accepting, not ready, after SIGTERM (default 0s; < SHUTDOWN_GRACE). */
  shutdownDelayMs: number;
  /** SCHEDULE_METRICS_TTL: Go duration after which a schedule this replica no longer syncs loses its series (default 1h). */
  scheduleMetricsTtlMs: number;
  /** REQUEST_TIMEOUT: Go duration a whole request may take, body included (default 30s). */
  requestTimeoutMs: number;
  /** HEADERS_TIMEOUT: Go duration to receive request headers (default 10s). */
  headersTimeoutMs: number;
  /** KEEP_ALIVE_TIMEOUT: Go duration an idle keep-alive connection stays open (default 95s: past Metacontroller's 90 s, so the client closes first). */
  keepAliveTimeoutMs: number;
}

/**
 * Default BODY_BYTES_IN_FLIGHT: two bodies at the 64 MiB limit, or five of a 10,000-Backup schedule (26 MB) as
 * Metacontroller's five workers send them. A request takes about six times its size in memory while it is handled; this fits the
 * shipped heap cap (--max-old-space-size=256) and 640 Mi limit, where three 60 MiB bodies at once ran out of heap.
 */
export const DEFAULT_BODY_BYTES_IN_FLIGHT = 128 * 1024 * 1024;

/**
 * Default RESYNC_EVERY: every answer asks to be called again within 5 minutes, the `resyncPeriodSeconds` of the
 * shipped CompositeController, which Metacontroller itself does not keep: it raises a parent's resync period to its
 * `--cache-flush-interval` (30 minutes by default) when the informer has started first (metacontroller#1136).
 */
export const DEFAULT_RESYNC_EVERY_MS = 5 * 60_000;

/** Longest delay a Node.js timer can wait (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** An environment: variable names to values. */
export type Env = Readonly<Record<string, string | undefined>>;

/** loadConfig reads and validates the environment; it throws one error listing every bad variable. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const config: Config = {
    port: integer(env, { name: 'PORT', fallback: 8080, min: 0, max: 65535 }, problems),
    host: env['HOST'] === undefined || env['HOST'] === '' ? null : env['HOST'],
    logLevel: logLevel(env, problems),
    bodyLimitBytes: integer(env, { name: 'BODY_LIMIT_BYTES', fallback: 64 * 1024 * 1024, min: 1024, max: 2 ** 31 - 1 }, problems),
    bodyBytesInFlight: integer(env, { name: 'BODY_BYTES_IN_FLIGHT', fallback: DEFAULT_BODY_BYTES_IN_FLIGHT, min: 1024, max: 2 ** 31 - 1 }, problems),
    staleViewGraceMs: duration(env, { name: 'STALE_VIEW_GRACE', fallback: DEFAULT_STALE_VIEW_GRACE_MS }, problems),
    handoverLabelKey: env['HANDOVER_LABEL_KEY'] || DEFAULT_HANDOVER_LABEL_KEY, // empty, like unset: the default
    deletionStuckAfterMs: duration(env, { name: 'DELETION_STUCK_AFTER', fallback: DEFAULT_DELETION_STUCK_AFTER_MS, positive: true }, problems),
    resyncEveryMs: duration(env, { name: 'RESYNC_EVERY', fallback: DEFAULT_RESYNC_EVERY_MS }, problems),
    shutdownGraceMs: duration(env, { name: 'SHUTDOWN_GRACE', fallback: 20_000, max: MAX_TIMER_MS }, problems),
    shutdownDelayMs: duration(env, { name: 'SHUTDOWN_DELAY', fallback: 0, max: MAX_TIMER_MS }, problems),
    scheduleMetricsTtlMs: duration(env, { name: 'SCHEDULE_METRICS_TTL', fallback: 60 * 60_000, positive: true }, problems),
    requestTimeoutMs: duration(env, { name: 'REQUEST_TIMEOUT', fallback: 30_000, max: MAX_TIMER_MS }, problems),
    headersTimeoutMs: duration(env, { name: 'HEADERS_TIMEOUT', fallback: 10_000, max: MAX_TIMER_MS }, problems),
    keepAliveTimeoutMs: duration(env, { name: 'KEEP_ALIVE_TIMEOUT', fallback: 95_000, max: MAX_TIMER_MS }, problems),
  };
  if (!LABEL_KEY.test(config.handoverLabelKey)) {
    problems.push(`HANDOVER_LABEL_KEY "${config.handoverLabelKey}" is not a Kubernetes label key such as backup-schedule-hook/controller`);
  }
  if (config.resyncEveryMs > 0 && config.resyncEveryMs < 60_000) {
    problems.push(`RESYNC_EVERY "${env['RESYNC_EVERY']}" must be 0s (off) or at least 1m: every schedule is synced that often`);
  }
  if (config.shutdownDelayMs > 0 && config.shutdownDelayMs >= config.shutdownGraceMs) {
    problems.push(`SHUTDOWN_DELAY (${env['SHUTDOWN_DELAY']}) must be shorter than SHUTDOWN_GRACE (${env['SHUTDOWN_GRACE'] ?? '20s'}), which bounds the whole shutdown`);
  }
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

function integer(env: Env, field: { name: string; fallback: number; min: number; max: number }, problems: string[]): number {
  const text = env[field.name];
  if (text === undefined || text === '') return field.fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < field.min || value > field.max) {
    problems.push(`${field.name} "${text}" must be a whole number from ${field.min} to ${field.max}`);
    return field.fallback;
  }
  return value;
}

function duration(env: Env, field: { name: string; fallback: number; positive?: boolean; max?: number }, problems: string[]): number {
  const text = env[field.name];
  if (text === undefined || text === '') return field.fallback;
  const parsed = parseGoDuration(text);
  const floor = field.positive === true ? 1 : 0;
  if (!parsed.ok || parsed.ms < floor) {
    const floorWords = parsed.ok && parsed.ms > 0 ? 'at least 1ms, such as 1h' : 'positive, such as 1h';
    problems.push(`${field.name}: ${parsed.ok ? `"${text}" must be ${floor > 0 ? floorWords : 'zero or more'}` : parsed.error}`);
    return field.fallback;
  }
  if (field.max !== undefined && parsed.ms > field.max) {
    problems.push(`${field.name}: "${text}" is longer than the ${Math.floor(field.max / 3_600_000)}h a timer can wait`);
    return field.fallback;
  }
  return parsed.ms;
}

function logLevel(env: Env, problems: string[]): Config['logLevel'] {
  const text = env['LOG_LEVEL'];
  if (text === undefined || text === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === text);
  if (level === undefined) problems.push(`LOG_LEVEL "${text}" must be one of ${LOG_LEVELS.join(', ')}`);
  return level ?? 'info';
}
