/** The preview's bounds: a window too long, too full of ticks, outside 1970–9999 or too costly is refused with what to change. */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { previewWindowProblem, tooLargeProblem } from '../../src/cli/preview-window.js';
import { parseSpan } from '../../src/cli/span.js';
import { readSpec } from '../../src/core/spec.js';
import type { ScheduleSpec } from '../../src/core/spec.js';
import { PreviewTooLargeError, previewEvents } from '../../src/sim/preview.js';
import { runCliCaptured } from '../support/run-cli.js';

const TMP = join(process.cwd(), '.tmp', 'cli-preview-bounds-test');
const TEMPLATE = { backupType: 'full', br: { cluster: 'basic' }, s3: { provider: 'aws', bucket: 'b', prefix: 'p' } };
const T = (iso: string): number => Date.parse(iso);
const DAY = 86_400_000;
const SETTINGS = { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' };

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const run = await runCliCaptured(argv);
  return { ...run, err: run.err.join('\n') };
}

function manifestFile(name: string, schedule: string): string {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `${name}.json`);
  writeFileSync(file, JSON.stringify({ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name, namespace: 'ns' }, spec: { schedule, backupTemplate: TEMPLATE } }));
  return file;
}

function specOf(schedule: string): ScheduleSpec {
  const read = readSpec({ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 's' }, spec: { schedule, backupTemplate: TEMPLATE } });
  assert.ok(read.ok);
  return read.spec;
}

