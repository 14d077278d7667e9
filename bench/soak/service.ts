/** The built service (`dist/src/main.js`) as a child process on loopback: its URL, memory and log lines. */

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A running service process. */
export interface ServiceProcess {
  url: string;
  port: number;
  pid: number;
  /** Resident set size now and at its peak, in MiB (Linux /proc). */
  memory(): { rssMiB: number; peakRssMiB: number };
  /** Every log line the service wrote to stdout so far. */
  lines: string[];
  /** Log lines at error level or above so far. */
  errorLines(): string[];
  /** Sends SIGTERM without waiting. */
  terminate(): void;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** startBuiltService forks `dist/src/main.js` with the environment given (PORT and HOST are set here) and waits for /readyz. */
export async function startBuiltService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = fork(join('dist', 'src', 'main.js'), [], {
    env: { ...process.env, NODE_ENV: 'production', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined || child.stdout === null) throw new Error('the service did not start: no pid');
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (attempt > 200) throw new Error('the service was not ready within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port,
    pid,
    memory: () => processMemory(pid),
    lines,
    errorLines: () => lines.filter(isErrorLine),
    terminate: () => child.kill('SIGTERM'),
    exited,
  };
}

/** isErrorLine tells whether a pino line is at error level or above (numeric or string levels). */
export function isErrorLine(line: string): boolean {
  const level = /"level":("?)(\w+)\1/.exec(line)?.[2];
  return level === 'error' || level === 'fatal' || Number(level) >= 50;
}

/** processMemory reads VmRSS and VmHWM (peak RSS) of a process from /proc, in MiB. */
export function processMemory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** freePort asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
