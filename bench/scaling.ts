/** Section 2: time per sync for 10 to 10,000 children in-process, and over HTTP next to the floor. */

import { load } from './load.js';
import type { ServerProcess } from './processes.js';
import { realisticRequest } from './requests.js';
import { pairedRatio, timeInterleaved } from './interleaved.js';
import type { Workload } from './interleaved.js';
import { median, percentile } from './stats.js';
import { answerAt, syncPathAt, taughtCopies } from './sync-path.js';
import { answerChunks } from '../src/core/answer-json.js';
import type { SyncResponse } from '../src/core/types.js';
import type { SyncPath } from './sync-path.js';

/** One size, in-process. */
export interface InProcessRow {
  children: number;
  bodyBytes: number;
  /** validate → decide → serialize, median over the rounds of the wall-clock ms per sync. */
  syncMs: number;
  syncMinMs: number;
  /** Median CPU ms per sync (steadier than wall time when other processes share the cores). */
  cpuMs: number;
  /** Median ms per sync in GC pauses (minor and major) during the timed batches. */
  gcMs: number;
  /** JSON.parse of the body (not part of the sync path; what any hook pays), median ms. */
  parseMs: number;
  /** Microseconds of sync path per child. */
  perChildUs: number;
  /** Wall time relative to the previous size (10× the children): median of the ratios of the same rounds. */
  growth: number | null;
  /** The same by CPU time. */
  cpuGrowth: number | null;
  /** JSON.parse's time relative to the previous size: what the machine's memory hierarchy does to any pass over the data. */
  parseGrowth: number | null;
  /** Serializing the answer alone (decided beforehand; `answerChunks`, as the service does), median ms. */
  serializeMs: number;
  /** The same relative to the previous size, median of the same rounds' ratios. */
  serializeGrowth: number | null;
}

/** The second-largest size timed again with its input out of the CPU's cache, as the largest size's always is. */
export interface ColdReference {
  children: number;
  /** Parsed copies of its request used in turn, together about as large as two copies of the largest request. */
  copies: number;
  syncMs: number;
  cpuMs: number;
  perChildUs: number;
  /** The largest size's time over this one's, median of the same rounds' ratios (wall, and CPU). */
  growth: number;
  cpuGrowth: number;
}

/** What section 2 measured in-process. */
export interface InProcessResult {
  rounds: number;
  rows: InProcessRow[];
  cold: ColdReference | null;
}

/** Children in the parsed copies the cold reference cycles through: as many as two copies of a 10,000-child request (17–30 MB of objects each). */
const COLD_FOOTPRINT_CHILDREN = 20_000;

/**
 * inProcessScaling times the sync path for each size on requests already parsed, as the service runs it after
 * express.json, with JSON.parse timed apart. All sizes are timed side by side in interleaved rounds (see
 * {@link timeInterleaved}); growth is the median of the ratios of the same rounds. Each size alternates two
 * parsed copies of its body, after a third has taught the hook its Backups' applied configurations and been
 * dropped: so, as with a fresh request, no string the hook remembers is the one it is handed and every kept
 * Backup's configuration text is compared in full. Two copies of 1,000 children (2–3 MB of objects each) stay in the
 * 32 MB last-level cache between syncs, as a request just parsed is; two of 10,000 (17–30 MB each) cannot. The cold
 * reference times the second-largest size again on enough copies that its input, too, has left the cache.
 */
