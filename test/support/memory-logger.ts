/** A pino logger writing to memory, so tests can assert what was logged and at which level. */

import { Writable } from 'node:stream';

import { pino } from 'pino';
import type { Logger } from 'pino';

/** A logged line, parsed. */
export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A logger and the lines it wrote. */
export interface MemoryLogger {
  logger: Logger;
  lines: LogLine[];
  /** Lines at error level (50) or above. */
  errors(): LogLine[];
}

/** memoryLogger returns a pino logger at level debug whose output is kept in `lines`. */
export function memoryLogger(): MemoryLogger {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, lines, errors: () => lines.filter((l) => l.level >= 50) };
}
