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

  const FROM = T('2024-05-01T00:00:00Z');
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** The axis's labels, in order. */
  const axisLabels = (svg: string): string[] => [...(/<g class="axis"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/font-size="10">([^<]*)</g)].map((m) => m[1] ?? '');
  const steps: Array<{ window: number; first: string[] }> = [
    { window: 12 * HOUR, first: ['05-01 00:00', '05-01 01:00'] },
    { window: 13 * HOUR, first: ['05-01 00:00', '05-01 03:00'] },
    { window: 2 * DAY, first: ['05-01 00:00', '05-01 06:00'] },
    { window: 5 * DAY, first: ['05-01 00:00', '05-01 12:00'] },
    { window: 20 * DAY, first: ['2024-05-01', '2024-05-03'] },
    { window: 60 * DAY, first: ['2024-05-02', '2024-05-09'] },
    { window: 150 * DAY, first: ['2024-05-09', '2024-05-23'] },
    { window: 300 * DAY, first: ['2024-05-09', '2024-06-06'] },
    { window: 1000 * DAY, first: ['2024-07-25', '2024-10-24'] },
    { window: 3000 * DAY, first: ['2024-10-24', '2025-10-23'] },
    // Past twelve of the longest step (only timelineSvg itself takes such a window), still a label every 364 days.
    { window: 5000 * DAY, first: ['2024-10-24', '2025-10-23'] },
  ];
  for (const s of steps) {
    it(`labels the axis of a ${s.window / HOUR}h window at the shortest step that needs at most 12 of them`, () => {
      assert.deepEqual(axisLabels(timelineSvg([], { from: FROM, to: FROM + s.window, title: 't' })).slice(0, 2), s.first);
    });
  }

  /** An event of the timeline so many hours into the window. */
  const event = (hours: number, kind: TimelineEvent['kind'], name: string, detail: string): TimelineEvent => ({ at: FROM + hours * HOUR, kind, name, detail });

  it('says invalid, not failed, in the tooltip of a Backup found invalid', () => {
    const events: TimelineEvent[] = [
      { at: FROM + HOUR, kind: 'CREATE', name: 'odd', detail: 'slot 2024-05-01T01:00:00Z' },
      { at: FROM + 2 * HOUR, kind: 'INVALID', name: 'odd', detail: 'after 1h0m0s' },
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + DAY, title: 't' });
    assert.match(svg, /<title>odd\nslot 2024-05-01T01:00:00Z\ncreated 2024-05-01T01:00:00Z\ninvalid after 1h0m0s at 2024-05-01T02:00:00Z<\/title>/);
    assert.ok(!/failed after/.test(svg), svg);
  });

  it('refuses an empty window', () => {
    assert.throws(() => timelineSvg([], { from: FROM, to: FROM, title: 't' }), /^Error: the window is empty; give --for a positive length such as 30d$/);
  });

  it('lists each deletion reason in the legend, one row each, and sizes the picture to fit them', () => {
    const events: TimelineEvent[] = [
      event(1, 'CREATE', 'a', 'slot 2024-05-01T01:00:00Z'),
      event(2, 'CREATE', 'b', 'slot 2024-05-01T02:00:00Z'),
      event(3, 'DELETE', 'a', 'first reason'),
      event(4, 'DELETE', 'b', 'second reason'),
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + DAY, title: 't' });
    assert.deepEqual([...svg.matchAll(/<text x="32" y="(\d+)">deleted: (\w+) reason \(1\)<\/text>/g)].map((m) => [m[1], m[2]]), [['64', 'first'], ['80', 'second']]);
    // The legend from 34, 20 + 16 per reason, then 8, the axis 18, the ticks 16, two lanes of 24 (b starts while a runs), the margin 16.
    assert.match(svg, /^<\?xml[^\n]*\n<svg [^>]* height="192" viewBox="0 0 960 192"/);
  });

  it('draws a Backup without a slot (backup now) without a tick, and its tooltip without a slot line; a deletion’s reason is the one its DELETE gave', () => {
    const events: TimelineEvent[] = [
      event(1, 'CREATE', 'now-1', 'created'),
      event(2, 'COMPLETE', 'now-1', 'after 1h0m0s'),
      event(3, 'DELETE', 'now-1', 'maxBackups'),
      event(4, 'GONE', 'now-1', 'after 1h0m0s being deleted'),
      event(5, 'CREATE', 'odd', 'slot soon'),
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + DAY, title: 't' });
    assert.deepEqual(xmlProblems(svg), []);
    assert.match(svg, /<g class="ticks" fill="#5470c6">\n<\/g>/, 'no tick for a Backup without a readable slot');
    assert.ok(svg.includes('<g class="backup"><title>now-1\ncreated 2024-05-01T01:00:00Z\ncomplete after 1h0m0s at 2024-05-01T02:00:00Z\ndeleted 2024-05-01T03:00:00Z: maxBackups</title>'), svg);
  });

  it('puts a Backup created as another is deleted in that one’s lane', () => {
    const events: TimelineEvent[] = [
      event(1, 'CREATE', 'a', 'slot 2024-05-01T01:00:00Z'),
      event(2, 'DELETE', 'a', 'r'),
      event(2, 'CREATE', 'b', 'slot 2024-05-01T02:00:00Z'),
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + DAY, title: 't' });
    const tops = [...svg.matchAll(/<g class="backup"><title>(\w)\n[^<]*<\/title><rect x="[\d.]+" y="(\d+)"/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(tops, [['a', '112'], ['b', '112']]);
  });

  it('writes a Backup’s name on its bar only where the bar is wide enough for it', () => {
    // 928 px for 928 s: a pixel a second. A name of one letter takes 1 × 6 + 6 = 12 px.
    const events: TimelineEvent[] = [
      { at: FROM, kind: 'CREATE', name: 'a', detail: 'created' },
      { at: FROM + 12_000, kind: 'DELETE', name: 'a', detail: 'r' },
      { at: FROM + 100_000, kind: 'CREATE', name: 'b', detail: 'created' },
      { at: FROM + 111_000, kind: 'DELETE', name: 'b', detail: 'r' },
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + 928_000, title: 't' });
    assert.deepEqual([...svg.matchAll(/font-size="10">(\w)<\/text>/g)].map((m) => m[1]), ['a']);
  });

  it('keeps a character written as a surrogate pair, replaces a lone low surrogate, and escapes an apostrophe', () => {
    const events: TimelineEvent[] = [
      { at: FROM + HOUR, kind: 'CREATE', name: 'a\ud83d\ude00b', detail: 'slot 2024-05-01T01:00:00Z' },
      { at: FROM + 2 * HOUR, kind: 'DELETE', name: 'a\ud83d\ude00b', detail: "it's \udc00 gone" },
    ];
    const svg = timelineSvg(events, { from: FROM, to: FROM + DAY, title: 't' });
    assert.deepEqual(xmlProblems(svg), []);
    assert.ok(svg.includes('a\ud83d\ude00b deleted 2024-05-01T02:00:00Z: it&apos;s \ufffd gone'), svg);
  });

  it('is, as HTML, a page holding the picture without its XML declaration', () => {
    const options = { from: FROM, to: FROM + DAY, title: "ns/it's" };
    const svg = timelineSvg([], options);
    assert.equal(
      timelineHtml([], options),
      [
        '<!DOCTYPE html>',
        '<html lang="en">',
        '<head><meta charset="utf-8"><title>Preview of ns/it&apos;s</title></head>',
        '<body style="margin:16px;font-family:sans-serif">',
        '<h1 style="font-size:18px">Preview of ns/it&apos;s</h1>',
        '<p>Hover a bar or a deletion mark for details.</p>',
        svg.slice(svg.indexOf('\n') + 1).trimEnd(),
        '</body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('finds a broken document (the check can fail)', () => {
    assert.notDeepEqual(xmlProblems('<svg><text>a\u0001b</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><text>a\ud800</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><g></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg><text>a & b</text></svg>'), []);
    assert.notDeepEqual(xmlProblems('<svg x=1></svg>'), []);
  });
});
