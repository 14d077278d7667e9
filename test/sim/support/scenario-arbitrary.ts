/**
 * Random scenarios for the invariant properties: schedules, retention, executor behaviour, cache lag and
 * faults, over one simulated year. `stale` keeps the lag below the stale-view grace and the schedule interval
 * (all six invariants must hold); `outage` goes beyond both (only invariants 1, 3 and 6 must hold).
 */

import fc from 'fast-check';

import type { JsonObject } from '../../../src/core/types.js';
import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';
import { withRestarts } from './restart-arbitrary.js';
import { withBrokenSpecs } from './spec-broken-arbitrary.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** One simulated year per run. */
export const YEAR_MS = 365 * DAY;

/** Schedules of the property runs, with their shortest gap between ticks. */
export const PROPERTY_SCHEDULES: ReadonlyArray<{ expression: string; minIntervalMs: number }> = [
  { expression: '0 1,13 * * *', minIntervalMs: 12 * HOUR },
  { expression: '30 2 * * *', minIntervalMs: DAY },
  { expression: '@daily', minIntervalMs: DAY },
  { expression: '0 3 * * 1-5', minIntervalMs: DAY },
  { expression: '@every 36h', minIntervalMs: 36 * HOUR },
  { expression: '15 4 * * 0', minIntervalMs: 7 * DAY },
  { expression: '0 0 1,15 * *', minIntervalMs: 13 * DAY },
];

/** Denser schedules for the soak (a year of them costs more than `npm test` affords). */
export const DENSE_SCHEDULES: ReadonlyArray<{ expression: string; minIntervalMs: number }> = [
  { expression: '0 */6 * * *', minIntervalMs: 6 * HOUR },
  { expression: '@every 8h', minIntervalMs: 8 * HOUR },
  { expression: '*/10 * * * *', minIntervalMs: 10 * MINUTE },
  { expression: '@every 45m', minIntervalMs: 45 * MINUTE },
  { expression: '0 * * * *', minIntervalMs: HOUR },
  { expression: '*/30 9-17 * * 1-5', minIntervalMs: 30 * MINUTE },
  // Hashed times: drawn from the schedule's namespace/name, which the oracles read through the same spec reader.
  { expression: 'H/20 H(0-5) * * *', minIntervalMs: 20 * MINUTE },
];

/** The two families of property runs. */
export type Family = 'stale' | 'outage';

/** Sizes and choices of a family's runs. */
export interface ArbitraryOptions {
  schedules?: ReadonlyArray<{ expression: string; minIntervalMs: number }>;
  resyncSeconds?: readonly number[];
  years?: number;
  /** Add a log backup (and, mostly, compaction), their executors and faults, and backup-now requests. */
  pitr?: boolean;
  /** Outages only: leave out the broken specs drawn after everything else (`withBrokenSpecs`). */
  brokenSpecs?: boolean;
}

const TEMPLATE: JsonObject = {
  backupType: 'full',
  br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' },
  s3: { provider: 'aws', region: 'us-west-2', bucket: 'backups', prefix: 'schedule-backup', secretName: 's3-secret' },
};

/** Retention as a merge patch: every field set or null, so an edit replaces the whole policy. */
const retentionArb: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ maxReservedTime: fc.constantFrom('1h', '30h', '72h', '168h', '720h'), maxBackups: fc.constant(null), retention: fc.constant(null) }),
  fc.record({ maxReservedTime: fc.constant(null), maxBackups: fc.integer({ min: 1, max: 8 }), retention: fc.constant(null) }),
  fc.record({ maxReservedTime: fc.constantFrom('48h', '240h'), maxBackups: fc.integer({ min: 1, max: 4 }), retention: fc.constant(null) }),
  fc.record({
    maxReservedTime: fc.constant(null),
    maxBackups: fc.constant(null),
    retention: fc.record({ keepLast: fc.integer({ min: 1, max: 3 }), keepDaily: fc.integer({ min: 0, max: 7 }), keepWeekly: fc.integer({ min: 0, max: 4 }), keepMonthly: fc.integer({ min: 0, max: 3 }) }),
  }),
);

/** The spec fields of issue 9 a run may set (null: unset). */
const extensionsArb = fc.record({
  timeZone: fc.constantFrom(null, 'UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'),
  backupTimeoutIntervals: fc.constantFrom(null, null, 1, 3),
  skipMissedOnUnpause: fc.constantFrom(null, true),
  startingDeadlineSeconds: fc.constantFrom(null, null, 300, 7200),
});

