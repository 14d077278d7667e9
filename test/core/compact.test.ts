/**
 * Compaction as one sync answers it: which CompactBackup is asked for (its name and window), where
 * `status.lastCompactProgress` stands, and which failed attempts retention keeps. The log started at 00:00, its
 * checkpoint is 05:00, the interval 2h, the sync at 05:10 unless a case says otherwise.
 */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { JsonObject, KubeObject } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, compactBackup, logBackup, request, schedule, tsoAt, withCompacts } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
const LOG_START = at('00:00:00');
// A yearly snapshot schedule: no snapshot is due in these hours, so every answer is about compaction.
const SPEC = { schedule: '0 0 1 1 *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' };
const FIRST = 'compact-nightly-2024-05-01t00-00-00';
const R1_FIRST = 'compact-db-r1-2024-05-01t00-00-00';

interface Sync {
  status?: JsonObject;
  checkpoint?: string;
  compacts?: KubeObject[];
  spec?: JsonObject;
  now?: string;
  /** The observed log Backup; null: none in the view; absent: running since 00:00 up to `checkpoint`. */
  log?: KubeObject | null;
  /** The schedule's name; `nightly` unless a case says otherwise. */
  schedule?: string;
}

/**
 * One sync: the CompactBackup asked for (`name [startTs, endTs)`), the progress answered, the CompactBackups left out,
 * and what the sync reports of compaction (its log line).
 */
function compaction(s: Sync): { created: string | null; progress: unknown; deleted: string[]; reported: string | null } {
  const name = s.schedule ?? 'nightly';
  const log = s.log === undefined ? logBackup({ schedule: name, start: LOG_START, checkpoint: s.checkpoint ?? at('05:00:00') }) : s.log;
  const parent = schedule({ name, spec: { ...SPEC, ...(s.spec ?? {}) }, status: { logBackup: `log-${name}`, logBackupStartTs: LOG_START, ...(s.status ?? {}) }, created: '2024-04-30T00:00:00Z' });
  const { response, report } = decide(withCompacts(request(parent, log === null ? [] : [log]), s.compacts ?? []), { now: Date.parse(s.now ?? at('05:10:00')) });
  const observed = new Set((s.compacts ?? []).map((c) => c.metadata?.name));
  const answered = response.children.filter((c) => c.kind === 'CompactBackup');
  const created = answered.filter((c) => !observed.has(c.metadata.name)).map((c) => `${c.metadata.name} [${String((c.spec as JsonObject)['startTs'])}, ${String((c.spec as JsonObject)['endTs'])})`);
  // Left out: observed and not already being deleted, yet not in the answer.
  const live = (s.compacts ?? []).filter((c) => c.metadata?.deletionTimestamp === undefined).map((c) => c.metadata?.name ?? '');
  const deleted = live.filter((n) => !answered.some((c) => c.metadata.name === n)).sort();
  return { created: created[0] ?? null, progress: response.status.lastCompactProgress, deleted, reported: report.compaction };
}

const complete = (o: { start: string; end: string; until?: string; name?: string }): KubeObject =>
  compactBackup({ logStart: LOG_START, start: o.start, end: o.end, created: at('00:30:00'), ...(o.until === undefined ? {} : { compactedUntil: o.until }), ...(o.name === undefined ? {} : { name: o.name }) });
const failed = (name: string, options: { start?: string; deleting?: boolean; schedule?: string } = {}): KubeObject => {
  const c = compactBackup({ logStart: LOG_START, start: options.start ?? at('00:00:00'), end: at('02:00:00'), state: 'Failed', name, created: at('00:00:00'), ...(options.schedule === undefined ? {} : { schedule: options.schedule }) });
  if (options.deleting === true) c.metadata!.deletionTimestamp = at('05:00:00');
  return c;
};
const window = (name: string, from: string, to = '05:00:00'): string => `${name} [2024-05-01 ${from}, 2024-05-01 ${to})`;

