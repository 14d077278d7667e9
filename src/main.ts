/** Entry point: read the configuration, serve the hook, shut down gracefully on SIGTERM/SIGINT. */

import type { Server } from 'node:http';

import { pino } from 'pino';

import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import type { Lifecycle } from './http/app.js';

/** A running service. */
export interface Service {
  server: Server;
  lifecycle: Lifecycle;
  /** Stops accepting, lets in-flight requests finish within the grace period, then resolves. */
  shutdown(): Promise<void>;
}

/** startService serves the hook with the given configuration and resolves once it listens. */
export async function startService(config: Config): Promise<Service> {
  const logger = pino({ level: config.logLevel, base: { service: 'backup-schedule-hook' } });
  const lifecycle: Lifecycle = { ready: true };
  const app = createApp({ config, logger, lifecycle });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  const address = server.address();
  logger.info({ address }, 'backup-schedule-hook listening');

  let closing: Promise<void> | null = null;
  function shutdown(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      lifecycle.ready = false;
      logger.info({ graceMs: config.shutdownGraceMs }, 'shutting down: not ready, finishing in-flight requests');
      const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        logger.info('stopped');
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  }
  return { server, lifecycle, shutdown };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const service = await startService(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void service.shutdown().then(() => process.exit(0));
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`backup-schedule-hook failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
