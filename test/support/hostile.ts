/**
 * fast-check generators of malformed and hostile sync requests: odd timestamps, odd cron strings, wrong
 * types at every level, prototype-pollution keys, huge strings, deep nesting, and damaged JSON text.
 * Shared by the fuzz tests (test/fuzz) and the soak (bench/soak).
 */

import fc from 'fast-check';

import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, schedule } from './objects.js';
import type { TestState } from './objects.js';

/** The seed of the fuzz tests; FUZZ_SEED=n explores another, a failure prints the seed and path to replay it. */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20240501);

/** A 1 MiB string, shared so that generating it costs nothing. */
export const HUGE_STRING = 'x'.repeat(1 << 20);

/** Stands for {@link HUGE_STRING} in generated values: JSON.stringify writes the string, fast-check's reports a short name. */
const HUGE = { toJSON: (): string => HUGE_STRING, [fc.toStringMethod]: (): string => 'HUGE_STRING' };

/** The child type the hook manages. */
const BACKUP_TYPE = 'Backup.pingcap.com/v1alpha1';
const COMPACT_TYPE = 'CompactBackup.pingcap.com/v1alpha1';
const BACKUP_NOW = 'backup-schedule-hook/backup-now';
const GROUP_LABEL = 'tidb.pingcap.com/backup-schedule-group';
const SCHEDULE_LABEL = 'tidb.pingcap.com/backup-schedule';
const SCHEDULED_AT = 'backup-schedule-hook/scheduled-at';
const LAST_APPLIED = 'metacontroller.k8s.io/last-applied-configuration';

/** defineField sets a field as an own property, even `__proto__` (plain assignment would change the prototype). */
export function defineField(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** nested returns `{a: {a: ... leaf}}` nested `depth` levels, built without recursion. */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** Values of the wrong type for any field: null, booleans, numbers, strings, arrays, objects, a huge string. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.boolean() },
  { weight: 3, arbitrary: fc.integer() },
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '', ' ', '\u0000', '\ud800', '𝔘𝔫𝔦') },
  { weight: 3, arbitrary: fc.array(fc.integer(), { maxLength: 3 }) },
  { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
);

/** Timestamps of every odd shape: before 1970, after 9999, leap seconds, impossible dates, other layouts. */
export const oddTimestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '1969-12-31T23:59:59Z',
    '1900-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '0000-02-29T00:00:00Z',
    '1000-02-29T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '10000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '1972-06-30T23:59:60Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01t00:10:00z',
    '2024-05-01T00:10:00+14:00',
    '2024-05-01T00:10:00-12:00',
    '2024-05-01T00:10:00.123456789Z',
    '2024-05-01 00:10:00Z',
    '2024-05-01',
    'Wed, 01 May 2024 00:10:00 GMT',
    'now',
    '',
  ),
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString()),
  realisticTime(),
  wrongType,
);

/** realisticTime: whole-second RFC 3339 instants around the tests' "now" (late April to early May 2024). */
export function realisticTime(): fc.Arbitrary<string> {
  return fc
    .integer({ min: Date.parse('2024-04-28T00:00:00Z') / 1000, max: Date.parse('2024-05-02T00:00:00Z') / 1000 })
    .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
}