describe('cli preview bounds', function () {
  this.timeout(60_000);

  const spans: Array<{ text: string; ms: number | null }> = [
    { text: '1.5d', ms: 1.5 * DAY },
    { text: '1.25d', ms: 1.25 * DAY },
    { text: '2w', ms: 14 * DAY },
    { text: '90m', ms: 90 * 60_000 },
    { text: '0d', ms: null },
    { text: '0w', ms: null },
    { text: '0.0d', ms: null },
    { text: '0s', ms: null },
    { text: '-1h', ms: null },
  ];
  for (const s of spans) {
    it(`reads --for ${s.text} as ${s.ms ?? 'too short'}`, () => {
      if (s.ms === null) assert.throws(() => parseSpan(s.text, '--for'), new RegExp(`--for "${s.text}" must be longer than zero, such as 30d`));
      else assert.equal(parseSpan(s.text, '--for'), s.ms);
    });
  }

  for (const text of ['x1d', '1dx', '1d2h']) {
    it(`reads --for ${text} as no length of time: days and weeks are a number and d or w, whole`, () => {
      assert.throws(() => parseSpan(text, '--for'), new RegExp(`^Error: --for "${text}" is not a length of time; write it like 30d`));
    });
  }

  const windows: Array<{ schedule: string; from: string; forMs: number; forText: string; says: RegExp | null }> = [
    { schedule: '0 2 * * *', from: '2024-05-01T00:00:00Z', forMs: 3660 * DAY, forText: '3660d', says: null },
    { schedule: '0 2 * * *', from: '2024-05-01T00:00:00Z', forMs: 3661 * DAY, forText: '3661d', says: /--for "3661d" is longer than a preview runs: at most 3660d/ },
    { schedule: '0 2 * * *', from: '2024-05-01T00:00:00Z', forMs: Number.POSITIVE_INFINITY, forText: '9'.repeat(400) + 'd', says: /is longer than a preview runs/ },
    { schedule: '0 2 * * *', from: '1969-12-31T00:00:00Z', forMs: 3 * DAY, forText: '3d', says: /the window 1969-12-31T00:00:00Z \+ 3d is outside 1970-01-01T00:00:00Z to 9999-12-29T00:00:00Z/ },
    { schedule: '0 2 * * *', from: '9999-12-28T00:00:00Z', forMs: 3 * DAY, forText: '3d', says: /is outside 1970-01-01T00:00:00Z to 9999-12-29T00:00:00Z/ },
    { schedule: '0 2 * * *', from: '1970-01-01T00:00:00Z', forMs: 3 * DAY, forText: '3d', says: null },
    { schedule: '0 2 * * *', from: '9999-12-26T00:00:00Z', forMs: 3 * DAY, forText: '3d', says: null },
    { schedule: '@every 1m', from: '2024-05-01T00:00:00Z', forMs: 6 * DAY, forText: '6d', says: null },
    { schedule: '@every 1m', from: '2024-05-01T00:00:00Z', forMs: 7 * DAY, forText: '7d', says: /--for "7d" holds more than 10000 ticks of "@every 1m", and the preview simulates each one; give a shorter --for, such as 6d$/ },
    { schedule: '* * * * *', from: '2024-05-01T00:00:00Z', forMs: 30 * DAY, forText: '30d', says: /such as 6d$/ },
    { schedule: '@every 1s', from: '2024-05-01T00:00:00Z', forMs: DAY, forText: '1d', says: /such as 2h$/ },
    { schedule: '@every 1s', from: '2024-05-01T00:00:00Z', forMs: 3 * 3_600_000, forText: '3h', says: /such as 2h$/ },
    // At most 10,000 ticks: a window of exactly that many is previewed, and the shorter --for suggested is one taken.
    { schedule: '@every 1m', from: '2024-05-01T00:00:00Z', forMs: 10_000 * 60_000, forText: '10000m', says: null },
    { schedule: '@every 1m', from: '2024-05-01T00:00:00Z', forMs: 10_001 * 60_000, forText: '10001m', says: /--for "10001m" holds more than 10000 ticks of "@every 1m".* such as 6d$/ },
    { schedule: '@every 864s', from: '2024-05-01T00:00:00Z', forMs: 100 * DAY, forText: '100d', says: null },
    { schedule: '@every 864s', from: '2024-05-01T00:00:00Z', forMs: 101 * DAY, forText: '101d', says: /such as 100d$/ },
  ];
  for (const w of windows) {
    it(`${w.says === null ? 'takes' : 'refuses'} ${w.schedule} from ${w.from} for ${w.forText.slice(0, 12)}`, () => {
      const problem = previewWindowProblem(specOf(w.schedule), { from: T(w.from), forMs: w.forMs, forText: w.forText });
      if (w.says === null) assert.equal(problem, null);
      else assert.match(problem ?? '', w.says);
    });
  }

  const refused: Array<{ argv: string[]; says: RegExp }> = [
    { argv: ['--for', '0d'], says: /--for "0d" must be longer than zero, such as 30d/ },
    { argv: ['--for', '99999999999999999999999999d'], says: /is longer than a preview runs: at most 3660d/ },
    { argv: ['--for', '2562047h'], says: /is longer than a preview runs/ },
    { argv: ['--for', '3d', '--from', '1969-12-31T00:00:00Z'], says: /is outside 1970-01-01T00:00:00Z/ },
    { argv: ['--for', '1d', '--backup-duration', '0s'], says: /--backup-duration "0s" must be longer than zero, such as 30d/ },
    { argv: ['--for', '1d', '--backup-duration', 'long'], says: /--backup-duration "long" is not a length of time/ },
  ];
  for (const r of refused) {
    it(`exits 2 at once and says what to change: ${r.argv.join(' ')}`, async () => {
      const { code, out, err } = await cli(['preview', '-f', manifestFile('nightly', '0 2 * * *'), ...r.argv]);
      assert.equal(code, 2);
      assert.deepEqual(out, []);
      assert.match(err, r.says);
    });
  }

  it('exits 2 for a window of too many ticks before simulating it', async () => {
    const { code, err } = await cli(['preview', '-f', manifestFile('often', '@every 1m'), '--for', '30d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 2);
    assert.match(err, /holds more than 10000 ticks of "@every 1m".*such as 6d/);
  });

  const suggestions: Array<{ reachedAfterMs: number; says: string }> = [
    { reachedAfterMs: DAY, says: '1d' },
    { reachedAfterMs: DAY - 1, says: '23h' },
    { reachedAfterMs: 3_600_000, says: '1h' },
    { reachedAfterMs: 3_600_000 - 1, says: '59m' },
    { reachedAfterMs: 30_000, says: '1m' },
  ];
  for (const { reachedAfterMs, says } of suggestions) {
    it(`suggests --for ${says} for a preview stopped ${reachedAfterMs} ms into its window`, () => {
      const from = T('2024-05-01T00:00:00Z');
      assert.match(tooLargeProblem(new PreviewTooLargeError(from + reachedAfterMs, 10), { from }), new RegExp(`give a shorter --for, such as ${says}, or a retention`));
    });
  }

  it('stops a preview past its work bound at a fixed simulated instant, and says what to shorten', async () => {
    const manifest = { metadata: { name: 'keep', namespace: 'ns' }, spec: { schedule: '0 2 * * *', backupTemplate: TEMPLATE } };
    const options = { from: T('2024-05-01T00:00:00Z'), forMs: 30 * DAY, settings: SETTINGS, maxSyncedChildren: 1000 };
    const error = await previewEvents(manifest, options).then(
      () => assert.fail('the preview should stop'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PreviewTooLargeError);
    assert.equal(error.reachedAt, T('2024-05-03T05:00:00Z'));
    assert.equal(error.children, 3);
    assert.equal(
      tooLargeProblem(error, { from: options.from }),
      'the preview stopped at 2024-05-03T05:00:00Z: the schedule keeps 3 Backups by then, and every simulated sync carries them all; ' +
        'give a shorter --for, such as 2d, or a retention (maxBackups, maxReservedTime or spec.retention)',
    );
    // Under the bound, the same preview runs to its end.
    assert.equal((await previewEvents(manifest, { ...options, forMs: 2 * DAY })).length, 4);
  });
});