/** A Backup kept longer than this many of the shortest intervals would make hundreds of children: a year of them costs hours. */
const MAX_KEPT_INTERVALS = 48;

/** clampRetention shortens maxReservedTime to at most MAX_KEPT_INTERVALS intervals (dense schedules in the soak). */
function clampRetention(spec: JsonObject, minIntervalMs: number): JsonObject {
  const text = spec['maxReservedTime'];
  const hours = typeof text === 'string' ? Number(text.replace(/h$/, '')) : NaN;
  if (!Number.isFinite(hours) || hours * HOUR <= MAX_KEPT_INTERVALS * minIntervalMs) return spec;
  return { ...spec, maxReservedTime: `${Math.round((MAX_KEPT_INTERVALS * minIntervalMs) / MINUTE)}m` };
}

/** withoutNulls drops the fields a merge patch would remove. */
function withoutNulls(spec: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== null));
}

/** A cache's share of the lag bound, even over [0, 1] (`fc.double` would draw nine in ten below 1e-6: no lag). */
const shareArb = evenDouble({ min: 0, max: 1 });

/**
 * Shares of the lag bound (schedules, new children, changed children): three runs in five each its own, even over
 * [0, 1]; one in five every cache at the bound (a stale status next to a list that lacks the newest Backup is what
 * overlaps need, and independent shares rarely make both long); one in five no lag at all.
 */
const lagShareArb: fc.Arbitrary<[number, number, number]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(shareArb, shareArb, shareArb) },
  { weight: 1, arbitrary: fc.constant<[number, number, number]>([1, 1, 1]) },
  { weight: 1, arbitrary: fc.constant<[number, number, number]>([0, 0, 0]) },
);

/** Longest Metacontroller restart of each family: a broken upgrade for hours, or (outages) days. */
const LONGEST_RESTART_MS: Readonly<Record<Family, number>> = { stale: 6 * HOUR, outage: 2 * DAY };

/**
 * scenarioArb draws a year-long (or `years`-long) scenario of one family, with a log backup when `pitr` is set; one run
 * in three also has Metacontroller restart (`restart-arbitrary.ts`). Outage worlds, last of all, also draw up to two
 * windows in which a user breaks the spec and fixes it, some fixed while paused and unpaused later (`withBrokenSpecs`;
 * `brokenSpecs: false` leaves them out), so that the rest of each world is the one its seed drew before them.
 */
export function scenarioArb(family: Family, options: ArbitraryOptions = {}): fc.Arbitrary<Scenario> {
  const restarted = withRestarts(scenarioWithoutRestartsArb(family, options), { longestMs: LONGEST_RESTART_MS[family] });
  return family === 'outage' && options.brokenSpecs !== false ? withBrokenSpecs(restarted, { unpauseLater: true }) : restarted;
}

function scenarioWithoutRestartsArb(family: Family, options: ArbitraryOptions): fc.Arbitrary<Scenario> {
  const base = snapshotScenarioArb(family, options);
  if (options.pitr !== true) return base;
  const durationMs = Math.round((options.years ?? 1) * YEAR_MS);
  return fc.tuple(base, pitrArb(durationMs)).map(([scenario, pitr]) => withPitr(scenario, pitr));
}

