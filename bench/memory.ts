/** Section 4: heap used and RSS after warm-up and after many syncs of the 1,000-child request, in a clean process. */

import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { MemoryReport } from './memory-worker.js';

export type { MemoryReport };

/** memoryUnderSyncs forks the worker and waits for its report. */
export function memoryUnderSyncs(options: { children: number; syncs: number }): Promise<MemoryReport> {
  const child = fork(join(import.meta.dirname, 'memory-worker.js'), [String(options.children), String(options.syncs)], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as MemoryReport));
    child.once('exit', (code) => reject(new Error(`the memory worker exited with ${code} before reporting; see its stderr`)));
  });
}
