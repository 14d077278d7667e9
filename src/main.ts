/** Entry point: read the configuration, serve the hook, shut down gracefully on SIGTERM/SIGINT. */

import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';
import type { Logger } from 'pino';

import { loadConfig } from './config.js';
import { isEntryPoint } from './entry-point.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import type { Lifecycle } from './http/app.js';
import { createLogger } from './logger.js';
import { createMetrics, withMetrics } from './metrics/registry.js';

/** How often Node enforces the headers and request timeouts; its default, 30 s, let a slow client stay 30 s past them. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** How long shutdown waits for the log's last lines to be written. */
const LOG_CLOSE_TIMEOUT_MS = 1000;

/** A running service. */
export interface Service {
  server: Server;
  lifecycle: Lifecycle;
  /** Stops accepting, lets in-flight requests finish within the grace period, flushes the log, then resolves. */
  shutdown(): Promise<void>;
}

/** startService serves the hook with the given configuration and resolves once it listens. */
export async function startService(config: Config): Promise<Service> {
  // Asynchronous writes: a slow log reader never blocks the event loop (the lines wait in memory instead).
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = createLogger(config.logLevel, destination);
  const lifecycle: Lifecycle = { ready: true };
  const now = Date.now;
  const metrics = createMetrics({ scheduleTtlMs: config.scheduleMetricsTtlMs, now });
  const app = createApp({ config, logger, lifecycle, now, ...withMetrics(metrics) });
  const server = createServer({ connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(listenProblem(error, config), { cause: error })));
    // No host: Node binds `::`, which takes IPv4 too, or `0.0.0.0` where IPv6 is off (single-stack clusters of either kind).
    if (config.host === null) server.listen(config.port, () => resolve());
    else server.listen(config.port, config.host, () => resolve());
  });
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // A connection that makes no progress for REQUEST_TIMEOUT while a request is in flight (a client that stopped
  // reading its answer, which holds its memory until then) is closed. Between requests the keep-alive timeout applies.
  server.prependListener('request', (_req, res: ServerResponse) => {
    res.setTimeout(config.requestTimeoutMs, () => {
      logger.warn({ timeoutMs: config.requestTimeoutMs }, 'connection made no progress for REQUEST_TIMEOUT with a request in flight: closed');
      res.destroy();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ address, port: address.port, config }, 'backup-schedule-hook listening');

  let closing: Promise<void> | null = null;
  function shutdown(): Promise<void> {
    closing ??= (async () => {
      lifecycle.ready = false;
      const { shutdownGraceMs: graceMs, shutdownDelayMs: delayMs } = config;
      logger.info({ graceMs, delayMs }, 'shutting down: not ready');
      // The grace bounds the whole shutdown, as Kubernetes' terminationGracePeriodSeconds does.
      const force = setTimeout(() => {
        logger.warn({ graceMs }, 'shutdown grace over: closing the connections still open');
        server.closeAllConnections();
      }, graceMs);
      if (delayMs > 0) await sleep(delayMs); // keep accepting until the endpoints drop this replica
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      logger.info('stopped accepting; finishing in-flight requests');
      await closed;
      clearTimeout(force);
      logger.info('stopped');
      await closeLog(logger, destination);
    })();
    return closing;
  }
  return { server, lifecycle, shutdown };
}

/** listenProblem says which setting keeps the service from listening (PORT or HOST) and what to do about it. */
export function listenProblem(error: NodeJS.ErrnoException, config: Pick<Config, 'port' | 'host'>): string {
  const where = config.host === null ? 'every interface (HOST unset)' : `HOST ${config.host}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT ${config.port} is in use on ${where} (${error.message}); stop what holds it or set PORT to a free port`;
    case 'EACCES':
      return `PORT ${config.port} on ${where} needs a privilege this user lacks (${error.message}); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `HOST "${config.host ?? ''}" is not an address of this machine (${error.message}); set HOST to one of its addresses, or leave it unset to listen on every interface`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST "${config.host ?? ''}" does not resolve to an address (${error.message}); set HOST to an IP address of this machine, or leave it unset to listen on every interface`;
    default:
      return `cannot listen on PORT ${config.port} of ${where}: ${error.message}`;
  }
}

/**
 * closeLog silences the logger and resolves once its stream has written every line it was given: exiting with a write
 * still in flight printed the lines written after it first ("stopped" before "shutting down").
 */
function closeLog(logger: Logger, destination: ReturnType<typeof pino.destination>): Promise<void> {
  logger.level = 'silent';
  return new Promise((resolve) => {
    // A reader that went away (EPIPE) leaves the stream unable to close: exit after a second anyway.
    const timer = setTimeout(resolve, LOG_CLOSE_TIMEOUT_MS);
    destination.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    destination.end();
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const starting = startService(config);
  // Handlers go in before the service listens: a signal right after the startup line must not kill the process.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void starting.then((service) => service.shutdown()).then(() => process.exit(0));
    });
  }
  await starting;
}

if (isEntryPoint(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`backup-schedule-hook failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