function snapshotScenarioArb(family: Family, options: ArbitraryOptions): fc.Arbitrary<Scenario> {
  const schedules = options.schedules ?? PROPERTY_SCHEDULES;
  const durationMs = Math.round((options.years ?? 1) * YEAR_MS);
  return fc
    .record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      startDay: fc.integer({ min: 0, max: 3 * 365 }),
      schedule: fc.integer({ min: 0, max: schedules.length - 1 }),
      retention: retentionArb,
      extensions: extensionsArb,
      cleanPolicy: fc.constantFrom('Retain', 'Delete', 'OnFailure'),
      graceMs: fc.constantFrom(MINUTE, 5 * MINUTE, 15 * MINUTE),
      resyncSeconds: fc.constantFrom(...(options.resyncSeconds ?? [21_600])),
      lagShare: lagShareArb,
      failRate: fc.constantFrom(0, 0.05, 0.3),
      slowRate: fc.constantFrom(0, 0.05, 0.2),
      stuckDeletionRate: fc.constantFrom(0, 0, 0.003),
      faults: fc.array(faultArb(family, { schedules, durationMs }), { maxLength: 6 }),
    })
    .map((p) => {
      const picked = schedules[p.schedule] ?? schedules[0]!;
      const minInterval = shortestIntervalMs(picked.expression, { faults: p.faults, schedules });
      const lagBound = family === 'stale' ? staleLagBound(p.graceMs, minInterval) : 6 * HOUR;
      const [parentShare, addedShare, changedShare] = p.lagShare;
      const lag = (share: number): [number, number] => lagRange(share, lagBound);
      const faults = p.faults.map((f): Fault => {
        if (f.kind === 'clock-jump' && family === 'stale' && f.byMs > 0) return { ...f, byMs: Math.min(f.byMs, Math.max(1000, lagBound - 60_000)) };
        if (f.kind === 'edit') return { ...f, spec: clampRetention(f.spec, minInterval) };
        return f;
      });
      const scenario: Scenario = {
        seed: p.seed,
        start: new Date(Date.UTC(2024, 0, 1) + p.startDay * DAY + (p.seed % 86_400) * 1000).toISOString().replace('.000Z', 'Z'),
        durationMs,
        controller: 'hook',
        schedule: {
          name: 'nightly',
          namespace: 'db',
          spec: withoutNulls({
            schedule: picked.expression,
            ...clampRetention(p.retention, minInterval),
            timeZone: p.extensions.timeZone,
            backupTimeout: p.extensions.backupTimeoutIntervals === null ? null : `${Math.round((p.extensions.backupTimeoutIntervals * minInterval) / 60_000)}m`,
            skipMissedOnUnpause: p.extensions.skipMissedOnUnpause,
            startingDeadlineSeconds: p.extensions.startingDeadlineSeconds,
            backupTemplate: { ...TEMPLATE, cleanPolicy: p.cleanPolicy },
          }),
        },
        hook: { staleViewGraceMs: p.graceMs, handoverLabelKey: 'backup-schedule-hook/controller' },
        metacontroller: { resyncPeriodSeconds: p.resyncSeconds, updateStrategy: 'InPlace' },
        transport: { latencyMs: [1, 50], timeoutMs: 10_000 },
        lag: { parentMs: lag(parentShare), childAddedMs: lag(addedShare), childChangedMs: lag(changedShare) },
        executor: {
          jobStartMs: [500, 3000],
          podStartMs: [2000, 20_000],
          prepareMs: [3000, 30_000],
          runMs: [MINUTE, Math.min(2 * HOUR, minInterval / 3)],
          failRate: p.failRate,
          slowRate: p.slowRate,
          slowRunMs: [minInterval / 2, 2.5 * minInterval],
          cleanMs: [10_000, 2 * MINUTE],
          stuckDeletionRate: p.stuckDeletionRate,
        },
        faults,
      };
      return scenario;
    });
}

/** shortestIntervalMs is the shortest gap between ticks of `expression` and of the schedules edit faults set, among `schedules`. */
function shortestIntervalMs(expression: string, options: { faults: readonly Fault[]; schedules: ReadonlyArray<{ expression: string; minIntervalMs: number }> }): number {
  const set = new Set<unknown>([expression, ...options.faults.map((f) => (f.kind === 'edit' ? f.spec['schedule'] : undefined))]);
  return Math.min(...options.schedules.filter((s) => set.has(s.expression)).map((s) => s.minIntervalMs));
}

/**
 * staleLagBound is the longest lag of the stale family: every lag below the grace and the interval (half of the
 * smaller, for the call and the sync after it).
 */
function staleLagBound(graceMs: number, minIntervalMs: number): number {
  return Math.min(graceMs, minIntervalMs) / 2;
}

/** lagRange is a cache's lag range: from none to a share of the bound. */
function lagRange(share: number, boundMs: number): [number, number] {
  return [0, Math.round(share * boundMs)];
}

