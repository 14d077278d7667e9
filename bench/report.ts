/** The bench's report: one Markdown document for stdout (and docs/performance.md), built from the results. */

import type { CapacityResult } from './capacity.js';
import type { HttpVsFloorResult } from './http-vs-floor.js';
import type { MemoryReport } from './memory.js';
import type { HttpRow, InProcessResult } from './scaling.js';
import type { SlotsResult } from './slots.js';

/** The machine and run a report came from. */
export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  /** 1-minute load average at the start and end of the run (other processes share the cores). */
  loadAverage: { start: number; end: number };
  seconds: number;
}

/** A goal of issue 7 and whether this run met it. */
export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

/** Everything one run measured; sections not run are absent. */
export interface Results {
  machine: Machine;
  httpVsFloor?: HttpVsFloorResult;
  inProcess?: InProcessResult;
  http?: HttpRow[];
  slots?: SlotsResult;
  memory?: MemoryReport;
  capacity?: CapacityResult[];
  goals: Goal[];
}

const f = (value: number, digits = 2): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const n = (value: number): string => value.toLocaleString('en-US');
const kb = (bytes: number): string => `${f(bytes / 1024, 0)} KB`;

/** renderReport renders the results as Markdown tables, one per section, then the goals. */
export function renderReport(results: Results): string {
  const m = results.machine;
  const out: string[] = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${f(m.memoryGb, 0)} GB, ${m.os}, Node ${m.node}; ${m.date}; ` +
      `load average ${f(m.loadAverage.start)} → ${f(m.loadAverage.end)}; run took ${f(m.seconds, 0)} s.`,
    '',
  ];
  if (results.httpVsFloor !== undefined) out.push(...httpSection(results.httpVsFloor));
  if (results.inProcess !== undefined || results.http !== undefined) out.push(...scalingSection(results.inProcess, results.http ?? []));
  if (results.slots !== undefined) out.push(...slotsSection(results.slots));
  if (results.memory !== undefined) out.push(...memorySection(results.memory));
  if (results.capacity !== undefined) out.push(...capacitySection(results.capacity));
  out.push('#### Goals', '', '| goal | measured | met |', '|---|---|---|');
  for (const g of results.goals) out.push(`| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`);
  return `${out.join('\n')}\n`;
}

function httpSection(r: HttpVsFloorResult): string[] {
  return [
    `#### 1. HTTP throughput vs the floor (100 children, ${kb(r.bodyBytes)} body, ${r.connections} connections, median of ${r.rounds} × ${r.durationSeconds} s rounds)`,
    '',
    '| server | requests/s | p50 ms | p99 ms | server CPU ms per request |',
    '|---|---:|---:|---:|---:|',
    `| floor: bare express, parse + echo children | ${f(r.floor.requestsPerSecond, 0)} | ${f(r.floor.p50Ms)} | ${f(r.floor.p99Ms)} | ${f(r.floor.cpuMsPerRequest, 3)} |`,
    `| service (dist, production, LOG_LEVEL=warn) | ${f(r.service.requestsPerSecond, 0)} | ${f(r.service.p50Ms)} | ${f(r.service.p99Ms)} | ${f(r.service.cpuMsPerRequest, 3)} |`,
    `| **ratio service / floor** (median of paired rounds) | **${f(r.ratio)}** | | | **${f(r.cpuRatio)}** (floor CPU / service CPU) |`,
    '',
  ];
}