export async function inProcessScaling(sizes: readonly number[], options: { now: number; rounds: number; roundMs: number }): Promise<InProcessResult> {
  const path = syncPathAt(options.now);
  const bodies = sizes.map((children) => ({ children, body: JSON.stringify(realisticRequest(children, { now: options.now })) }));
  const parses = bodies.map(({ body }) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      JSON.parse(body);
      times.push(performance.now() - start);
    }
    return median(times);
  });
  const workloads: Workload[] = bodies.map(({ children, body }) => workloadOf(`${children}`, { path, body, children, copies: 2 }));
  const answer = answerAt(options.now);
  const serializing = bodies.map(({ children, body }) => serializeWorkload({ answer, body, children }));
  const coldSize = bodies[bodies.length - 2];
  const largest = bodies[bodies.length - 1];
  const coldCopies = coldSize === undefined || largest === undefined ? 0 : Math.ceil(COLD_FOOTPRINT_CHILDREN / coldSize.children);
  if (coldSize !== undefined) workloads.push(workloadOf(`${coldSize.children} cold`, { ...coldSize, path, copies: coldCopies }));
  (globalThis as { gc?: () => void }).gc?.(); // the requests' construction is nobody's garbage: start the rounds from a collected heap
  const times = await timeInterleaved([...workloads, ...serializing], { rounds: options.rounds, roundMs: options.roundMs });
  const serializeTimes = times.slice(workloads.length);
  const rows: InProcessRow[] = [];
  bodies.forEach(({ children, body }, i) => {
    const t = times[i];
    if (t === undefined) return;
    const before = i > 0 ? times[i - 1] : undefined;
    const serialize = serializeTimes[i];
    const serializeBefore = i > 0 ? serializeTimes[i - 1] : undefined;
    const syncMs = median(t.wallMs);
    rows.push({
      children,
      bodyBytes: body.length,
      syncMs,
      syncMinMs: Math.min(...t.wallMs),
      cpuMs: median(t.cpuMs),
      gcMs: median(t.gcMs),
      parseMs: parses[i] ?? 0,
      perChildUs: (syncMs * 1000) / children,
      growth: before === undefined ? null : pairedRatio(t.wallMs, before.wallMs),
      cpuGrowth: before === undefined ? null : pairedRatio(t.cpuMs, before.cpuMs),
      parseGrowth: i > 0 ? (parses[i] ?? 0) / (parses[i - 1] ?? 1) : null,
      serializeMs: serialize === undefined ? 0 : median(serialize.wallMs),
      serializeGrowth: serialize === undefined || serializeBefore === undefined ? null : pairedRatio(serialize.wallMs, serializeBefore.wallMs),
    });
  });
  const coldTimes = times[bodies.length];
  const largestTimes = times[bodies.length - 1];
  const cold =
    coldSize === undefined || coldTimes === undefined || largestTimes === undefined
      ? null
      : {
          children: coldSize.children,
          copies: coldCopies,
          syncMs: median(coldTimes.wallMs),
          cpuMs: median(coldTimes.cpuMs),
          perChildUs: (median(coldTimes.wallMs) * 1000) / coldSize.children,
          growth: pairedRatio(largestTimes.wallMs, coldTimes.wallMs),
          cpuGrowth: pairedRatio(largestTimes.cpuMs, coldTimes.cpuMs),
        };
  return { rounds: options.rounds, rows, cold };
}

/** A workload syncing parsed copies of `body` in turn, after one more copy has filled the hook's memory and gone. */
function workloadOf(name: string, options: { path: SyncPath; body: string; children: number; copies: number }): Workload {
  const { path, body } = options;
  const copies = taughtCopies(path, { body, count: options.copies });
  let turn = 0;
  const warmup = { iterations: Math.max(5, 20_000 / options.children), maxMs: 3000 };
  return { name, run: () => void path(copies[turn++ % copies.length]), warmup };
}

/**
 * A workload serializing the answer to `body` alone: each answer is decided once (by the sync path's own steps, so it
 * holds the same remembered kept forms the service serializes), then only `answerChunks` is timed, two answers in turn.
 */
function serializeWorkload(options: { answer: (body: unknown) => SyncResponse; body: string; children: number }): Workload {
  const first = options.answer(JSON.parse(options.body));
  const second = options.answer(JSON.parse(options.body));
  let turn = 0;
  const warmup = { iterations: Math.max(5, 20_000 / options.children), maxMs: 3000 };
  return { name: `${options.children} answer`, run: () => void answerChunks(turn++ % 2 === 0 ? first : second), warmup };
}

/** Latency of one server at one size, and its CPU time per request. */
export interface HttpFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerRequest: number;
}

/** One size over HTTP, one connection, service next to the floor. */
export interface HttpRow {
  children: number;
  requests: number;
  service: HttpFigures;
  floor: HttpFigures;
  /** Floor p50 / service p50: 1 means the service costs no more than the floor. */
  ratio: number;
}

/** httpScaling sends each size one request at a time, alternating between the servers in blocks. */
export async function httpScaling(
  servers: { service: ServerProcess; floor: ServerProcess },
  options: { sizes: readonly number[]; now: number; requests: (children: number) => number },
): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  for (const children of options.sizes) {
    const body = JSON.stringify(realisticRequest(children, { now: options.now }));
    const amount = options.requests(children);
    const block = Math.max(1, Math.floor(amount / 4));
    await load(servers.service.url, { body, connections: 1, amount: 2 });
    await load(servers.floor.url, { body, connections: 1, amount: 2 });
    const service: Samples = { latencies: [], cpuMs: 0 };
    const floor: Samples = { latencies: [], cpuMs: 0 };
    for (let sent = 0; sent < amount; sent += block) {
      await sample(servers.service, { body, amount: block, into: service });
      await sample(servers.floor, { body, amount: block, into: floor });
    }
    const s = summarize(service);
    const f = summarize(floor);
    rows.push({ children, requests: service.latencies.length, service: s, floor: f, ratio: f.p50Ms / s.p50Ms });
  }
  return rows;
}

/** Latencies and server CPU time collected over several blocks of requests. */
interface Samples {
  latencies: number[];
  cpuMs: number;
}

async function sample(server: ServerProcess, options: { body: string; amount: number; into: Samples }): Promise<void> {
  const cpuBefore = server.cpuMs();
  const result = await load(server.url, { body: options.body, connections: 1, amount: options.amount });
  options.into.cpuMs += server.cpuMs() - cpuBefore;
  options.into.latencies.push(...result.samples);
}

function summarize(samples: Samples): HttpFigures {
  const { latencies } = samples;
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    cpuMsPerRequest: samples.cpuMs / latencies.length,
  };
}
