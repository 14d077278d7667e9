/** The real HTTP service as a hook: `createApp` listening on 127.0.0.1:0, called through `fetch`. */

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { pino } from 'pino';

import { createApp } from '../http/app.js';
import type { SyncRequest, SyncResponse } from '../core/types.js';
import type { Hook, HookAnswer, HookSettings } from './hook.js';

/** A running HTTP hook. */
export interface HttpHook {
  hook: Hook;
  /** The base URL it listens on. */
  url: string;
  close(): Promise<void>;
}

/**
 * startHttpHook serves the hook on a free loopback port. The service's clock is the simulator's: each call
 * sets the instant the service reads, so calls must not overlap (the simulator makes one call at a time).
 */
export async function startHttpHook(settings: HookSettings): Promise<HttpHook> {
  let instant = 0;
  let busy = false;
  const app = createApp({
    config: {
      bodyLimitBytes: 64 * 1024 * 1024,
      staleViewGraceMs: settings.staleViewGraceMs,
      handoverLabelKey: settings.handoverLabelKey,
      ...(settings.resyncEveryMs === undefined ? {} : { resyncEveryMs: settings.resyncEveryMs }),
    },
    logger: pino({ level: 'silent' }),
    now: () => instant,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  async function overHttp(request: SyncRequest, now: number): Promise<HookAnswer> {
    if (busy) throw new Error('the HTTP hook was called while a call was in flight; the simulator makes one call at a time');
    busy = true;
    instant = now;
    try {
      const res = await fetch(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      const body: unknown = await res.json();
      return res.status === 200 ? { status: 200, body: body as SyncResponse } : { status: res.status, body };
    } finally {
      busy = false;
    }
  }
  return {
    hook: overHttp,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
