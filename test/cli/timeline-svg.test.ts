/** preview --format svg|html: the timeline as a picture, from the same events the text preview prints. */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { timelineHtml, timelineSvg } from '../../src/cli/timeline-svg.js';
import type { TimelineEvent } from '../../src/sim/recorder.js';
import { xmlProblems } from '../support/xml-well-formed.js';
import { runCliCaptured } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The command that writes docs/preview-example.svg (`npm run docs:preview-example`). */
const EXAMPLE_ARGV = ['preview', '-f', 'test/fixtures/cli/nightly.yaml', '--for', '10d', '--from', '2024-05-01T00:00:00Z', '--format', 'svg'];

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const run = await runCliCaptured(argv);
  return { code: run.code, out: run.out.join('\n'), err: run.err.join('\n') };
}

const T = (iso: string): number => Date.parse(iso);

describe('preview --format svg', function () {
  this.timeout(60_000);

  it('renders the fixture as well-formed SVG naming every Backup, the deletion reason and the legend', async () => {
    const { code, out } = await cli(EXAMPLE_ARGV);
    assert.equal(code, 0);
    assert.deepEqual(xmlProblems(out), []);
    assert.match(out, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (let day = 1; day <= 10; day++) assert.ok(out.includes(`nightly-2024-05-${String(day).padStart(2, '0')}t02-00-00`), `Backup of day ${day}`);
    // 8 of 10 Backups are retired by maxBackups: 2; each deletion carries its reason as a tooltip.
    assert.equal(out.match(/<g class="deletion">/g)?.length, 8);
    assert.match(out, /<title>nightly-2024-05-01t02-00-00 deleted 2024-05-03T02:05:00Z: maxBackups: beyond the newest 2 Complete<\/title>/);
    assert.match(out, /deleted: maxBackups: beyond the newest 2 Complete \(8\)/);
    for (const label of ['running', 'complete', 'failed', 'deleted', 'schedule tick']) assert.match(out, new RegExp(`>${label}</text>`));
    assert.equal(out.match(/<title>tick /g)?.length, 10);
  });

  it('is the example in docs/preview-example.svg (npm run docs:preview-example rewrites it)', async () => {
    const { out } = await cli(EXAMPLE_ARGV);
    assert.equal(readFileSync(join(ROOT, 'docs', 'preview-example.svg'), 'utf8'), `${out}\n`, 'docs/preview-example.svg is stale: run npm run docs:preview-example');
  });

  it('draws running, complete and failed bars, and escapes names and reasons', () => {
    const events: TimelineEvent[] = [
      { at: T('2024-05-01T02:00:00Z'), kind: 'CREATE', name: 'a', detail: 'slot 2024-05-01T02:00:00Z' },
      { at: T('2024-05-01T03:00:00Z'), kind: 'FAIL', name: 'a', detail: 'after 1h0m0s' },
      { at: T('2024-05-01T04:00:00Z'), kind: 'CREATE', name: 'b', detail: 'slot 2024-05-01T04:00:00Z' },
      { at: T('2024-05-01T05:00:00Z'), kind: 'COMPLETE', name: 'b', detail: 'after 1h0m0s' },
      { at: T('2024-05-01T05:00:00Z'), kind: 'DELETE', name: 'a', detail: 'failed & <older> than "b"' },
      { at: T('2024-05-01T06:00:00Z'), kind: 'CREATE', name: 'c', detail: 'slot 2024-05-01T06:00:00Z' },
    ];
    const svg = timelineSvg(events, { from: T('2024-05-01T00:00:00Z'), to: T('2024-05-02T00:00:00Z'), title: 'ns/s' });
    assert.deepEqual(xmlProblems(svg), []);
    const fills = (name: string): string[] => [...(svg.match(new RegExp(`<g class="backup"><title>${name}\\n[^<]*</title>(.*?)</g>`))?.[1] ?? '').matchAll(/<rect [^>]*fill="(#\w+)"/g)].map((m) => m[1] ?? '');
    assert.deepEqual(fills('a'), ['#f2b134', '#d6453d']); // running, then failed
    assert.deepEqual(fills('b'), ['#f2b134', '#3a9a5b']); // running, then complete
    assert.deepEqual(fills('c'), ['#f2b134']); // still running at the end of the window
    assert.ok(svg.includes('a deleted 2024-05-01T05:00:00Z: failed &amp; &lt;older&gt; than &quot;b&quot;'));
    // Hourly axis labels for a one-day window.
    assert.match(svg, />05-01 03:00</);
  });

  it('wraps the same picture in an HTML page with --format html', async () => {
    const { code, out } = await cli([...EXAMPLE_ARGV.slice(0, -1), 'html']);
    assert.equal(code, 0);
    assert.match(out, /^<!DOCTYPE html>\n<html lang="en">/);
    const svg = out.slice(out.indexOf('<svg'), out.indexOf('</svg>') + 6);
    assert.deepEqual(xmlProblems(svg), []);
    assert.ok(svg.includes('nightly-2024-05-10t02-00-00'));
    assert.equal(timelineHtml([], { from: 0, to: 1000, title: 't' }).includes('<svg'), true);
  });

  it('says what to fix for an unknown format', async () => {
    const { code, err } = await cli([...EXAMPLE_ARGV.slice(0, -1), 'png']);
    assert.equal(code, 2);
    assert.match(err, /--format "png" is not one of text, svg, html/);
  });

  const unwritable: Array<{ what: string; name: string }> = [
    { what: 'a control character', name: 'a\u0001b' },
    { what: 'an escape character', name: 'a\u001bb' },
    { what: 'a lone surrogate', name: 'a\ud800b' },
    { what: 'U+FFFF', name: 'a\uffffb' },
  ];
  for (const u of unwritable) {
    it(`stays well-formed XML for a name with ${u.what} (YAML can write one; kubectl would refuse it)`, () => {
      const events: TimelineEvent[] = [
        { at: T('2024-05-01T02:00:00Z'), kind: 'CREATE', name: `${u.name}-1`, detail: 'slot 2024-05-01T02:00:00Z' },
        { at: T('2024-05-01T03:00:00Z'), kind: 'DELETE', name: `${u.name}-1`, detail: `reason ${u.name}` },
      ];
      const svg = timelineSvg(events, { from: T('2024-05-01T00:00:00Z'), to: T('2024-05-02T00:00:00Z'), title: `ns/${u.name}` });
      assert.deepEqual(xmlProblems(svg), []);
      assert.ok(svg.includes('a\ufffdb-1 deleted 2024-05-01T03:00:00Z: reason a\ufffdb'));
    });
  }

  it('finds a broken document (the check can fail)', () => {
    assert.notDeepEqual(xmlProblems('<svg><text>a\u0001b</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><text>a\ud800</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><g></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><text>a & b</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg x=1></svg>'), []);
  });
});