function faultArb(family: Family, options: { schedules: ReadonlyArray<{ expression: string }>; durationMs: number }): fc.Arbitrary<Fault> {
  const long = family === 'outage';
  const atArb = fc.integer({ min: 0, max: Math.floor((0.8 * options.durationMs) / MINUTE) }).map((m) => m * MINUTE);
  return fc.oneof(
    fc.record({ kind: fc.constant('hook-restart' as const), atMs: atArb, forMs: fc.integer({ min: MINUTE, max: long ? 10 * DAY : 2 * DAY }) }),
    fc.record({ kind: fc.constant('hook-errors' as const), atMs: atArb, forMs: fc.integer({ min: MINUTE, max: DAY }), rate: fc.constantFrom(0.2, 0.7, 1) }),
    fc.record({ kind: fc.constant('hook-timeouts' as const), atMs: atArb, forMs: fc.integer({ min: MINUTE, max: 6 * HOUR }), rate: fc.constantFrom(0.2, 1) }),
    // The hook's clock steps forward or back (an NTP correction, a VM restored from a snapshot) and stays there.
    fc.record({
      kind: fc.constant('clock-jump' as const),
      atMs: atArb,
      byMs: fc.tuple(fc.boolean(), fc.integer({ min: 1000, max: long ? 3 * DAY : 30 * MINUTE })).map(([back, ms]) => (back ? -ms : ms)),
    }),
    fc.record({
      kind: fc.constant('edit' as const),
      atMs: atArb,
      spec: fc.oneof(
        fc.record({ schedule: fc.constantFrom(...options.schedules.map((s) => s.expression)) }),
        retentionArb,
      ),
    }),
    fc.record({ kind: fc.constant('pause' as const), atMs: atArb, forMs: fc.integer({ min: HOUR, max: 30 * DAY }) }),
    fc.record({
      kind: fc.constant('pods-stuck' as const),
      atMs: atArb,
      forMs: long ? fc.option(fc.integer({ min: 10 * MINUTE, max: 10 * DAY }), { nil: null }) : fc.integer({ min: 10 * MINUTE, max: 3 * DAY }),
      backupPods: fc.boolean(),
      cleanPods: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('slow-backups' as const), atMs: atArb, forMs: fc.integer({ min: HOUR, max: 3 * DAY }), runMs: fc.integer({ min: 10 * MINUTE, max: 3 * DAY }) }),
  );
}

/** What a PITR scenario adds: the log template, maybe compaction, the executors' settings, log faults, backup-now. */
interface PitrChoices {
  compactInterval: string | null;
  maxRetryTimes: number;
  checkpointEveryMs: number;
  checkpointLagMs: number;
  compactRunMs: number;
  compactFailRate: number;
  faults: Fault[];
}

/** Compaction intervals: longer than any lag of the stale family (half of the grace at most). */
const COMPACT_INTERVALS = ['6h', '12h', '24h', '48h'] as const;

function pitrArb(durationMs: number): fc.Arbitrary<PitrChoices> {
  const atArb = fc.integer({ min: 0, max: Math.floor((0.8 * durationMs) / MINUTE) }).map((m) => m * MINUTE);
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    fc.record({ kind: fc.constant('log-deleted' as const), atMs: atArb }),
    fc.record({ kind: fc.constant('log-stall' as const), atMs: atArb, forMs: fc.integer({ min: HOUR, max: 2 * DAY }) }),
    fc.record({ kind: fc.constant('backup-now' as const), atMs: atArb, token: fc.constant('') }),
  );
  return fc.record({
    compactInterval: fc.constantFrom(null, ...COMPACT_INTERVALS),
    maxRetryTimes: fc.constantFrom(0, 1, 2),
    checkpointEveryMs: fc.constantFrom(2 * HOUR, 6 * HOUR),
    checkpointLagMs: fc.integer({ min: 2000, max: 5 * MINUTE }),
    compactRunMs: fc.integer({ min: 2 * MINUTE, max: 2 * HOUR }),
    compactFailRate: fc.constantFrom(0, 0.2, 0.5),
    // Backup-now tokens must differ: number them in order.
    faults: fc.array(fault, { maxLength: 4 }).map((faults) => faults.map((f, i) => (f.kind === 'backup-now' ? { ...f, token: `now${i}` } : f))),
  });
}

/** withPitr adds a log backup to a scenario (and compaction, with the compact-backups component). */
function withPitr(scenario: Scenario, pitr: PitrChoices): Scenario {
  const spec: JsonObject = { ...scenario.schedule.spec, logBackupTemplate: { ...TEMPLATE, backupMode: 'log', cleanPolicy: 'Delete' } };
  if (pitr.compactInterval !== null) {
    spec['compactBackupTemplate'] = { ...TEMPLATE, maxRetryTimes: pitr.maxRetryTimes };
    spec['compactInterval'] = pitr.compactInterval;
  }
  return {
    ...scenario,
    schedule: { ...scenario.schedule, spec },
    metacontroller: { ...scenario.metacontroller, ...(pitr.compactInterval === null ? {} : { compactBackups: { updateStrategy: 'OnDelete' as const } }) },
    executor: {
      ...scenario.executor,
      log: { startMs: [5000, 30_000], checkpointEveryMs: pitr.checkpointEveryMs, checkpointLagMs: [2000, pitr.checkpointLagMs], truncateMs: [30_000, 2 * MINUTE] },
      compact: { runMs: [2 * MINUTE, pitr.compactRunMs], failRate: pitr.compactFailRate },
    },
    faults: [...scenario.faults, ...pitr.faults],
  };
}

