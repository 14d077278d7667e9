/** The service's logger: pino JSON lines on stdout with a level name, an ISO time and the service name. */

import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

import type { Config } from './config.js';

/** createLogger builds the JSON logger at `level`; tests pass a destination to read the lines. */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'backup-schedule-hook' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