/** Go durations of every odd shape ("1x", negative, overflowing, unit-less, unicode micro signs). */
export const oddDuration: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('1h', '72h', '1h30m', '1.5h', '90m', '0', '0s', '-1h', '1x', '', ' 1h', '1h ', '1', 'h', '.h', '1e3h', '1.h',
    '.5h', '99999999999999999999h', '2562047h', '2562048h', '1h-1m', '+1h', '--1h', '1µs', '1μs', '1ns', '1H', '1d', '1w', 'P1D'),
  fc
    .array(fc.tuple(fc.nat({ max: 100_000 }), fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h', 'd', 'x', '')), { minLength: 1, maxLength: 4 })
    .map((terms) => terms.map(([n, u]) => `${n}${u}`).join('')),
  wrongType,
);

const cronField = fc.oneof(
  fc.constantFrom('*', '?', 'L', 'W', '5L', 'LW', '15W', '1#2', '-1', '０', '1e1', '0x1', '99999999999999999999', '*/0', '*/1', '1-', '-', ',',
    '1,,2', 'JAN', 'jan-dec', 'MON', 'sun-sat', 'MON-FRI', 'FOO', '*/', '/5', '1/5', '5-1', '0-59/61', '1-5/2', '1,3-5,*/7', 'H', '*/07'),
  fc.nat({ max: 70 }).map(String),
  fc.tuple(fc.nat({ max: 70 }), fc.nat({ max: 70 })).map(([a, b]) => `${a}-${b}`),
  fc.nat({ max: 70 }).map((n) => `*/${n}`),
  fc.tuple(fc.nat({ max: 70 }), fc.nat({ max: 70 }), fc.nat({ max: 30 })).map(([a, b, s]) => `${a}-${b}/${s}`),
);

/** Cron strings of every odd shape: any field count, separators, macros, `@every`, extensions robfig lacks. */
export const oddCron: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('*/10 * * * *', '0 2 * * *', '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually',
    '@reboot', '@every 1h', '@every 90m', '@every 0s', '@every -1h', '@every 1x', '@every', '@every ', '@every  1h', '@every1h',
    '@every 1ns', '@every 999s', '@every 2562047h', '@every 1.5s', '@EVERY 1h', '@Daily', '@', '@@daily', ' @daily', '@daily ',
    '0 0 30 2 *', '0 0 31 4 *', '0 0 29 2 *', '0 0 29 2 1', '0 0 * * 7', '* * * * 8', '60 * * * *', '* 24 * * *', '* * 0 * *',
    '* * * 13 *', 'CRON_TZ=UTC 0 * * * *', 'TZ=Asia/Tokyo 0 * * * *', '0 * * * * *', '0 0 * * * * *', '* * * *', '', ' ',
    '\t*/5\t*\t*\t*\t*', '*/5 * * * *\n', '* * * * *\u0000', '0 0 1 1 * 2099'),
  fc
    .tuple(fc.array(cronField, { minLength: 0, maxLength: 8 }), fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', ''))
    .map(([fields, separator]) => fields.join(separator)),
  oddDuration.filter((d): d is string => typeof d === 'string').map((d) => `@every ${d}`),
  fc.string({ maxLength: 30 }),
  wrongType,
);

/** A field that is sometimes valid, sometimes hostile. */
function field(valid: fc.Arbitrary<unknown>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

/** Slots of the generated Backups: every 10 minutes from 2024-04-30T17:00Z to 2024-05-01T01:00Z. */
const slotArb = fc
  .integer({ min: 0, max: 48 })
  .map((k) => new Date(Date.parse('2024-04-30T17:00:00Z') + k * 10 * 60_000).toISOString().replace('.000Z', 'Z'));

/** The base of a valid spec: schedule and template, sometimes pause and the hook's extension fields. */
const validBase: fc.Arbitrary<JsonObject> = fc.record(
  {
    schedule: fc.constantFrom('*/10 * * * *', '@hourly', '@every 1h', '*/5 * * * *', '@every 10m', '0 * * * *', '30 0 * * *'),
    backupTemplate: fc.constantFrom(BR_TEMPLATE, { storageSize: '1Gi' }, {}),
    pause: fc.constantFrom(false, false, false, true),
    imagePullSecrets: fc.constant([{ name: 's' }]),
    storageClassName: fc.constant('standard'),
    timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'),
    skipMissedOnUnpause: fc.boolean(),
    startingDeadlineSeconds: fc.integer({ min: 0, max: 7200 }),
    backupTimeout: fc.constantFrom('1h', '10m', '30s'),
  },
  { requiredKeys: ['schedule', 'backupTemplate'] },
);

/** Retention of a valid spec: upstream's fields, or the hook's `retention` (GFS), never both. */
const validRetention: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ maxReservedTime: fc.constantFrom('1h', '3h', '30m', '20m'), maxBackups: fc.integer({ min: 0, max: 6 }) }, { requiredKeys: [] }),
  fc.record({
    retention: fc.record(
      {
        keepLast: fc.integer({ min: 1, max: 5 }),
        keepHourly: fc.integer({ min: -1, max: 5 }),
        keepDaily: fc.integer({ min: -1, max: 3 }),
        keepWithin: fc.constantFrom('1h', '3h', '90m'),
        minCompleted: fc.integer({ min: 0, max: 3 }),
        failedBackupsHistoryLimit: fc.integer({ min: 0, max: 5 }),
      },
      { requiredKeys: ['keepLast'] },
    ),
  }),
);

