/**
 * The preview's timeline as a picture: one bar per Backup (running, then complete or failed) packed into lanes,
 * the schedule's ticks, deletions marked with their reasons (tooltips and a legend), over the preview's window.
 * Plain string-built SVG from the same events the text preview prints.
 */

import { formatTime } from '../core/time.js';
import type { TimelineEvent } from '../sim/recorder.js';

/** Options of {@link timelineSvg}. */
export interface TimelineSvgOptions {
  /** Start of the window (epoch ms). */
  from: number;
  /** End of the window (epoch ms). */
  to: number;
  /** The heading, e.g. the schedule's namespace/name. */
  title: string;
}

/** The life of one Backup as the events tell it. */
interface Bar {
  name: string;
  createdAt: number;
  slot: string;
  finishedAt: number | null;
  finish: 'complete' | 'failed' | null;
  finishDetail: string;
  deletedAt: number | null;
  reason: string;
  lane: number;
}

const COLORS = { running: '#f2b134', complete: '#3a9a5b', failed: '#d6453d', deleted: '#222222', tick: '#5470c6' } as const;
const WIDTH = 960;
const MARGIN = 16;
const LANE = 18;
const LANE_GAP = 6;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AXIS_STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 364 * DAY];

/** timelineSvg renders preview events over a window as a standalone SVG document. */
export function timelineSvg(events: readonly TimelineEvent[], options: TimelineSvgOptions): string {
  const { from, to } = options;
  if (!(to > from)) throw new Error('the window is empty; give --for a positive length such as 30d');
  const bars = barsOf(events);
  const lanes = Math.max(1, ...bars.map((b) => b.lane + 1));
  const plotW = WIDTH - 2 * MARGIN;
  const x = (t: number): number => round(MARGIN + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * plotW);
  const reasons = countReasons(bars);
  const legendTop = 34;
  const legendH = 20 + 16 * reasons.length;
  const axisTop = legendTop + legendH + 8;
  const ticksTop = axisTop + 18;
  const lanesTop = ticksTop + 16;
  const height = lanesTop + lanes * (LANE + LANE_GAP) + MARGIN;

  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`${options.title}: ${formatTime(from)} to ${formatTime(to)}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="22" font-size="14" font-weight="bold">${esc(options.title)}</text>`,
    `<text x="${WIDTH - MARGIN}" y="22" text-anchor="end">${esc(`${formatTime(from)} → ${formatTime(to)}`)}</text>`,
    legend(legendTop, reasons),
    axis({ from, to, x, top: axisTop, bottom: height - MARGIN }),
    scheduleTicks(bars, { x, top: ticksTop }),
    ...bars.map((bar) => barSvg(bar, { x, to, top: lanesTop + bar.lane * (LANE + LANE_GAP) })),
    `</svg>`,
  ];
  return `${parts.filter((p) => p !== '').join('\n')}\n`;
}