/** Schedules the siblings of a group draw from: daily-ish, many due near the others' ticks, so a group's Backups collide. */
const GROUP_SCHEDULES: readonly string[] = ['@daily', '0 1,13 * * *', '30 2 * * *', '45 2 * * *', '0 3 * * 1-5', '0 0 * * *', '@daily-random'];

/**
 * Schedules due one, two and three minutes before and after each of PROPERTY_SCHEDULES: the siblings of a group's near
 * worlds. `@every` ticks count from the schedule's creation, the same for every schedule of a world, so its neighbours
 * tick 10, 20 or 30 s more or less often instead: their k-th ticks are k times that apart, near for as many ticks as
 * the lag spans (up to 45, two months); `0 0 1,15 * *` has neighbours before it on the 14th only (the day before the
 * 1st varies).
 */
const NEAR_SCHEDULES: Readonly<Record<string, { before: readonly string[]; after: readonly string[] }>> = {
  '0 1,13 * * *': { before: ['59 0,12 * * *', '58 0,12 * * *', '57 0,12 * * *'], after: ['1 1,13 * * *', '2 1,13 * * *', '3 1,13 * * *'] },
  '30 2 * * *': { before: ['29 2 * * *', '28 2 * * *', '27 2 * * *'], after: ['31 2 * * *', '32 2 * * *', '33 2 * * *'] },
  '@daily': { before: ['59 23 * * *', '58 23 * * *', '57 23 * * *'], after: ['1 0 * * *', '2 0 * * *', '3 0 * * *'] },
  '0 3 * * 1-5': { before: ['59 2 * * 1-5', '58 2 * * 1-5', '57 2 * * 1-5'], after: ['1 3 * * 1-5', '2 3 * * 1-5', '3 3 * * 1-5'] },
  '@every 36h': { before: ['@every 35h59m50s', '@every 35h59m40s', '@every 35h59m30s'], after: ['@every 36h0m10s', '@every 36h0m20s', '@every 36h0m30s'] },
  '15 4 * * 0': { before: ['14 4 * * 0', '13 4 * * 0', '12 4 * * 0'], after: ['16 4 * * 0', '17 4 * * 0', '18 4 * * 0'] },
  '0 0 1,15 * *': { before: ['59 23 14 * *', '58 23 14 * *', '57 23 14 * *'], after: ['1 0 1,15 * *', '2 0 1,15 * *', '3 0 1,15 * *'] },
};

/** What a near world draws: where each sibling is due (1 to 3 minutes before or after the schedule) and the caches' lags. */
interface NearChoices {
  siblings: Array<{ before: boolean; minutes: number }>;
  /** Shares of the lag bound (schedules, new children, changed children), three quarters or more. */
  lagShare: [number, number, number];
}

const longShare = fc.double({ min: 0.75, max: 1, noNaN: true });
const nearArb: fc.Arbitrary<NearChoices> = fc.record({
  siblings: fc.array(fc.record({ before: fc.boolean(), minutes: fc.integer({ min: 1, max: 3 }) }), { minLength: 2, maxLength: 2 }),
  lagShare: fc.tuple(longShare, longShare, longShare),
});

/**
 * withNearWorlds makes half of a group arbitrary's worlds near worlds: each sibling due one to three minutes before or
 * after the schedule (NEAR_SCHEDULES), so that whichever name sorts first the earlier slot may be on either, with
 * lags long enough that a sibling's new Backup and the status naming it are often still missing from the view at the
 * other's slot. Then only turns by due slot, then by name keep the two from starting together. The near draw comes
 * after the world's own, so the other half are the worlds the same seeds drew before.
 */
function withNearWorlds(arbitrary: fc.Arbitrary<Scenario>): fc.Arbitrary<Scenario> {
  return fc.tuple(arbitrary, fc.option(nearArb, { freq: 2 })).map(([scenario, near]) => (near === null ? scenario : nearWorld(scenario, near)));
}