/** Log backup and compaction of a valid spec, sometimes. */
const validLog: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant({ logBackupTemplate: LOG_TEMPLATE }) },
  { weight: 1, arbitrary: fc.constant({ logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '6h' }) },
);

/** A valid spec. */
const validSpec: fc.Arbitrary<JsonObject> = fc.tuple(validBase, validRetention, validLog).map(([base, retention, log]) => ({ ...base, ...retention, ...log }));

/** A hostile value for one spec field (undefined removes the field). */
const hostileSpecField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('schedule'), fc.oneof(oddCron, fc.constant(undefined))),
  fc.tuple(fc.constant('backupTemplate'), fc.oneof(wrongType, fc.constant(undefined), fc.integer({ min: 1, max: 1200 }).map((d) => ({ br: nested(d) })))),
  fc.tuple(fc.constant('maxReservedTime'), oddDuration),
  fc.tuple(fc.constant('maxBackups'), fc.oneof(fc.constantFrom(1.5, '3', -1, 1e300, 2 ** 53, true), wrongType)),
  fc.tuple(fc.constant('timeZone'), fc.oneof(fc.constantFrom('Mars/Phobos', '', 'UTC+1', 'utc', 'Europe/berlin', '../../etc/passwd', 'Etc/GMT+14', 'EST5EDT'), wrongType)),
  fc.tuple(fc.constant('retention'), fc.oneof(wrongType, fc.constant({}), fc.dictionary(fc.constantFrom('keepLast', 'keepDaily', 'keepdaily', 'keepWithin', 'minCompleted', 'keep'), wrongType, { maxKeys: 3 }))),
  fc.tuple(fc.constantFrom('backupTimeout', 'compactInterval'), oddDuration),
  fc.tuple(fc.constantFrom('logBackupTemplate', 'compactBackupTemplate', 'minCompactStartTs', 'startingDeadlineSeconds', 'skipMissedOnUnpause'), wrongType),
  fc.tuple(
    fc.constantFrom('pause', 'imagePullSecrets', 'storageClassName', 'storageSize', 'volumeAttributesClassName', '__proto__', 'constructor'),
    wrongType,
  ),
);

/** Spec generator: valid, valid with one or two hostile fields, or not an object at all. */
const specArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: validSpec },
  {
    weight: 4,
    arbitrary: fc.tuple(validSpec, fc.array(hostileSpecField, { minLength: 1, maxLength: 2 })).map(([spec, changes]) => {
      for (const [key, value] of changes) {
        if (value === undefined) delete spec[key];
        else defineField(spec, key, value);
      }
      return spec;
    }),
  },
  { weight: 1, arbitrary: wrongType },
);

