/** Per-schedule metrics, asserted by scraping /metrics after real syncs. */

import assert from 'node:assert/strict';

import { pino } from 'pino';
import supertest from 'supertest';

import { createApp } from '../../src/http/app.js';
import { createMetrics, withMetrics } from '../../src/metrics/registry.js';

import type { SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, LOG_TEMPLATE, backup, logBackup, request, schedule } from '../support/objects.js';
import { parseExposition, valueOf } from '../support/scrape.js';
import type { Sample } from '../support/scrape.js';
import { testService } from '../support/service.js';

const NOW = '2024-05-01T04:05:00Z';
const seconds = (iso: string): number => Date.parse(iso) / 1000;
const id = { namespace: 'db', name: 'nightly' };

/** Every per-schedule gauge of `id`, absent ones as undefined. */
function gauges(samples: Sample[], labels: Record<string, string> = id): Record<string, number | undefined> {
  const read = (metric: string): number | undefined => valueOf(samples, `backup_schedule_${metric}`, labels);
  return {
    lastSync: read('last_sync_timestamp_seconds'),
    lastScheduled: read('last_scheduled_timestamp_seconds'),
    nextScheduled: read('next_scheduled_timestamp_seconds'),
    lastSuccessful: read('last_successful_backup_timestamp_seconds'),
    lastMissed: read('last_missed_timestamp_seconds'),
    interval: read('expected_interval_seconds'),
    created: read('created_timestamp_seconds'),
    complete: valueOf(samples, 'backup_schedule_backups', { ...labels, state: 'complete' }),
    failed: valueOf(samples, 'backup_schedule_backups', { ...labels, state: 'failed' }),
    invalid: valueOf(samples, 'backup_schedule_backups', { ...labels, state: 'invalid' }),
    unfinished: valueOf(samples, 'backup_schedule_backups', { ...labels, state: 'unfinished' }),
    deleting: read('backups_deleting'),
    stuck: read('stuck_backups'),
    deletionStuck: read('deletion_stuck_backups'),
    specValid: read('spec_valid'),
    paused: read('paused'),
    logUp: read('log_backup_up'),
    logCheckpoint: read('log_checkpoint_timestamp_seconds'),
    generationsUnobserved: read('generations_unobserved'),
  };
}

const SPEC = { schedule: '*/10 * * * *', maxReservedTime: '1h', backupTemplate: BR_TEMPLATE };

interface Case {
  name: string;
  body: SyncRequest;
  outcome: string;
  expect: Record<string, number | undefined>;
  /** The cause of the slot this sync decided not to run, counted once; absent for none. */
  missed?: string;
}

/** What every case below shares: a valid every-10-minutes schedule synced now; each case lists what differs. */
const BASE: Record<string, number | undefined> = {
  lastSync: seconds(NOW),
  lastScheduled: undefined,
  nextScheduled: seconds('2024-05-01T04:10:00Z'),
  lastSuccessful: undefined,
  lastMissed: undefined,
  interval: 600,
  created: seconds('2024-05-01T00:00:00Z'),
  complete: 0,
  failed: 0,
  invalid: 0,
  unfinished: 0,
  deleting: 0,
  stuck: 0,
  deletionStuck: 0,
  specValid: 1,
  paused: 0,
  logUp: undefined,
  logCheckpoint: undefined,
  generationsUnobserved: undefined,
};

const LOG_SPEC = { ...SPEC, logBackupTemplate: LOG_TEMPLATE };
/** The status of a schedule whose log Backup was asked for at 02:00, long past the stale-view grace. */
const LOG_ASKED = { logBackup: 'log-nightly', logBackupStartTs: '2024-05-01T02:00:00Z' };
const LAST = backup({ slot: '2024-05-01T03:50:00Z', state: 'running' });
const WAITING_WITH_LOG = { ...BASE, lastScheduled: seconds('2024-05-01T03:50:00Z'), unfinished: 1 };