/** timelineHtml wraps {@link timelineSvg} in a small HTML page. */
export function timelineHtml(events: readonly TimelineEvent[], options: TimelineSvgOptions): string {
  const svg = timelineSvg(events, options).replace(/^<\?xml[^>]*\?>\n/, '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>' + esc(`Preview of ${options.title}`) + '</title></head>',
    '<body style="margin:16px;font-family:sans-serif">',
    `<h1 style="font-size:18px">${esc(`Preview of ${options.title}`)}</h1>`,
    '<p>Hover a bar or a deletion mark for details.</p>',
    svg.trimEnd(),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** barsOf folds the events into one bar per Backup, packed into the lowest lane free when it is created. */
function barsOf(events: readonly TimelineEvent[]): Bar[] {
  const bars = new Map<string, Bar>();
  for (const e of events) {
    const bar = bars.get(e.name);
    if (e.kind === 'CREATE') {
      bars.set(e.name, { name: e.name, createdAt: e.at, slot: e.detail.startsWith('slot ') ? e.detail.slice(5) : '', finishedAt: null, finish: null, finishDetail: '', deletedAt: null, reason: '', lane: 0 });
    } else if (bar !== undefined && (e.kind === 'COMPLETE' || e.kind === 'FAIL' || e.kind === 'INVALID')) {
      bar.finishedAt = e.at;
      bar.finish = e.kind === 'COMPLETE' ? 'complete' : 'failed';
      bar.finishDetail = `${e.kind === 'INVALID' ? 'invalid' : bar.finish} ${e.detail}`;
    } else if (bar !== undefined && e.kind === 'DELETE') {
      bar.deletedAt = e.at;
      bar.reason = e.detail;
    }
  }
  const laneEnds: number[] = [];
  for (const bar of bars.values()) {
    const free = laneEnds.findIndex((end) => end <= bar.createdAt);
    bar.lane = free === -1 ? laneEnds.length : free;
    laneEnds[bar.lane] = bar.deletedAt ?? Number.POSITIVE_INFINITY;
  }
  return [...bars.values()];
}

function countReasons(bars: readonly Bar[]): Array<{ reason: string; count: number }> {
  const counts = new Map<string, number>();
  for (const bar of bars) if (bar.deletedAt !== null) counts.set(bar.reason, (counts.get(bar.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count }));
}

function legend(top: number, reasons: ReadonlyArray<{ reason: string; count: number }>): string {
  const items: Array<[string, string]> = [
    ['running', COLORS.running],
    ['complete', COLORS.complete],
    ['failed', COLORS.failed],
  ];
  const parts = [`<g class="legend">`];
  let left = MARGIN;
  for (const [label, color] of items) {
    parts.push(`<rect x="${left}" y="${top}" width="14" height="10" fill="${color}"/><text x="${left + 18}" y="${top + 9}">${label}</text>`);
    left += 90;
  }
  parts.push(`${deletionMark(left + 5, top + 5)}<text x="${left + 14}" y="${top + 9}">deleted</text>`);
  left += 90;
  parts.push(`<path d="M${left} ${top} l5 8 l5 -8 z" fill="${COLORS.tick}"/><text x="${left + 14}" y="${top + 9}">schedule tick</text>`);
  reasons.forEach(({ reason, count }, i) => {
    const y = top + 30 + 16 * i;
    parts.push(`${deletionMark(MARGIN + 5, y - 4)}<text x="${MARGIN + 16}" y="${y}">${esc(`deleted: ${reason} (${count})`)}</text>`);
  });
  parts.push(`</g>`);
  return parts.join('\n');
}

function axis(o: { from: number; to: number; x: (t: number) => number; top: number; bottom: number }): string {
  const step = AXIS_STEPS.find((s) => (o.to - o.from) / s <= 12) ?? AXIS_STEPS[AXIS_STEPS.length - 1]!;
  const parts = [`<g class="axis" stroke="#dddddd">`, `<line x1="${MARGIN}" y1="${o.top + 4}" x2="${WIDTH - MARGIN}" y2="${o.top + 4}" stroke="#999999"/>`];
  for (let t = Math.ceil(o.from / step) * step; t <= o.to; t += step) {
    const iso = formatTime(t);
    const label = step >= DAY ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    parts.push(`<line x1="${o.x(t)}" y1="${o.top + 4}" x2="${o.x(t)}" y2="${o.bottom}"/><text x="${o.x(t) + 2}" y="${o.top}" stroke="none" fill="#555555" font-size="10">${label}</text>`);
  }
  parts.push(`</g>`);
  return parts.join('\n');
}

function scheduleTicks(bars: readonly Bar[], o: { x: (t: number) => number; top: number }): string {
  const parts = [`<g class="ticks" fill="${COLORS.tick}">`];
  for (const bar of bars) {
    if (bar.slot === '') continue;
    const at = Date.parse(bar.slot);
    if (Number.isNaN(at)) continue;
    parts.push(`<path d="M${o.x(at) - 4} ${o.top} l4 8 l4 -8 z"><title>${esc(`tick ${bar.slot}`)}</title></path>`);
  }
  parts.push(`</g>`);
  return parts.join('\n');
}

function barSvg(bar: Bar, o: { x: (t: number) => number; to: number; top: number }): string {
  const end = bar.deletedAt ?? o.to;
  const runEnd = bar.finishedAt ?? end;
  const lines = [`${bar.name}`, bar.slot === '' ? '' : `slot ${bar.slot}`, `created ${formatTime(bar.createdAt)}`];
  if (bar.finishedAt !== null) lines.push(`${bar.finishDetail} at ${formatTime(bar.finishedAt)}`);
  if (bar.deletedAt !== null) lines.push(`deleted ${formatTime(bar.deletedAt)}: ${bar.reason}`);
  const parts = [`<g class="backup"><title>${esc(lines.filter((l) => l !== '').join('\n'))}</title>`];
  parts.push(segment(o.x(bar.createdAt), o.x(runEnd), o.top, COLORS.running));
  if (bar.finishedAt !== null && bar.finish !== null) parts.push(segment(o.x(bar.finishedAt), o.x(end), o.top, COLORS[bar.finish]));
  const x0 = o.x(bar.createdAt);
  if (o.x(end) - x0 >= bar.name.length * 6 + 6) parts.push(`<text x="${x0 + 3}" y="${o.top + 13}" fill="#ffffff" font-size="10">${esc(bar.name)}</text>`);
  parts.push(`</g>`);
  if (bar.deletedAt !== null) {
    parts.push(`<g class="deletion">${deletionMark(o.x(bar.deletedAt), o.top + LANE / 2)}<title>${esc(`${bar.name} deleted ${formatTime(bar.deletedAt)}: ${bar.reason}`)}</title></g>`);
  }
  return parts.join('');
}

function segment(x1: number, x2: number, top: number, color: string): string {
  return `<rect x="${x1}" y="${top}" width="${round(Math.max(1, x2 - x1))}" height="${LANE}" fill="${color}"/>`;
}

function deletionMark(cx: number, cy: number): string {
  return `<path d="M${cx - 4} ${cy - 4} l8 8 m0 -8 l-8 8" stroke="${COLORS.deleted}" stroke-width="2.5"/>`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Characters XML 1.0 does not allow in a document at all (control characters, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** esc escapes text for XML character data and attribute values; characters XML cannot hold become U+FFFD. */
function esc(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
