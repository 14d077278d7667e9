/** Section 1: the service's throughput next to the floor's, same load, alternating rounds. */

import { load } from './load.js';
import type { LoadResult } from './load.js';
import type { ServerProcess } from './processes.js';
import { median } from './stats.js';

/** Options of {@link httpVsFloor}. */
export interface HttpVsFloorOptions {
  body: string;
  connections: number;
  durationSeconds: number;
  rounds: number;
}

/** Medians over the rounds for one server. */
export interface ServerFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server process's CPU time per request: what throughput would be on a core of its own. */
  cpuMsPerRequest: number;
}

/** One load run and the server CPU time it cost. */
interface Run extends LoadResult {
  cpuMsPerRequest: number;
}

/**
 * Section 1's result: both servers' medians, the median of the per-round ratios of requests/s, and the same
 * ratio from server CPU time per request (steadier when other processes share the cores).
 */
export interface HttpVsFloorResult {
  service: ServerFigures;
  floor: ServerFigures;
  ratio: number;
  roundRatios: number[];
  cpuRatio: number;
  connections: number;
  durationSeconds: number;
  rounds: number;
  bodyBytes: number;
}

/** httpVsFloor warms both servers up, then runs the rounds, alternating which server goes first. */
export async function httpVsFloor(servers: { service: ServerProcess; floor: ServerProcess }, options: HttpVsFloorOptions): Promise<HttpVsFloorResult> {
  const run = async (server: ServerProcess, durationSeconds: number): Promise<Run> => {
    const cpuBefore = server.cpuMs();
    const result = await load(server.url, { body: options.body, connections: options.connections, durationSeconds });
    return { ...result, cpuMsPerRequest: (server.cpuMs() - cpuBefore) / result.requests };
  };
  await run(servers.floor, 1);
  await run(servers.service, 1);
  const service: Run[] = [];
  const floor: Run[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      floor.push(await run(servers.floor, options.durationSeconds));
      service.push(await run(servers.service, options.durationSeconds));
    } else {
      service.push(await run(servers.service, options.durationSeconds));
      floor.push(await run(servers.floor, options.durationSeconds));
    }
  }
  const roundRatios = service.map((s, i) => s.requestsPerSecond / (floor[i]?.requestsPerSecond ?? NaN));
  const cpuRatios = service.map((s, i) => (floor[i]?.cpuMsPerRequest ?? NaN) / s.cpuMsPerRequest);
  return {
    service: figures(service),
    floor: figures(floor),
    ratio: median(roundRatios),
    roundRatios,
    cpuRatio: median(cpuRatios),
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    bodyBytes: Buffer.byteLength(options.body),
  };
}

function figures(results: readonly Run[]): ServerFigures {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    cpuMsPerRequest: median(results.map((r) => r.cpuMsPerRequest)),
  };
}