/**
 * nearWorld gives a stale-view group world's siblings schedules next to the schedule's (unchanged without neighbours),
 * a grace of at least 5 minutes (half a minute of lag hides no Backup a minute old; never shorter than drawn, so its
 * forward clock steps stay within the lag bound) and every lag range three quarters of the bound or more. A sibling is
 * its drawn minutes away, but no more than a minute per 90 s of the shorter of the ranges that hide a schedule's
 * status and a new Backup, and at least one.
 */
function nearWorld(scenario: Scenario, near: NearChoices): Scenario {
  const nearby = NEAR_SCHEDULES[String(scenario.schedule.spec['schedule'])];
  if (nearby === undefined) return scenario;
  const graceMs = Math.max(scenario.hook.staleViewGraceMs, 5 * MINUTE);
  const bound = staleLagBound(graceMs, shortestIntervalMs(String(scenario.schedule.spec['schedule']), { faults: scenario.faults, schedules: PROPERTY_SCHEDULES }));
  const [parentShare, addedShare, changedShare] = near.lagShare;
  const lag = { parentMs: lagRange(parentShare, bound), childAddedMs: lagRange(addedShare, bound), childChangedMs: lagRange(changedShare, bound) };
  const most = Math.max(1, Math.floor(Math.min(lag.parentMs[1], lag.childAddedMs[1]) / (1.5 * MINUTE)));
  const siblings = (scenario.siblings ?? []).map((sibling, i) => {
    const place = near.siblings[i];
    const schedule = place === undefined ? undefined : (place.before ? nearby.before : nearby.after)[Math.min(place.minutes, most) - 1];
    return schedule === undefined ? sibling : { ...sibling, spec: { ...sibling.spec, schedule } };
  });
  return { ...scenario, hook: { ...scenario.hook, staleViewGraceMs: graceMs }, lag, siblings };
}

/**
 * groupScenarioArb draws a stale-view scenario whose schedule has one or two siblings in its schedule group; in one
 * run of three, someone takes the schedule out of the group (or moves it to another) for a while and puts it back;
 * in one of three, Metacontroller restarts; half the runs are near worlds (withNearWorlds). Last of all, up to two
 * windows in which a user breaks the schedule's spec and fixes it, some fixed while paused and unpaused later
 * (`withBrokenSpecs`; `brokenSpecs: false` leaves them out), so that the rest of each world is the one the same seed
 * drew before them.
 */
export function groupScenarioArb(options: { years: number; brokenSpecs?: boolean }): fc.Arbitrary<Scenario> {
  const base = scenarioWithoutRestartsArb('stale', { years: options.years });
  const sibling = fc.record({ schedule: fc.constantFrom(...GROUP_SCHEDULES), cleanPolicy: fc.constantFrom('Retain', 'Delete') });
  const away = fc.record({ at: evenDouble({ min: 0, max: 0.9 }), forMs: fc.integer({ min: MINUTE, max: 3 * DAY }), to: fc.constantFrom<string | null>(null, 'h') });
  const aways = fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(away, { minLength: 1, maxLength: 3 }) });
  const groups = fc.tuple(base, fc.array(sibling, { minLength: 1, maxLength: 2 }), aways).map(([scenario, siblings, leaves]) => {
    const labels = { 'tidb.pingcap.com/backup-schedule-group': 'g' };
    const { spec } = scenario.schedule;
    const relabels = leaves.flatMap((leave): Fault[] => {
      const atMs = Math.round(leave.at * scenario.durationMs);
      return [
        { kind: 'relabel', atMs, group: leave.to },
        { kind: 'relabel', atMs: atMs + leave.forMs, group: 'g' },
      ];
    });
    return {
      ...scenario,
      faults: [...scenario.faults, ...relabels],
      schedule: { ...scenario.schedule, labels },
      siblings: siblings.map((s, i) => ({
        name: `sibling-${i + 1}`,
        namespace: scenario.schedule.namespace,
        labels,
        spec: { ...spec, schedule: s.schedule, backupTemplate: { ...TEMPLATE, cleanPolicy: s.cleanPolicy } },
      })),
    };
  });
  const near = withNearWorlds(withRestarts(groups, { longestMs: LONGEST_RESTART_MS.stale }));
  return options.brokenSpecs === false ? near : withBrokenSpecs(near, { unpauseLater: true });
}

/** withWorkers runs every scenario of an arbitrary with `workers` Metacontroller workers (`--workers`). */
export function withWorkers(arbitrary: fc.Arbitrary<Scenario>, workers: number): fc.Arbitrary<Scenario> {
  return arbitrary.map((scenario) => ({ ...scenario, metacontroller: { ...scenario.metacontroller, workers } }));
}