function scalingSection(inProcess: InProcessResult | undefined, http: readonly HttpRow[]): string[] {
  const out: string[] = [];
  if (inProcess !== undefined) {
    const { rows, cold } = inProcess;
    const x = (value: number | null): string => (value === null ? '' : f(value));
    out.push(
      `#### 2. Scaling in-process: validate → decide → serialize (all sizes side by side in ${inProcess.rounds} interleaved rounds; medians; JSON.parse of the body, and serializing the answer alone, shown apart)`,
      '',
      '| children | body | sync ms | CPU ms | µs per child | × previous size | × previous, by CPU | GC ms per sync | JSON.parse ms | JSON.parse × previous size | answer serialized ms | its × previous size |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${n(r.children)} | ${kb(r.bodyBytes)} | ${f(r.syncMs, 3)} | ${f(r.cpuMs, 3)} | ${f(r.perChildUs)} | ${x(r.growth)} | ${x(r.cpuGrowth)} | ` +
          `${f(r.gcMs, 3)} | ${f(r.parseMs, 3)} | ${x(r.parseGrowth)} | ${f(r.serializeMs, 3)} | ${x(r.serializeGrowth)} |`,
      ),
      '',
    );
    if (cold !== null) {
      out.push(
        `Same rounds, ${n(cold.children)} children with the input out of the CPU's cache (${cold.copies} parsed copies in turn, as large together as ` +
          `two of the largest request): ${f(cold.syncMs, 3)} ms per sync (CPU ${f(cold.cpuMs, 3)}), ${f(cold.perChildUs)} µs per child; the largest size ` +
          `takes **${f(cold.growth)}×** its time (by CPU ${f(cold.cpuGrowth)}×).`,
        '',
      );
    }
  }
  if (http.length > 0) {
    out.push(
      '#### 2. Scaling over HTTP, one connection, service next to the floor (ms)',
      '',
      '| children | requests | service p50 | service p99 | service CPU per request | floor p50 | floor p99 | floor CPU per request | floor p50 / service p50 |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...http.map(
        (r) =>
          `| ${n(r.children)} | ${r.requests} | ${f(r.service.p50Ms, 1)} | ${f(r.service.p99Ms, 1)} | ${f(r.service.cpuMsPerRequest, 1)} | ` +
          `${f(r.floor.p50Ms, 1)} | ${f(r.floor.p99Ms, 1)} | ${f(r.floor.cpuMsPerRequest, 1)} | ${f(r.ratio)} |`,
      ),
      '',
    );
  }
  return out;
}

function slotsSection(r: SlotsResult): string[] {
  return [
    `#### 3. Most recent slot after the watermark, at or before now (now = ${r.now}; median µs per call; results checked against the brute-force reference)`,
    '',
    '| expression | gap | slot (= reference) | ours µs | upstream iterate-next() µs | upstream next() calls |',
    '|---|---|---|---:|---:|---:|',
    ...r.rows.map(
      (row) =>
        `| \`${row.expression}\` | ${row.gap} | ${row.slot ?? 'none'} | ${f(row.oursUs)} | ${f(row.upstreamUs)} | ${n(row.upstreamNextCalls)}${row.upstreamTooMany ? ' (gives up: > 1,000 ticks, runs nothing)' : ''} |`,
    ),
    '',
  ];
}

function memorySection(r: MemoryReport): string[] {
  return [
    `#### 4. Memory of a clean process syncing the ${n(r.children)}-child request (after a full GC)`,
    '',
    '| after | heap used MB | RSS MB |',
    '|---|---:|---:|',
    ...r.readings.map((x) => `| ${x.syncs === 0 ? 'warm-up' : `${n(x.syncs)} syncs`} | ${f(x.heapUsedMb, 1)} | ${f(x.rssMb, 1)} |`),
    '',
  ];
}

function capacitySection(rows: readonly CapacityResult[]): string[] {
  return [
    "#### Sizing: 5 concurrent syncs (Metacontroller's worker count) on a fresh service, from its first request",
    '',
    '| children | V8 old space | requests | idle RSS MB | peak RSS MB | p50 ms | p99 ms | max ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${n(r.children)} | ${r.maxOldSpaceMb === null ? 'default' : `--max-old-space-size=${r.maxOldSpaceMb}`} | ${r.requests} | ${f(r.idleRssMb, 0)} | ${f(r.peakRssMb, 0)} | ${f(r.p50Ms, 0)} | ${f(r.p99Ms, 0)} | ${f(r.maxMs, 0)} |`,
    ),
    '',
  ];
}