/** Status generator: upstream fields with realistic, odd or wrong-typed values, or null. */
const statusArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record(
      {
        lastBackup: field(slotArb.map((slot) => `nightly-${slot.slice(0, 19).replace('T', 't').replaceAll(':', '-')}`), wrongType),
        lastBackupTime: field(slotArb, oddTimestamp),
        allBackupCleanTime: field(slotArb, oddTimestamp),
        nextBackupTime: field(realisticTime(), oddTimestamp),
        lastSuccessfulBackup: field(fc.constant('nightly-2024-04-30t23-50-00'), wrongType),
        lastSuccessfulTime: field(realisticTime(), oddTimestamp),
        conditions: field(
          fc.constant([{ type: 'Ready', status: 'True', reason: 'Scheduled', message: 'ok', lastTransitionTime: '2024-04-30T00:00:00Z' }]),
          fc.oneof(wrongType, fc.array(wrongType, { maxLength: 3 })),
        ),
        foreignField: wrongType,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Damages applied to a generated Backup child: what Metacontroller might send that the hook must tolerate. */
export const BACKUP_DAMAGES = [
  'no-status',
  'null-status',
  'garbage-conditions',
  'unknown-state',
  'garbage-commit-ts',
  'garbage-scheduled-at',
  'no-scheduled-at',
  'garbage-created',
  'other-schedule-label',
  'no-labels',
  'other-controller',
  'garbage-owners',
  'deleting',
  'garbage-last-applied',
  'no-last-applied',
  'applied-under-earlier-uid',
  'key-not-name',
  'no-name',
  'log-mode',
  'prototype-keys',
  'unrelated-name',
  'pinned',
  'backup-now',
] as const;

/** A damage of {@link BACKUP_DAMAGES}. */
export type BackupDamage = (typeof BACKUP_DAMAGES)[number];

/** What a generated Backup child is made from. */
interface BackupRecipe {
  slot: string;
  state: TestState;
  damages: BackupDamage[];
  odd: unknown;
  oddTime: unknown;
}

const backupRecipe: fc.Arbitrary<BackupRecipe> = fc.record({
  slot: slotArb,
  state: fc.constantFrom<TestState>('new', 'scheduled', 'running', 'complete', 'complete', 'complete', 'failed', 'invalid', 'scheduled-failed'),
  damages: fc.oneof(fc.constant<BackupDamage[]>([]), fc.subarray([...BACKUP_DAMAGES], { maxLength: 3 })),
  odd: wrongType,
  oddTime: oddTimestamp,
});

/** What an unmanaged child is made from. */
interface OtherRecipe {
  type: string;
  name: string;
  body: unknown;
  status: unknown;
}

const otherRecipe: fc.Arbitrary<OtherRecipe> = fc.record({
  type: fc.oneof(
    { weight: 19, arbitrary: fc.constantFrom('ConfigMap.v1', 'Restore.pingcap.com/v1alpha1', 'CompactBackup.pingcap.com/v1alpha1', 'constructor.v1', 'Thing.example.com/v1') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'Thing', '') },
  ),
  name: fc.oneof(fc.constantFrom('cm', 'constructor', '__proto__', 'nightly-2024-05-01t00-20-00'), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)),
  body: fc.oneof({ weight: 9, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: fc.constant(HUGE) }),
  status: fc.oneof(fc.constant(undefined), fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
});

/** A generated request, before JSON: the parent's pieces, the children's recipes and the envelope extras. */
export interface RequestRecipe {
  name: string;
  created: unknown;
  spec: unknown;
  status: unknown;
  deleting: boolean;
  finalizing: unknown;
  backups: BackupRecipe[];
  /** A log Backup and CompactBackups of the schedule. */
  logs: Array<'log' | 'log-deleting' | 'compact-complete' | 'compact-running' | 'compact-failed'>;
  others: OtherRecipe[];
  /** The backup-now annotation's value, when set. */
  backupNow: unknown;
  /** A schedule group with one sibling and its last Backup, when set. */
  group: { siblingLast: string; siblingState: TestState } | null;
  prototypeKeys: boolean;
}

/** Recipes of hostile but mostly well-enveloped sync requests. */
export const requestRecipe: fc.Arbitrary<RequestRecipe> = fc.record({
  name: fc.oneof(
    { weight: 6, arbitrary: fc.constant('nightly') },
    { weight: 1, arbitrary: fc.constantFrom('a', 'x'.repeat(36), 'y'.repeat(37), 'constructor', '__proto__', 'toString') },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/) },
  ),
  created: field(realisticTime(), oddTimestamp),
  spec: specArb,
  status: fc.oneof(fc.constant(undefined), statusArb),
  deleting: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  finalizing: fc.oneof({ weight: 36, arbitrary: fc.constant(false) }, { weight: 2, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: wrongType }),
  backups: fc.array(backupRecipe, { maxLength: 12 }),
  logs: fc.subarray(['log', 'log-deleting', 'compact-complete', 'compact-running', 'compact-failed'] as const),
  others: fc.array(otherRecipe, { maxLength: 3 }),
  backupNow: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('adhoc1', 'adhoc2') }, { weight: 1, arbitrary: fc.constantFrom('', 'UPPER', 'a/b', 'x'.repeat(80), '__proto__') }), { freq: 4 }),
  group: fc.option(fc.record({ siblingLast: slotArb, siblingState: fc.constantFrom<TestState>('running', 'complete', 'failed', 'new') }), { freq: 5 }),
  prototypeKeys: fc.boolean(),
});

