/** Server processes of the bench: the built service and the bare express floor, each in its own process on loopback. */

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { freePort, processMemory } from './soak/service.js';

/** A server process under test. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Current and peak resident set size of the process, in MB (Linux /proc). */
  memory(): { rssMiB: number; peakRssMiB: number };
  /** CPU time (user + system) the process has used so far, in ms (Linux /proc, 10 ms resolution). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** The built service, as production runs it. */
export const SERVICE_ENTRY = join('dist', 'src', 'main.js');

/** startService forks the built service (`dist/src/main.js`, or `options.entry`) in production mode with logs at warn. */
export async function startService(options: { bodyLimitBytes: number; entry?: string; execArgv?: string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const child = fork(options.entry ?? SERVICE_ENTRY, [], {
    execArgv: options.execArgv ?? [],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      BODY_LIMIT_BYTES: String(options.bodyLimitBytes),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, child);
  return serverProcess('service', url, child);
}

/** startFloor forks the bare express echo server (bench/echo-server) in production mode. */
export async function startFloor(options: { bodyLimitBytes: number }): Promise<ServerProcess> {
  const child = fork(join(import.meta.dirname, 'echo-server.js'), [String(options.bodyLimitBytes)], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the echo server exited with ${code} before listening`)));
  });
  return serverProcess('floor', `http://127.0.0.1:${port}`, child);
}

function serverProcess(name: string, url: string, child: ChildProcess): ServerProcess {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start: no pid`);
  return {
    name,
    url,
    pid,
    memory: () => processMemory(pid),
    cpuMs: () => processCpuMs(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** processCpuMs reads utime + stime of a process from /proc/<pid>/stat, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}; run npm run build and check its stderr`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the service did not become ready at ${url} within 15s`);
}
