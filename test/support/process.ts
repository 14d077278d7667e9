/** The real service as a child process (`node --import tsx src/main.ts`), its port read from the startup log line. */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running service process. */
export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON log line so far. */
  lines: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  stderr(): string;
  /** Resolves once a log line with this `msg` was written. */
  logged(msg: string): Promise<Record<string, unknown>>;
}

/** The exit of a process that failed to start. */
export interface FailedStart {
  code: number | string;
  stderr: string;
}

/** Variables added to the test's environment; undefined removes one (PORT=0 and HOST=127.0.0.1 are set unless removed). */
export type Environment = Record<string, string | undefined>;

function withoutUnset(env: Environment): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Where the service's entry point is: the source file, or another path to it (a symlink, say). */
export interface LaunchOptions {
  script?: string;
}

function launch(env: Environment, options: LaunchOptions = {}): { child: ChildProcess; exited: Promise<number | string>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'src/main.ts'], {
    cwd: ROOT,
    env: withoutUnset({ ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? String(signal));
  return { child, exited, stderr: () => stderr };
}

/** startProcess starts the service with PORT=0 and extra environment variables; resolves once it listens. */
export async function startProcess(env: Environment = {}, options: LaunchOptions = {}): Promise<ServiceProcess> {
  const { child, exited, stderr } = launch(env, options);
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.msg === line['msg'])) w.resolve(line);
    }
  });
  const logged = (msg: string): Promise<Record<string, unknown>> => {
    const seen = lines.find((l) => l['msg'] === msg);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ msg, resolve });
      void exited.then(() => reject(new Error(`the service exited before logging "${msg}"; stderr: ${stderr()}`)));
    });
  };
  const listening = await logged('backup-schedule-hook listening');
  return { child, port: listening['port'] as number, lines, exited, stderr, logged };
}

/** startFailing starts the service expecting it to refuse to start; resolves with its exit code and stderr. */
export async function startFailing(env: Environment): Promise<FailedStart> {
  const { exited, stderr } = launch(env);
  return { code: await exited, stderr: stderr() };
}

/** withHeldPort runs `use` with a loopback port another server holds (for a service that must fail to listen on it), then frees it. */
export async function withHeldPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  try {
    return await use((holder.address() as AddressInfo).port);
  } finally {
    holder.close();
  }
}