/** buildRequest turns a recipe into the request object Metacontroller would POST (JSON-safe). */
export function buildRequest(recipe: RequestRecipe): SyncRequest {
  const parent = schedule({ name: recipe.name, ...(typeof recipe.created === 'string' ? { created: recipe.created } : {}) });
  if (typeof recipe.created !== 'string') defineField(parent.metadata, 'creationTimestamp', recipe.created);
  defineField(parent, 'spec', recipe.spec);
  if (recipe.status !== undefined) defineField(parent, 'status', recipe.status);
  if (recipe.deleting) parent.metadata.deletionTimestamp = '2024-05-01T00:00:00Z';

  const children: Record<string, Record<string, KubeObject>> = {};
  const put = (type: string, key: string, object: KubeObject): void => {
    if (!Object.hasOwn(children, type)) defineField(children, type, {});
    defineField(children[type] as object, key, object);
  };
  // Metacontroller keys children by namespace/name, so a name occurs once per type: later duplicates are dropped.
  const names = new Set<string>();
  for (const recipeOfBackup of recipe.backups) {
    const { key, object } = damagedBackup(recipe.name, recipeOfBackup);
    const name = object.metadata?.name || key.slice(key.indexOf('/') + 1);
    if (names.has(name) || names.has(key)) continue;
    names.add(name).add(key);
    put(BACKUP_TYPE, key, object);
  }
  for (const other of recipe.others) put(other.type, `db/${other.name}`, unmanagedChild(other));
  for (const item of recipe.logs) {
    const start = '2024-04-30T18:00:00Z';
    if (item === 'log' || item === 'log-deleting') {
      const log = logBackup({ schedule: recipe.name, start, checkpoint: '2024-05-01T00:20:00Z', ...(item === 'log-deleting' ? { deleting: '2024-05-01T00:00:00Z' } : {}) });
      if (!names.has(log.metadata?.name ?? '')) put(BACKUP_TYPE, `db/${log.metadata?.name ?? ''}`, log);
      names.add(log.metadata?.name ?? '');
    } else {
      const state = item === 'compact-complete' ? 'Complete' : item === 'compact-running' ? 'Running' : 'Failed';
      const compact = compactBackup({ schedule: recipe.name, start: item === 'compact-complete' ? start : '2024-04-30T19:00:00Z', end: '2024-05-01T00:00:00Z', state });
      put(COMPACT_TYPE, `db/${compact.metadata?.name ?? ''}`, compact);
    }
  }
  if (recipe.backupNow !== null) (parent.metadata.annotations ??= {})[BACKUP_NOW] = recipe.backupNow as string;

  const body: SyncRequest = { controller: {}, parent, children, related: {}, finalizing: false };
  if (recipe.group !== null) {
    (parent.metadata.labels ??= {})[GROUP_LABEL] = 'g';
    const sibling = schedule({ name: 'sibling', labels: { [GROUP_LABEL]: 'g' }, status: { lastBackup: `sibling-${recipe.group.siblingLast.slice(0, 19).replace('T', 't').replaceAll(':', '-')}` } });
    const siblingLast = backup({ schedule: 'sibling', slot: recipe.group.siblingLast, state: recipe.group.siblingState });
    body.related = {
      'BackupSchedule.pingcap.com/v1alpha1': { 'db/sibling': sibling },
      [BACKUP_TYPE]: { [`db/${siblingLast.metadata?.name ?? ''}`]: siblingLast },
    };
  }
  defineField(body, 'finalizing', recipe.finalizing);
  if (recipe.prototypeKeys) {
    defineField(body, '__proto__', { polluted: true });
    defineField(parent.metadata, 'constructor', { prototype: { polluted: true } });
    if (!Object.hasOwn(children, BACKUP_TYPE)) defineField(children, BACKUP_TYPE, {});
    defineField(children[BACKUP_TYPE] as object, '__proto__', { metadata: { labels: { [SCHEDULE_LABEL]: recipe.name } }, status: { conditions: [{ type: 'Complete', status: 'True' }] } });
  }
  return JSON.parse(JSON.stringify(body)) as SyncRequest;
}