const cases: Case[] = [
  {
    name: 'a sync that creates, deletes by age and sees a Backup being deleted',
    body: request(schedule({ spec: SPEC }), [
      backup({ slot: '2024-05-01T02:40:00Z', state: 'complete', deleting: '2024-05-01T04:00:00Z' }),
      backup({ slot: '2024-05-01T02:50:00Z', state: 'complete' }), // older than maxReservedTime: deleted now
      backup({ slot: '2024-05-01T03:30:00Z', state: 'failed' }),
      backup({ slot: '2024-05-01T03:40:00Z', state: 'failed' }),
      backup({ slot: '2024-05-01T03:50:00Z', state: 'complete' }), // the last Backup: the gate is open
    ]),
    outcome: 'created',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T04:00:00Z'), // the slot created now
      lastSuccessful: seconds('2024-05-01T03:55:00Z'), // 03:50's timeCompleted
      complete: 1,
      failed: 2,
      deleting: 2,
    },
  },
  {
    name: 'a Backup running past spec.backupTimeout and one whose deletion has not finished in an hour',
    body: request(schedule({ spec: { ...SPEC, backupTimeout: '30m' } }), [
      backup({ slot: '2024-05-01T02:40:00Z', state: 'complete', deleting: '2024-05-01T03:00:00Z' }),
      backup({ slot: '2024-05-01T03:30:00Z', state: 'running' }), // created 03:30:02, 35 minutes ago
    ]),
    outcome: 'created', // the schedule proceeds past one stuck Backup
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T04:00:00Z'),
      lastSuccessful: seconds('2024-05-01T02:45:00Z'), // the deleting Backup still completed
      unfinished: 1,
      deleting: 1,
      stuck: 1,
      deletionStuck: 1,
    },
  },
  {
    name: 'a sync that waits for a running Backup',
    body: request(schedule({ spec: SPEC }), [backup({ slot: '2024-05-01T03:50:00Z', state: 'running' })]),
    outcome: 'waiting',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T03:50:00Z'),
      unfinished: 1,
    },
  },
  {
    name: 'a paused schedule',
    body: request(schedule({ spec: { ...SPEC, schedule: '0 2 * * *', pause: true } }), [
      backup({ slot: '2024-05-01T02:00:00Z', state: 'invalid' }),
    ]),
    outcome: 'paused',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T02:00:00Z'),
      nextScheduled: undefined,
      interval: 86_400,
      invalid: 1,
      paused: 1,
    },
  },
  {
    name: 'a running log Backup',
    body: request(schedule({ spec: LOG_SPEC, status: LOG_ASKED }), [LAST, logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T04:03:20Z' })]),
    outcome: 'waiting',
    expect: { ...WAITING_WITH_LOG, logUp: 1, logCheckpoint: seconds('2024-05-01T04:03:20Z') },
  },
  {
    name: 'a log Backup whose log-start failed (LogBackupFailed): down, its last checkpoint kept',
    body: request(schedule({ spec: LOG_SPEC, status: LOG_ASKED }), [
      LAST,
      logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T03:00:00Z', logStartPhase: 'Failed' }),
    ]),
    outcome: 'waiting',
    expect: { ...WAITING_WITH_LOG, logUp: 0, logCheckpoint: seconds('2024-05-01T03:00:00Z') },
  },
  {
    name: 'a log Backup the user paused (logSubcommand log-pause): not watched, neither gauge',
    body: request(schedule({ spec: LOG_SPEC, status: LOG_ASKED }), [
      LAST,
      (() => {
        const paused = logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T03:00:00Z' });
        paused.spec = { ...(paused.spec as Record<string, unknown>), logSubcommand: 'log-pause' };
        return paused;
      })(),
    ]),
    outcome: 'waiting',
    expect: { ...WAITING_WITH_LOG },
  },
  {
    name: 'a log Backup missing past the grace (LogBackupMissing): down, no checkpoint',
    body: request(schedule({ spec: LOG_SPEC, status: LOG_ASKED }), [LAST]),
    outcome: 'waiting',
    expect: { ...WAITING_WITH_LOG, logUp: 0 },
  },
  {
    name: 'a log Backup that has not checkpointed yet (logCheckpointTs 0): up, no checkpoint',
    body: request(schedule({ spec: LOG_SPEC, status: LOG_ASKED }), [
      LAST,
      { ...logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T02:00:00Z' }), status: { phase: 'Running', logCheckpointTs: '0' } },
    ]),
    outcome: 'waiting',
    expect: { ...WAITING_WITH_LOG, logUp: 1 },
  },
  {
    name: 'a log Backup just asked for, not in the view yet (within the grace): neither gauge',
    body: request(schedule({ spec: LOG_SPEC, status: { ...LOG_ASKED, logBackupStartTs: '2024-05-01T04:03:00Z' } }), [LAST]),
    outcome: 'waiting',
    expect: WAITING_WITH_LOG,
  },
  {
    name: 'a log Backup left after spec.logBackupTemplate was removed: not the schedule\'s feature any more, neither gauge',
    body: request(schedule({ spec: SPEC, status: LOG_ASKED }), [LAST, logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T04:03:20Z' })]),
    outcome: 'waiting',
    expect: WAITING_WITH_LOG,
  },
  {
    name: 'a slot missed by its starting deadline (the hook called late)',
    body: request(schedule({ spec: { ...SPEC, startingDeadlineSeconds: 60 }, status: { lastBackup: 'nightly-2024-05-01t03-50-00', lastBackupTime: '2024-05-01T03:50:00Z' } }), [
      backup({ slot: '2024-05-01T03:50:00Z', state: 'complete' }),
    ]),
    outcome: 'idle',
    missed: 'StartingDeadlineExceeded',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T03:50:00Z'),
      lastSuccessful: seconds('2024-05-01T03:55:00Z'),
      lastMissed: seconds('2024-05-01T04:00:00Z'), // due 04:00, synced at 04:05: past its 60 s
      complete: 1,
    },
  },
  {
    name: 'the first sync after an unpause with skipMissedOnUnpause',
    body: request(
      schedule({
        spec: { ...SPEC, skipMissedOnUnpause: true },
        status: { lastBackup: 'nightly-2024-05-01t03-00-00', lastBackupTime: '2024-05-01T03:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'Paused' }] },
      }),
      [backup({ slot: '2024-05-01T03:00:00Z', state: 'complete' })],
    ),
    outcome: 'idle',
    missed: 'MissedWhilePaused',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T03:00:00Z'),
      lastSuccessful: seconds('2024-05-01T03:05:00Z'),
      lastMissed: seconds('2024-05-01T04:00:00Z'),
      complete: 1,
    },
  },
  {
    name: 'a schedule with an invalid spec, a slot missed earlier',
    body: request(
      schedule({
        spec: { ...SPEC, schedule: 'every night' },
        status: {
          lastBackup: 'nightly-2024-05-01t03-50-00',
          lastBackupTime: '2024-05-01T03:50:00Z',
          lastSuccessfulTime: '2024-05-01T03:55:00Z',
          lastMissedTime: '2024-05-01T03:40:00Z',
        },
      }),
    ),
    outcome: 'invalid',
    expect: {
      ...BASE,
      lastScheduled: seconds('2024-05-01T03:50:00Z'),
      nextScheduled: undefined,
      lastSuccessful: seconds('2024-05-01T03:55:00Z'), // carried in status
      lastMissed: seconds('2024-05-01T03:40:00Z'), // carried in status
      interval: undefined,
      specValid: 0,
    },
  },
];

describe('per-schedule metrics at /metrics', () => {
  for (const c of cases) {
    it(`${c.name}: every gauge after the sync, and the outcome counted`, async () => {
      const service = testService({ now: NOW });
      await service.sync(c.body);
      const samples = await service.scrape();
      assert.deepEqual(gauges(samples), c.expect);
      assert.equal(valueOf(samples, 'backup_schedule_syncs_total', { outcome: c.outcome }), 1);
      const causes = ['StartingDeadlineExceeded', 'ScheduleChanged', 'MissedWhilePaused'];
      assert.deepEqual(
        causes.map((cause) => valueOf(samples, 'backup_schedule_missed_slots_total', { cause })),
        causes.map((cause) => (cause === c.missed ? 1 : 0)),
      );
    });
  }

  it('reports how far metadata.generation is ahead of status.observedGeneration, absent when either is missing', async () => {
    const service = testService({ now: NOW });
    const table: Array<{ generation: number | undefined; observed: unknown; expect: number | undefined }> = [
      { generation: 1, observed: undefined, expect: undefined }, // a new schedule, never written by Metacontroller
      { generation: 3, observed: 3, expect: 0 },
      { generation: 4, observed: 3, expect: 1 }, // a spec edit, or a status write that changed the generation
      { generation: 2, observed: 5, expect: 0 }, // never negative
      { generation: 4, observed: '3', expect: undefined }, // not a number
      { generation: undefined, observed: 3, expect: undefined },
    ];
    const seen = [];
    for (const row of table) {
      const parent = schedule({ spec: SPEC, status: row.observed === undefined ? {} : { observedGeneration: row.observed } as Record<string, unknown> });
      if (row.generation === undefined) delete parent.metadata.generation;
      else parent.metadata.generation = row.generation;
      await service.sync(request(parent));
      seen.push(gauges(await service.scrape()).generationsUnobserved);
    }
    assert.deepEqual(seen, table.map((row) => row.expect));
  });

  it('follows the schedule: a later sync overwrites the gauges of the earlier one', async () => {
    const service = testService({ now: NOW });
    await service.sync(request(schedule({ spec: SPEC }), [backup({ slot: '2024-05-01T03:50:00Z', state: 'running' })]));
    service.clock.now = Date.parse('2024-05-01T04:04:00Z');
    await service.sync(request(schedule({ spec: SPEC }), [backup({ slot: '2024-05-01T03:50:00Z', state: 'complete' })]));
    const after = gauges(await service.scrape());
    assert.equal(after.unfinished, 0);
    assert.equal(after.complete, 1);
    assert.equal(after.lastScheduled, seconds('2024-05-01T04:00:00Z'));
    assert.equal(after.lastSync, seconds('2024-05-01T04:04:00Z'));
  });

  it('removes the log gauges once the log backup is not the schedule\'s any more, and with the schedule', async () => {
    const service = testService({ now: NOW, scheduleTtlMs: 3_600_000 });
    const running = logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T04:03:20Z' });
    const withLog = (spec: Record<string, unknown>, extra: { deletionTimestamp?: string } = {}): SyncRequest =>
      request(schedule({ spec, status: LOG_ASKED, ...extra }), [LAST, running]);
    const logGauges = async (): Promise<Array<number | undefined>> => {
      const read = gauges(await service.scrape());
      return [read.logUp, read.logCheckpoint];
    };

    await service.sync(withLog(LOG_SPEC));
    assert.deepEqual(await logGauges(), [1, seconds('2024-05-01T04:03:20Z')]);
    await service.sync(withLog(SPEC)); // spec.logBackupTemplate removed; the log Backup stays, not the schedule's feature
    assert.deepEqual(await logGauges(), [undefined, undefined]);

    await service.sync(withLog(LOG_SPEC));
    await service.sync(withLog(LOG_SPEC, { deletionTimestamp: '2024-05-01T04:04:00Z' }));
    assert.deepEqual(await logGauges(), [undefined, undefined]);

    await service.sync(withLog(LOG_SPEC));
    service.clock.now = Date.parse('2024-05-01T05:05:01Z'); // past the TTL
    assert.deepEqual(await logGauges(), [undefined, undefined]);
  });

  it('removes every series of a schedule once it is being deleted, and keeps the others', async () => {
    const service = testService({ now: NOW });
    await service.sync(request(schedule({ spec: SPEC })));
    await service.sync(request(schedule({ name: 'hourly', spec: { ...SPEC, schedule: '@hourly' } })));
    await service.sync(request(schedule({ spec: SPEC, deletionTimestamp: '2024-05-01T04:04:00Z' })));
    const samples = await service.scrape();
    assert.deepEqual(
      samples.filter((s) => s.labels['name'] === 'nightly'),
      [],
      'no series of the deleted schedule',
    );
    assert.equal(gauges(samples, { namespace: 'db', name: 'hourly' }).interval, 3600);
    assert.equal(valueOf(samples, 'backup_schedule_syncs_total', { outcome: 'parent-deleting' }), 1);
  });

  it('drops a schedule not synced within SCHEDULE_METRICS_TTL, at the next scrape', async () => {
    const service = testService({ now: NOW, scheduleTtlMs: 3_600_000 });
    await service.sync(request(schedule({ spec: SPEC })));
    service.clock.now = Date.parse('2024-05-01T04:55:00Z');
    await service.sync(request(schedule({ name: 'hourly', spec: { ...SPEC, schedule: '@hourly' } })));

    service.clock.now = Date.parse('2024-05-01T05:05:00Z'); // exactly the TTL after nightly's sync: kept
    assert.equal(gauges(await service.scrape()).specValid, 1);
    service.clock.now = Date.parse('2024-05-01T05:05:01Z');
    const samples = await service.scrape();
    assert.deepEqual(samples.filter((s) => s.labels['name'] === 'nightly'), []);
    assert.equal(gauges(samples, { namespace: 'db', name: 'hourly' }).specValid, 1);
  });

  it('drops a schedule past SCHEDULE_METRICS_TTL while recording later syncs, at most once a minute, on a replica nobody scrapes', async () => {
    const service = testService({ now: NOW, scheduleTtlMs: 3_600_000 });
    const steps: Array<{ at: string; sync: string; nightlyHeld: boolean }> = [
      { at: NOW, sync: 'nightly', nightlyHeld: true },
      { at: '2024-05-01T05:05:00Z', sync: 'hourly', nightlyHeld: true }, // exactly the TTL after nightly's sync: kept
      { at: '2024-05-01T05:05:30Z', sync: 'hourly', nightlyHeld: true }, // past the TTL, but the last sweep was 30 s ago
      { at: '2024-05-01T05:06:00Z', sync: 'hourly', nightlyHeld: false }, // a minute after that sweep
    ];
    const seen = [];
    for (const step of steps) {
      service.clock.now = Date.parse(step.at);
      await service.sync(request(schedule({ name: step.sync, spec: step.sync === 'nightly' ? SPEC : { ...SPEC, schedule: '@hourly' } })));
      const held = await service.held();
      seen.push(held.some((s) => s.labels['name'] === 'nightly'));
      assert.equal(gauges(held, { namespace: 'db', name: step.sync }).specValid, 1);
    }
    assert.deepEqual(seen, steps.map((step) => step.nightlyHeld));
  });

  it('keeps the same name in two namespaces apart', async () => {
    const service = testService({ now: NOW });
    await service.sync(request(schedule({ spec: SPEC })));
    await service.sync(request(schedule({ namespace: 'other', spec: { ...SPEC, pause: true } })));
    const samples = await service.scrape();
    assert.equal(gauges(samples).paused, 0);
    assert.equal(gauges(samples, { namespace: 'other', name: 'nightly' }).paused, 1);
  });

  it('gives two apps in one process their own registries', async () => {
    const first = testService({ now: NOW });
    const second = testService({ now: NOW });
    await first.sync(request(schedule({ spec: SPEC })));
    await first.sync(request(schedule({ spec: SPEC })));
    await second.sync(request(schedule({ name: 'hourly', spec: { ...SPEC, schedule: '@hourly' } })));
    const [a, b] = [await first.scrape(), await second.scrape()];
    assert.equal(valueOf(a, 'backup_schedule_syncs_total', { outcome: 'created' }), 2);
    assert.equal(valueOf(b, 'backup_schedule_syncs_total', { outcome: 'created' }), 1);
    assert.equal(gauges(b).specValid, undefined, 'the second app never saw nightly');
  });

  it('exports no process metrics when asked not to', async () => {
    const metrics = createMetrics({ scheduleTtlMs: 3_600_000, now: () => Date.parse(NOW), processMetrics: false });
    const app = createApp({ config: { bodyLimitBytes: 1024 * 1024, staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' }, logger: pino({ level: 'silent' }), now: () => Date.parse(NOW), ...withMetrics(metrics) });
    const samples = parseExposition((await supertest(app).get('/metrics').expect(200)).text);
    assert.deepEqual(samples.filter((s) => /^(process|nodejs)_/.test(s.name)), []);
    assert.ok(samples.some((s) => s.name === 'backup_schedule_missed_slots_total'), 'the hook\'s own metrics are still there');
    const post = await supertest(app).post('/metrics').expect(405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  it('exports the default process metrics', async () => {
    const samples = await testService({ now: NOW }).scrape();
    assert.ok(valueOf(samples, 'process_cpu_user_seconds_total') !== undefined);
    assert.ok(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes'));
  });
});
