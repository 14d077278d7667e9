/**
 * `npm run bench`: every section of issue 7 in one run on loopback, medians of rounds, compared figures side by
 * side. Prints Markdown on stdout and writes bench/results/latest.json. `--only=http,scaling,slots,memory,sizing`
 * runs a subset while working on one figure; `--service=<main.js>` serves another build (a before/after comparison).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { capacity } from './capacity.js';
import { httpVsFloor } from './http-vs-floor.js';
import { memoryUnderSyncs } from './memory.js';
import { startFloor, startService } from './processes.js';
import { renderReport } from './report.js';
import type { Goal, Results } from './report.js';
import { realisticRequest } from './requests.js';
import { httpScaling, inProcessScaling } from './scaling.js';
import { SLOT_NOW, measureSlots } from './slots.js';
import { slotImplementations } from './slot-implementations.js';

const SECTIONS = ['http', 'scaling', 'slots', 'memory', 'sizing'] as const;
type Section = (typeof SECTIONS)[number];

/** The heap cap docs/performance.md recommends (NODE_OPTIONS=--max-old-space-size) under a 512 Mi memory limit. */
const SIZING_MAX_OLD_SPACE_MB = 256;

/** Largest body either server accepts: room for 10,000 children of about 2.6 KB. */
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

const { values } = parseArgs({ options: { only: { type: 'string' }, service: { type: 'string' } } });
const serviceEntry = values.service === undefined ? {} : { entry: values.service };
const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const s of only) {
  if (!SECTIONS.includes(s as Section)) throw new Error(`unknown section "${s}"; choose from ${SECTIONS.join(', ')}`);
}
const runs = (s: Section): boolean => only.has(s);

const started = performance.now();
const loadStart = loadavg()[0] ?? 0;
const now = Date.now();
const results: Omit<Results, 'machine' | 'goals'> = {};

if (runs('scaling')) {
  log('scaling in-process: 10 … 10,000 children');
  results.inProcess = await inProcessScaling([10, 100, 1000, 10_000], { now, rounds: 11, roundMs: 200 });
}
if (runs('slots')) {
  log('slot computation: 5 expressions × 3 gaps, checked against the brute-force reference');
  results.slots = measureSlots(slotImplementations(), { now: SLOT_NOW, rounds: 9, roundMs: 30 });
}
if (runs('http') || runs('scaling')) {
  const service = await startService({ bodyLimitBytes: BODY_LIMIT_BYTES, ...serviceEntry });
  const floor = await startFloor({ bodyLimitBytes: BODY_LIMIT_BYTES });
  try {
    if (runs('http')) {
      log('HTTP vs the floor: 100 children, 10 connections, 8 alternating rounds of 2 s each');
      const body = JSON.stringify(realisticRequest(100, { now }));
      results.httpVsFloor = await httpVsFloor({ service, floor }, { body, connections: 10, durationSeconds: 2, rounds: 8 });
    }
    if (runs('scaling')) {
      log('scaling over HTTP: 1,000 and 10,000 children, one connection');
      results.http = await httpScaling({ service, floor }, { sizes: [1000, 10_000], now, requests: (children) => (children >= 10_000 ? 20 : 60) });
    }
  } finally {
    await Promise.all([service.stop(), floor.stop()]);
  }
}
if (runs('sizing')) {
  log('sizing: 5 concurrent 1,000- and 10,000-child syncs, each on a fresh service (10,000 also with the old space capped)');
  results.capacity = [];
  const runs = [
    { children: 1000, perConnection: 40 },
    { children: 10_000, perConnection: 6 },
    { children: 10_000, perConnection: 6, maxOldSpaceMb: SIZING_MAX_OLD_SPACE_MB },
  ];
  for (const run of runs) {
    results.capacity.push(await capacity({ ...run, connections: 5, now, bodyLimitBytes: BODY_LIMIT_BYTES, ...serviceEntry }));
  }
}
if (runs('memory')) {
  log('memory: 10,000 syncs of the 1,000-child request in a clean process');
  results.memory = await memoryUnderSyncs({ children: 1000, syncs: 10_000 });
}