function damagedBackup(scheduleName: string, recipe: BackupRecipe): { key: string; object: KubeObject } {
  const object = backup({ schedule: scheduleName, slot: recipe.slot, state: recipe.state });
  const meta = object.metadata ?? {};
  let key = `db/${meta.name ?? ''}`;
  for (const damage of recipe.damages) {
    switch (damage) {
      case 'no-status':
        delete object.status;
        break;
      case 'null-status':
        defineField(object, 'status', null);
        break;
      case 'garbage-conditions':
        defineField(object, 'status', { ...object.status, conditions: recipe.odd });
        break;
      case 'unknown-state':
        defineField(object, 'status', { ...object.status, phase: 'Exploded', conditions: [{ type: 'Exploded', status: 'True' }, { type: 'Complete', status: 'Maybe' }] });
        break;
      case 'garbage-commit-ts':
        defineField(object, 'status', { ...object.status, commitTs: recipe.odd ?? 'not-a-tso' });
        break;
      case 'garbage-scheduled-at':
        (meta.annotations ??= {})[SCHEDULED_AT] = typeof recipe.oddTime === 'string' ? recipe.oddTime : 'garbage';
        break;
      case 'no-scheduled-at':
        delete meta.annotations?.[SCHEDULED_AT];
        break;
      case 'garbage-created':
        defineField(meta, 'creationTimestamp', recipe.oddTime);
        break;
      case 'other-schedule-label':
        (meta.labels ??= {})[SCHEDULE_LABEL] = 'someone-else';
        break;
      case 'no-labels':
        delete meta.labels;
        break;
      case 'other-controller':
        meta.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Thing', name: 'x', uid: 'uid-other', controller: true }];
        break;
      case 'garbage-owners':
        defineField(meta, 'ownerReferences', recipe.odd);
        break;
      case 'deleting':
        meta.deletionTimestamp = '2024-05-01T00:00:00Z';
        break;
      case 'garbage-last-applied':
        (meta.annotations ??= {})[LAST_APPLIED] = typeof recipe.odd === 'string' ? recipe.odd : '{"metadata":5,"spec":"x"';
        break;
      case 'no-last-applied':
        delete meta.annotations?.[LAST_APPLIED];
        break;
      case 'applied-under-earlier-uid': {
        // Made for an earlier schedule of the same name, relabelled for this one: the live label is this schedule's uid.
        const text = meta.annotations?.[LAST_APPLIED];
        let applied: unknown = null;
        try {
          applied = typeof text === 'string' ? JSON.parse(text) : null;
        } catch {
          // garbage: nothing to relabel
        }
        if (applied !== null && typeof applied === 'object' && 'metadata' in applied) {
          const appliedMeta = (applied as KubeObject).metadata ?? {};
          appliedMeta.labels = { ...(appliedMeta.labels ?? {}), 'controller-uid': 'uid-earlier' };
          (meta.annotations ??= {})[LAST_APPLIED] = JSON.stringify(applied);
        }
        break;
      }
      case 'key-not-name':
        key = `db/key-${meta.name ?? ''}`;
        break;
      case 'no-name':
        delete meta.name;
        break;
      case 'log-mode':
        defineField(object, 'spec', { ...object.spec, backupMode: 'log' });
        break;
      case 'prototype-keys':
        defineField(meta, '__proto__', { deletionTimestamp: '2024-05-01T00:00:00Z' });
        defineField(object.spec ?? {}, 'constructor', recipe.odd);
        defineField(object, '__proto__', { status: null });
        break;
      case 'pinned':
        (meta.annotations ??= {})['backup-schedule-hook/keep'] = typeof recipe.odd === 'string' ? recipe.odd : 'true';
        break;
      case 'backup-now':
        meta.name = `${scheduleName}-manual-${typeof recipe.odd === 'string' ? recipe.odd.slice(0, 20) : 'adhoc1'}`;
        key = `db/${meta.name}`;
        delete meta.annotations?.[SCHEDULED_AT];
        break;
      case 'unrelated-name':
        meta.name = `manual-${recipe.slot.slice(0, 10)}`;
        key = `db/${meta.name}`;
        break;
    }
  }
  return { key, object };
}