describe('compaction: what the sync reports (its log line)', () => {
  const RUNNING = compactBackup({ logStart: LOG_START, start: at('01:00:00'), end: at('03:00:00'), state: 'Running', name: 'compact-nightly-2024-05-01t01-00-00' });
  const cases: ReadonlyArray<{ name: string; sync: Sync; reported: string | null }> = [
    { name: 'not configured: nothing', sync: { spec: { compactBackupTemplate: undefined } }, reported: null },
    { name: 'a window asked for', sync: {}, reported: 'compacting 2024-05-01 00:00:00 to 2024-05-01 05:00:00' },
    { name: 'no log Backup in the view', sync: { log: null }, reported: 'waiting for the log backup to start' },
    { name: 'paused', sync: { spec: { pause: true } }, reported: 'paused' },
    { name: 'one still runs', sync: { compacts: [RUNNING] }, reported: 'waiting for CompactBackup compact-nightly-2024-05-01t01-00-00 to finish' },
    {
      name: 'the one the status names still runs',
      sync: { status: { lastCompact: 'compact-nightly-2024-05-01t01-00-00', lastCompactProgress: LOG_START }, compacts: [RUNNING] },
      reported: 'waiting for CompactBackup compact-nightly-2024-05-01t01-00-00 to finish',
    },
    { name: 'a log Backup without a checkpoint yet', sync: { log: withLogStatus((s) => delete s['logCheckpointTs']) }, reported: 'the log backup has no checkpoint yet' },
    { name: 'a checkpoint before the log’s start: none yet', sync: { log: logBackup({ start: LOG_START, checkpoint: '2024-04-30T23:00:00Z' }) }, reported: 'the log backup has no checkpoint yet' },
    { name: 'a checkpoint at the log’s start: nothing new', sync: { log: logBackup({ start: LOG_START, checkpoint: LOG_START }) }, reported: 'the log has nothing new to compact' },
    { name: 'less than one interval of log', sync: { checkpoint: at('01:59:59'), now: at('02:10:00') }, reported: 'less than one interval of log since its start' },
    {
      name: 'nothing new since the last window',
      sync: { status: { lastCompact: FIRST, lastCompactProgress: at('05:00:00') }, compacts: [complete({ start: at('00:00:00'), end: at('05:00:00'), until: at('05:00:00'), name: FIRST })] },
      reported: 'the log has nothing new to compact',
    },
    {
      name: 'the last one ran less than an interval ago',
      sync: { checkpoint: at('06:00:00'), now: at('06:10:00'), status: { lastCompact: FIRST, lastCompactProgress: at('05:00:00'), lastCompactExecutionTs: at('05:10:00') }, compacts: [complete({ start: at('00:00:00'), end: at('05:00:00'), until: at('05:00:00'), name: FIRST })] },
      reported: 'the last compaction ran less than one interval ago',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(compaction(c.sync).reported, c.reported));
});

describe('compaction: what one sync asks for', () => {
  const cases: ReadonlyArray<{ name: string; sync: Sync; created: string | null; progress: string | undefined }> = [
    { name: 'from the log start up to the checkpoint', sync: {}, created: window(FIRST, '00:00:00'), progress: LOG_START },
    { name: 'no log Backup in the view: nothing', sync: { log: null }, created: null, progress: undefined },
    { name: 'paused: nothing, progress still written', sync: { spec: { pause: true } }, created: null, progress: LOG_START },
    {
      name: 'a progress already recorded is left as written (another form of the same instant)',
      sync: { status: { lastCompactProgress: '2024-05-01T02:00:00+00:00' }, compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: '2024-05-01T02:00:00+00:00',
    },
    {
      name: 'the last CompactBackup still runs: nothing, and its start is no progress',
      sync: { status: { lastCompact: 'compact-nightly-2024-05-01t01-00-00', lastCompactProgress: LOG_START }, compacts: [compactBackup({ logStart: LOG_START, start: at('01:00:00'), end: at('03:00:00'), state: 'Running' })] },
      created: null,
      progress: LOG_START,
    },
    {
      name: 'progress never moves back to what the last and furthest CompactBackups report',
      sync: { status: { lastCompact: FIRST, lastCompactProgress: at('03:00:00') }, compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') })] },
      created: window('compact-nightly-2024-05-01t03-00-00', '03:00:00'),
      progress: at('03:00:00'),
    },
    { name: 'minCompactStartTs after the progress: the window starts there', sync: { spec: { minCompactStartTs: '2024-05-01 01:00:00' } }, created: window('compact-nightly-2024-05-01t01-00-00', '01:00:00'), progress: LOG_START },
    { name: 'exactly one interval of log since its start: compacted', sync: { checkpoint: at('02:00:00'), now: at('02:10:00') }, created: window(FIRST, '00:00:00', '02:00:00'), progress: LOG_START },
    { name: 'a second less than one interval: not yet', sync: { checkpoint: at('01:59:59'), now: at('02:10:00') }, created: null, progress: LOG_START },
    { name: 'a failed window is tried again as -r1', sync: { compacts: [failed(FIRST)] }, created: window(`${FIRST}-r1`, '00:00:00'), progress: LOG_START },
    { name: 'after -r10 the retry is -r11, whatever the name order (-r2 sorts after -r10)', sync: { compacts: [failed(FIRST), failed(`${FIRST}-r10`), failed(`${FIRST}-r2`)] }, created: window(`${FIRST}-r11`, '00:00:00'), progress: LOG_START },
    { name: 'after -r12, -r13', sync: { compacts: [failed(`${FIRST}-r12`)] }, created: window(`${FIRST}-r13`, '00:00:00'), progress: LOG_START },
    { name: 'names that are not retries (-r01, -r1234567) are not counted', sync: { compacts: [failed(FIRST), failed(`${FIRST}-r01`), failed(`${FIRST}-r1234567`)] }, created: window(`${FIRST}-r1`, '00:00:00'), progress: LOG_START },
    { name: 'a Complete one compacted past its window: up to its window end', sync: { compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:30:00') })] }, created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'), progress: at('02:00:00') },
    { name: 'a Complete one that reports nothing: up to its window end', sync: { compacts: [complete({ start: at('00:00:00'), end: at('02:00:00') })] }, created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'), progress: at('02:00:00') },
    {
      name: 'a Complete one that reports nothing past the second its window starts in: up to its window end',
      sync: { compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: '2024-05-01T00:00:00.500Z' })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      name: 'a Complete one whose window end is unreadable: what it reports',
      sync: { compacts: [complete({ start: at('00:00:00'), end: 'never', until: at('01:30:00') })] },
      created: window('compact-nightly-2024-05-01t01-30-00', '01:30:00'),
      progress: at('01:30:00'),
    },
    {
      name: 'of two Complete ones, the one that compacted furthest counts, whatever the name order',
      sync: { compacts: [complete({ start: at('00:00:00'), end: at('03:00:00'), until: at('03:00:00') }), complete({ start: at('01:00:00'), end: at('02:00:00'), until: at('02:00:00') })] },
      created: window('compact-nightly-2024-05-01t03-00-00', '03:00:00'),
      progress: at('03:00:00'),
    },
    {
      name: 'a Complete one whose window start is unreadable: up to its window end, not what it reports',
      sync: { compacts: [compactBackup({ logStart: LOG_START, name: FIRST, start: 'never', end: at('02:00:00'), compactedUntil: at('01:30:00'), created: at('00:30:00') })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      name: 'a Complete one with no readable end at all does not hide one that compacted',
      sync: { compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }), withStatus(complete({ start: at('00:00:00'), end: 'never', name: 'compact-nightly-zz' }), { state: 'Complete' })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      name: 'a Complete one whose reported end is a number, not a TSO string: up to its window end',
      sync: { compacts: [withStatus(complete({ start: at('00:00:00'), end: at('02:00:00') }), { state: 'Complete', endTs: 4.5e17 })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      // As a number the TSO would read as 01:30 (its decimal digits): a number is not upstream's string.
      name: 'a Complete one whose reported end is a number inside its window: up to its window end',
      sync: { compacts: [withStatus(complete({ start: at('00:00:00'), end: at('02:00:00') }), { state: 'Complete', endTs: Number(tsoAt(at('01:30:00'))) })] },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      name: 'the last CompactBackup failed: its window is tried again, progress stays at its start',
      sync: { status: { lastCompact: FIRST, lastCompactProgress: LOG_START }, compacts: [failed(FIRST)] },
      created: window(`${FIRST}-r1`, '00:00:00'),
      progress: LOG_START,
    },
    {
      name: 'another CompactBackup still runs (the status names an older one): nothing, one at a time',
      sync: {
        status: { lastCompact: FIRST, lastCompactProgress: at('02:00:00') },
        compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }), compactBackup({ logStart: LOG_START, name: 'compact-nightly-other', start: at('01:00:00'), end: at('02:00:00'), state: 'Running', created: at('02:10:00') })],
        now: at('05:10:00'),
      },
      created: null,
      progress: at('02:00:00'),
    },
    {
      name: 'a running CompactBackup being deleted does not hold compaction back',
      sync: {
        status: { lastCompact: FIRST, lastCompactProgress: at('02:00:00'), lastCompactExecutionTs: at('00:30:00') },
        compacts: [
          complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }),
          withDeletion(compactBackup({ logStart: LOG_START, name: 'compact-nightly-old', start: at('01:00:00'), end: at('02:00:00'), state: 'Running', created: at('00:40:00') })),
        ],
      },
      created: window('compact-nightly-2024-05-01t02-00-00', '02:00:00'),
      progress: at('02:00:00'),
    },
    {
      name: 'a checkpoint in the same second as the progress: nothing new (no empty window)',
      sync: { status: { lastCompactProgress: at('04:00:00') }, log: logBackup({ start: LOG_START, checkpoint: '2024-05-01T04:00:00.900Z' }) },
      created: null,
      progress: at('04:00:00'),
    },
    {
      name: 'a Complete CompactBackup of an older log does not move this log’s progress',
      sync: { compacts: [compactBackup({ logStart: '2024-04-30T00:00:00Z', name: 'compact-nightly-2024-04-30t00-00-00', start: '2024-04-30T00:00:00Z', end: at('04:00:00'), compactedUntil: at('04:00:00'), created: '2024-04-30T01:00:00Z' })] },
      created: window(FIRST, '00:00:00'),
      progress: LOG_START,
    },
    {
      name: 'paced by the newest CompactBackup’s creation when the status carries an older execution',
      sync: {
        status: { lastCompact: FIRST, lastCompactProgress: at('02:00:00'), lastCompactExecutionTs: at('00:30:00') },
        compacts: [complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }), withCreation(complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00'), name: 'compact-nightly-recent' }), at('04:30:00'))],
      },
      created: null,
      progress: at('02:00:00'),
    },
    { name: 'a failed CompactBackup named like the window but not a retry is not counted', sync: { compacts: [failed(FIRST), failed(`${FIRST}-x7`)] }, created: window(`${FIRST}-r1`, '00:00:00'), progress: LOG_START },
    { name: 'compactInterval without a compact template: nothing', sync: { spec: { compactBackupTemplate: undefined } }, created: null, progress: undefined },
    { name: 'a checkpoint that is a number, not a TSO string: nothing to compact', sync: { log: withLogStatus((s) => (s['logCheckpointTs'] = 4.5e17)) }, created: null, progress: LOG_START },
    { name: 'a log Backup without status: nothing to compact', sync: { log: withLogStatus(null) }, created: null, progress: LOG_START },
    {
      name: 'a Complete one without a storage prefix is not of this log',
      sync: { compacts: [withoutStorage(complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }))] },
      created: null, // its window's name is the one it holds: asked for as it is
      progress: LOG_START,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { created, progress } = compaction(c.sync);
      assert.deepEqual({ created, progress }, { created: c.created, progress: c.progress });
    });
  }
});