const cpu = cpus();
const report: Results = {
  machine: {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
    seconds: (performance.now() - started) / 1000,
  },
  ...results,
  goals: goals(results),
};
mkdirSync(join('bench', 'results'), { recursive: true });
writeFileSync(join('bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(renderReport(report));

function goals(r: Omit<Results, 'machine' | 'goals'>): Goal[] {
  const list: Goal[] = [];
  if (r.httpVsFloor !== undefined) {
    const { ratio, cpuRatio } = r.httpVsFloor;
    list.push({ goal: 'HTTP requests/s ≥ 0.85 × the floor', measured: `${ratio.toFixed(2)} (by server CPU: ${cpuRatio.toFixed(2)})`, met: ratio >= 0.85 });
  }
  if (r.inProcess !== undefined) {
    const { rows, cold } = r.inProcess;
    const big = rows.find((row) => row.children === 10_000);
    if (big !== undefined) list.push({ goal: '10,000 children < 50 ms per sync', measured: `${big.syncMs.toFixed(1)} ms`, met: big.syncMs < 50 });
    const worst = rows.reduce((a, b) => ((b.growth ?? 0) > (a.growth ?? 0) ? b : a));
    const growth = worst.growth ?? 0;
    const coldNote = cold === null ? '' : `; with the ${cold.children.toLocaleString('en-US')}-child input out of cache too: ${cold.growth.toFixed(2)}×`;
    const small = r.http?.find((row) => row.children === 1000);
    const large = r.http?.find((row) => row.children === 10_000);
    const httpNote =
      small === undefined || large === undefined
        ? ''
        : `; over HTTP, parsing included, service CPU per request ${(large.service.cpuMsPerRequest / small.service.cpuMsPerRequest).toFixed(2)}× ` +
          `(floor ${(large.floor.cpuMsPerRequest / small.floor.cpuMsPerRequest).toFixed(2)}×)`;
    const measured =
      `worst ${growth.toFixed(2)}× (to ${worst.children.toLocaleString('en-US')}; by CPU time ${(worst.cpuGrowth ?? 0).toFixed(2)}×; ` +
      `JSON.parse there: ${(worst.parseGrowth ?? 0).toFixed(2)}×; serializing the answer alone: ${(worst.serializeGrowth ?? 0).toFixed(2)}×${coldNote}${httpNote})`;
    list.push({ goal: '10× children ≤ 12× time', measured, met: growth <= 12 });
  }
  if (r.slots !== undefined) {
    list.push({ goal: 'every slot case < 1 ms', measured: `worst ${r.slots.worstOursUs.toFixed(1)} µs`, met: r.slots.worstOursUs < 1000 });
    const growth = `worst ${r.slots.worstGapGrowth.toFixed(2)}× (upstream's port: ${r.slots.worstUpstreamGapGrowth.toFixed(0)}×)`;
    list.push({ goal: 'slot time not growing with the gap (2 years ÷ 1 hour ≤ 3, noise of sub-µs calls)', measured: growth, met: r.slots.worstGapGrowth <= 3 });
  }
  if (r.memory !== undefined) {
    const first = r.memory.readings[0];
    const last = r.memory.readings[r.memory.readings.length - 1];
    if (first !== undefined && last !== undefined) {
      const growth = last.heapUsedMb - first.heapUsedMb;
      list.push({ goal: 'no heap growth over 10,000 syncs (< 1 MB)', measured: `${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB`, met: growth < 1 });
      list.push({ goal: 'RSS < 150 MB', measured: `${last.rssMb.toFixed(0)} MB`, met: last.rssMb < 150 });
    }
  }
  return list;
}

function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`);
}