function unmanagedChild(recipe: OtherRecipe): KubeObject {
  const object: KubeObject = {
    metadata: { name: recipe.name, namespace: 'db', uid: `uid-${recipe.name}`, resourceVersion: '7', generation: 3, labels: { app: 'x' } },
  };
  defineField(object, 'data', recipe.body);
  if (recipe.status !== undefined) defineField(object, 'status', recipe.status);
  return object;
}

/** Ways to damage the JSON text of a request. */
export type TextDamage =
  | { kind: 'truncate'; at: number }
  | { kind: 'literal'; literal: string }
  | { kind: 'duplicate-key'; key: string; value: string }
  | { kind: 'prefix' | 'suffix'; text: string };

/** Damages to JSON text: truncation, non-JSON literals, duplicate keys, garbage around it. */
export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  fc.nat().map((at) => ({ kind: 'truncate' as const, at })),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', 'undefined', '1e400', '-0', '01', '.5', '+1', "'x'", '/*c*/1', '"\\ud800"', '"\u0001"', '"\\x41"', 'tru', '[1,]', '{"a":1,}')
    .map((literal) => ({ kind: 'literal' as const, literal })),
  fc.tuple(fc.constantFrom('parent', 'children', 'finalizing', '__proto__', 'constructor'), fc.constantFrom('null', '5', '{}', '[]', '"x"'))
    .map(([key, value]) => ({ kind: 'duplicate-key' as const, key, value })),
  fc.constantFrom('\ufeff', ' \n\t', 'x', ')]}\',\n', '\u0000').map((text) => ({ kind: 'prefix' as const, text })),
  fc.constantFrom(' ', 'x', '}', ',', '\u0000', '{}', ']').map((text) => ({ kind: 'suffix' as const, text })),
);

/** damageText applies a damage to the JSON text of a body (a literal replaces the value of `finalizing`). */
export function damageText(text: string, damage: TextDamage): string {
  switch (damage.kind) {
    case 'truncate':
      return text.slice(0, damage.at % Math.max(1, text.length));
    case 'literal':
      return text.replace(/"finalizing":[^,}]*/, `"finalizing":${damage.literal}`);
    case 'duplicate-key':
      // The duplicate comes first, so JSON.parse keeps the original (last one wins), or last, so it wins.
      return damage.value.length % 2 === 0 ? `{"${damage.key}":${damage.value},${text.slice(1)}` : `${text.slice(0, -1)},"${damage.key}":${damage.value}}`;
    case 'prefix':
      return damage.text + text;
    case 'suffix':
      return text + damage.text;
  }
}

/** A spec with a given schedule, for the cron property (as JSON would carry it). */
export function specWithSchedule(expression: unknown): JsonObject {
  return JSON.parse(JSON.stringify({ schedule: expression, backupTemplate: BR_TEMPLATE, maxBackups: 3 })) as JsonObject;
}
