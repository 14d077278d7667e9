/** Section 2: time per sync for 10 to 10,000 children in-process, and over HTTP next to the floor. */

import { load } from './load.js';
import type { ServerProcess } from './processes.js';
import { realisticRequest } from './requests.js';
import { median, percentile } from './stats.js';
import { syncPathAt } from './sync-path.js';
import { timeRounds } from './timer.js';

/** One size, in-process. */
export interface InProcessRow {
  children: number;
  bodyBytes: number;
  /** validate → decide → serialize, median ms per sync over the rounds. */
  syncMs: number;
  syncMinMs: number;
  /** JSON.parse of the body (not part of the sync path; what any hook pays), median ms. */
  parseMs: number;
  /** Microseconds of sync path per child. */
  perChildUs: number;
  /** Time relative to the previous size (10× the children). */
  growth: number | null;
  /** JSON.parse's time relative to the previous size: what the machine's memory hierarchy does to any pass over the data. */
  parseGrowth: number | null;
}

/**
 * inProcessScaling times the sync path for each size on requests already parsed, as the service runs it after
 * express.json: rounds of syncs alternating between two separately parsed copies of the body (so no string is
 * seen twice in a row), the collection of the sync path's own garbage included. JSON.parse is timed apart.
 */
export function inProcessScaling(sizes: readonly number[], options: { now: number; rounds: number; roundMs: number }): InProcessRow[] {
  const path = syncPathAt(options.now);
  const rows: InProcessRow[] = [];
  for (const children of sizes) {
    const body = JSON.stringify(realisticRequest(children, { now: options.now }));
    const parses: number[] = [];
    const copies = [0, 1, 2, 3, 4].map(() => {
      const start = performance.now();
      const parsed: unknown = JSON.parse(body);
      parses.push(performance.now() - start);
      return parsed;
    }).slice(0, 2); // five parses timed, two copies kept
    let turn = 0;
    const sync = timeRounds(
      () => {
        const start = performance.now();
        path(copies[turn++ % copies.length]);
        return performance.now() - start;
      },
      { rounds: options.rounds, roundMs: options.roundMs, warmup: { iterations: Math.max(5, 20_000 / children), maxMs: 3000 } },
    );
    const previous = rows[rows.length - 1];
    rows.push({
      children,
      bodyBytes: body.length,
      syncMs: sync.medianMs,
      syncMinMs: sync.minMs,
      parseMs: median(parses),
      perChildUs: (sync.medianMs * 1000) / children,
      growth: previous === undefined ? null : sync.medianMs / previous.syncMs,
      parseGrowth: previous === undefined ? null : median(parses) / previous.parseMs,
    });
  }
  return rows;
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