describe('compaction: retention keeps the latest failed attempt of each window not compacted yet', () => {
  const policy = { maxReservedTime: '1h' };
  const cases: ReadonlyArray<{ name: string; sync: Sync; deleted: string[] }> = [
    { name: 'earlier attempts go, the latest stays', sync: { spec: policy, compacts: [failed(FIRST), failed(`${FIRST}-r1`), failed(`${FIRST}-r2`)] }, deleted: [FIRST, `${FIRST}-r1`] },
    { name: '-r10 is later than -r2', sync: { spec: policy, compacts: [failed(FIRST), failed(`${FIRST}-r10`), failed(`${FIRST}-r2`)] }, deleted: [FIRST, `${FIRST}-r2`] },
    { name: 'an attempt being deleted is not the latest', sync: { spec: policy, compacts: [failed(FIRST), failed(`${FIRST}-r1`, { deleting: true })] }, deleted: [] },
    { name: 'a window before the progress keeps none', sync: { spec: policy, status: { lastCompactProgress: at('02:00:00') }, compacts: [failed(FIRST)] }, deleted: [FIRST] },
    {
      name: 'a window before the progress this sync reads (past the status) keeps none',
      sync: { spec: policy, compacts: [failed(FIRST), complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00'), name: `${FIRST}-r1` })] },
      deleted: [FIRST],
    },
    {
      name: 'a later attempt still running does not take the failed one’s place',
      sync: { spec: policy, compacts: [failed(FIRST), compactBackup({ logStart: LOG_START, name: `${FIRST}-r1`, start: at('00:00:00'), end: at('02:00:00'), state: 'Running', created: at('00:00:00') })] },
      deleted: [],
    },
    { name: 'no log Backup in the view (no progress): a failed one whose window start is unreadable is not kept', sync: { spec: policy, log: null, compacts: [failed(FIRST, { start: 'never' })] }, deleted: [FIRST] },
    {
      name: 'a schedule named like a retry (db-r1): only the trailing -r<n> counts',
      sync: { spec: policy, schedule: 'db-r1', compacts: [R1_FIRST, `${R1_FIRST}-r1`, `${R1_FIRST}-r2`].map((n) => failed(n, { schedule: 'db-r1' })) },
      deleted: [R1_FIRST, `${R1_FIRST}-r1`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(compaction(c.sync).deleted, c.deleted));
  }
  it('never names as deleted the CompactBackup this sync asks for, though an observed one of that name has expired', () => {
    // Not of this log (no storage prefix): its window is asked for again under the name it holds.
    const observed = withoutStorage(complete({ start: at('00:00:00'), end: at('02:00:00'), until: at('02:00:00') }));
    const parent = schedule({ spec: { ...SPEC, ...policy }, status: { logBackup: 'log-nightly', logBackupStartTs: LOG_START }, created: '2024-04-30T00:00:00Z' });
    const log = logBackup({ start: LOG_START, checkpoint: at('05:00:00') });
    const { response, report } = decide(withCompacts(request(parent, [log]), [observed]), { now: Date.parse(at('05:10:00')) });
    assert.equal(response.status['lastCompact'], FIRST);
    assert.ok(response.children.some((c) => c.kind === 'CompactBackup' && c.metadata.name === FIRST));
    assert.deepEqual(report.deletions, []);
  });
});

describe('compaction: retention keeps the Complete CompactBackup that compacted furthest (expired windows, maxReservedTime 1h)', () => {
  const cases: ReadonlyArray<{ name: string; sync: Sync; deleted: string[] }> = [
    {
      name: 'of two that compacted as far, the earlier window is kept',
      sync: {
        spec: { maxReservedTime: '1h' },
        status: { lastCompact: 'compact-nightly-2024-05-01t05-00-00', lastCompactProgress: at('05:00:00') },
        compacts: [complete({ start: at('01:00:00'), end: at('05:00:00'), until: at('05:00:00') }), complete({ start: at('03:00:00'), end: at('05:00:00'), until: at('05:00:00') })],
        now: at('06:30:00'),
      },
      deleted: ['compact-nightly-2024-05-01t03-00-00'],
    },
    {
      name: 'of two, the one that compacted further is kept',
      sync: {
        spec: { maxReservedTime: '1h' },
        status: { lastCompact: 'compact-nightly-2024-05-01t05-00-00', lastCompactProgress: at('05:00:00') },
        compacts: [complete({ start: at('01:00:00'), end: at('04:00:00'), until: at('04:00:00') }), complete({ start: at('03:00:00'), end: at('05:00:00'), until: at('05:00:00') })],
        now: at('06:30:00'),
      },
      deleted: ['compact-nightly-2024-05-01t01-00-00'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(compaction(c.sync).deleted, c.deleted));
  }
});

/** The default log Backup with its status changed, or removed (null). */
function withLogStatus(change: ((status: JsonObject) => void) | null): KubeObject {
  const log = logBackup({ start: LOG_START, checkpoint: at('05:00:00') });
  if (change === null) delete log.status;
  else change(log.status!);
  return log;
}

function withoutStorage(compact: KubeObject): KubeObject {
  const { s3: _storage, ...spec } = compact.spec as JsonObject;
  return { ...compact, spec };
}

function withStatus(compact: KubeObject, status: JsonObject): KubeObject {
  return { ...compact, status };
}

function withDeletion(compact: KubeObject): KubeObject {
  return { ...compact, metadata: { ...compact.metadata, deletionTimestamp: at('05:00:00') } };
}

function withCreation(compact: KubeObject, created: string): KubeObject {
  return { ...compact, metadata: { ...compact.metadata, creationTimestamp: created } };
}
