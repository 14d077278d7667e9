/** Configuration from environment variables: defaults, accepted values, and messages that say what to fix. */

import assert from 'node:assert/strict';

import { loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    assert.deepEqual(
      {
        port: config.port,
        logLevel: config.logLevel,
        ttl: config.scheduleMetricsTtlMs,
        grace: config.shutdownGraceMs,
        delay: config.shutdownDelayMs,
        key: config.handoverLabelKey,
        deletionStuck: config.deletionStuckAfterMs,
        resyncEvery: config.resyncEveryMs,
        host: config.host,
        bodyBytesInFlight: config.bodyBytesInFlight,
      },
      { host: null, bodyBytesInFlight: 128 * 1024 * 1024, port: 8080, logLevel: 'info', ttl: 3_600_000, grace: 20_000, delay: 0, key: 'backup-schedule-hook/controller', deletionStuck: 3_600_000, resyncEvery: 300_000 },
    );
    assert.deepEqual(
      [config.bodyLimitBytes, config.staleViewGraceMs, config.requestTimeoutMs, config.headersTimeoutMs, config.keepAliveTimeoutMs],
      [64 * 1024 * 1024, 300_000, 30_000, 10_000, 95_000],
    );
  });

  it('reads an empty variable as unset: the default', () => {
    const config = loadConfig({ PORT: '', BODY_LIMIT_BYTES: '', STALE_VIEW_GRACE: '', LOG_LEVEL: '', SHUTDOWN_GRACE: '' });
    assert.deepEqual([config.port, config.bodyLimitBytes, config.staleViewGraceMs, config.logLevel, config.shutdownGraceMs], [8080, 64 * 1024 * 1024, 300_000, 'info', 20_000]);
  });

  const accepted: Array<{ env: Record<string, string>; expect: Partial<Config> }> = [
    { env: { SCHEDULE_METRICS_TTL: '90m' }, expect: { scheduleMetricsTtlMs: 90 * 60_000 } },
    { env: { SHUTDOWN_GRACE: '30s', SHUTDOWN_DELAY: '5s' }, expect: { shutdownGraceMs: 30_000, shutdownDelayMs: 5_000 } },
    { env: { LOG_LEVEL: 'debug', PORT: '0' }, expect: { logLevel: 'debug', port: 0 } },
    { env: { HANDOVER_LABEL_KEY: 'example.com/scheduler' }, expect: { handoverLabelKey: 'example.com/scheduler' } },
    { env: { DELETION_STUCK_AFTER: '3h30m' }, expect: { deletionStuckAfterMs: 210 * 60_000 } },
    { env: { HOST: '127.0.0.1' }, expect: { host: '127.0.0.1' } },
    { env: { RESYNC_EVERY: '90s' }, expect: { resyncEveryMs: 90_000 } },
    { env: { RESYNC_EVERY: '0s' }, expect: { resyncEveryMs: 0 } },
    { env: { HOST: '' }, expect: { host: null } },
    { env: { HANDOVER_LABEL_KEY: '' }, expect: { handoverLabelKey: 'backup-schedule-hook/controller' } },
    { env: { BODY_BYTES_IN_FLIGHT: '268435456' }, expect: { bodyBytesInFlight: 256 * 1024 * 1024 } },
    { env: { BODY_LIMIT_BYTES: '1024', BODY_BYTES_IN_FLIGHT: '1024' }, expect: { bodyLimitBytes: 1024, bodyBytesInFlight: 1024 } },
    { env: { BODY_LIMIT_BYTES: '2147483647', BODY_BYTES_IN_FLIGHT: '2147483647' }, expect: { bodyLimitBytes: 2 ** 31 - 1, bodyBytesInFlight: 2 ** 31 - 1 } },
    { env: { PORT: '65535' }, expect: { port: 65535 } },
    { env: { STALE_VIEW_GRACE: '10m' }, expect: { staleViewGraceMs: 600_000 } },
    { env: { RESYNC_EVERY: '1m' }, expect: { resyncEveryMs: 60_000 } },
    { env: { SHUTDOWN_GRACE: '0s' }, expect: { shutdownGraceMs: 0, shutdownDelayMs: 0 } },
    { env: { SHUTDOWN_GRACE: '2147483647ms', REQUEST_TIMEOUT: '2147483647ms' }, expect: { shutdownGraceMs: 2 ** 31 - 1, requestTimeoutMs: 2 ** 31 - 1 } },
  ];
  for (const { env, expect } of accepted) {
    it(`accepts ${JSON.stringify(env)}`, () => {
      const config = loadConfig(env);
      for (const [key, value] of Object.entries(expect)) assert.equal(config[key as keyof Config], value, key);
    });
  }

  const rejected: Array<{ env: Record<string, string>; message: RegExp }> = [
    { env: { SCHEDULE_METRICS_TTL: '0s' }, message: /SCHEDULE_METRICS_TTL: "0s" must be positive/ },
    { env: { RESYNC_EVERY: '-5m' }, message: /RESYNC_EVERY/ },
    { env: { RESYNC_EVERY: '30s' }, message: /RESYNC_EVERY "30s" must be 0s \(off\) or at least 1m/ },
    { env: { SCHEDULE_METRICS_TTL: 'an hour' }, message: /SCHEDULE_METRICS_TTL: .*an hour/ },
    { env: { SHUTDOWN_DELAY: '-1s' }, message: /SHUTDOWN_DELAY: "-1s" must be zero or more/ },
    { env: { SHUTDOWN_GRACE: '10s', SHUTDOWN_DELAY: '10s' }, message: /SHUTDOWN_DELAY \(10s\) must be shorter than SHUTDOWN_GRACE \(10s\)/ },
    { env: { SHUTDOWN_GRACE: '700h' }, message: /SHUTDOWN_GRACE: "700h" is longer than the 596h a timer can wait/ },
    { env: { KEEP_ALIVE_TIMEOUT: '1000h' }, message: /KEEP_ALIVE_TIMEOUT: "1000h" is longer than the 596h a timer can wait/ },
    { env: { REQUEST_TIMEOUT: '1000h' }, message: /REQUEST_TIMEOUT: "1000h" is longer than the 596h a timer can wait/ },
    { env: { HEADERS_TIMEOUT: '1000h' }, message: /HEADERS_TIMEOUT: "1000h" is longer than the 596h a timer can wait/ },
    { env: { BODY_BYTES_IN_FLIGHT: '128Mi' }, message: /BODY_BYTES_IN_FLIGHT "128Mi" must be a whole number from 1024 to/ },
    { env: { LOG_LEVEL: 'verbose' }, message: /LOG_LEVEL "verbose" must be one of fatal, error, warn, info, debug, trace, silent/ },
    { env: { PORT: '80a' }, message: /PORT "80a" must be a whole number from 0 to 65535/ },
    { env: { PORT: 'a80' }, message: /PORT "a80" must be a whole number from 0 to 65535/ },
    { env: { PORT: '65536' }, message: /PORT "65536" must be a whole number from 0 to 65535/ },
    { env: { BODY_LIMIT_BYTES: '1023' }, message: /BODY_LIMIT_BYTES "1023" must be a whole number from 1024 to 2147483647/ },
    { env: { BODY_LIMIT_BYTES: '2147483648' }, message: /BODY_LIMIT_BYTES "2147483648" must be a whole number from 1024 to 2147483647/ },
    { env: { BODY_BYTES_IN_FLIGHT: '2147483648' }, message: /BODY_BYTES_IN_FLIGHT "2147483648" must be a whole number from 1024 to 2147483647/ },
    { env: { STALE_VIEW_GRACE: 'soon' }, message: /STALE_VIEW_GRACE: "soon" is not a duration/ },
    { env: { SHUTDOWN_DELAY: '25s' }, message: /SHUTDOWN_DELAY \(25s\) must be shorter than SHUTDOWN_GRACE \(20s\)/ },
    { env: { HANDOVER_LABEL_KEY: 'not a key' }, message: /HANDOVER_LABEL_KEY "not a key" is not a Kubernetes label key/ },
    { env: { DELETION_STUCK_AFTER: '0s' }, message: /DELETION_STUCK_AFTER: "0s" must be positive/ },
    { env: { DELETION_STUCK_AFTER: '500us' }, message: /DELETION_STUCK_AFTER: "500us" must be at least 1ms, such as 1h/ },
    { env: { SCHEDULE_METRICS_TTL: '1ns' }, message: /SCHEDULE_METRICS_TTL: "1ns" must be at least 1ms/ },
  ];
  for (const { env, message } of rejected) {
    it(`rejects ${JSON.stringify(env)} saying what to fix`, () => {
      assert.throws(() => loadConfig(env), message);
    });
  }

  it('lists every bad variable in one message', () => {
    assert.throws(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud', SCHEDULE_METRICS_TTL: '0' }), (error: Error) => {
      assert.match(error.message, /^invalid configuration: /);
      for (const name of ['PORT', 'LOG_LEVEL', 'SCHEDULE_METRICS_TTL']) assert.match(error.message, new RegExp(name));
      assert.match(error.message, /from 0 to 65535; LOG_LEVEL /, 'the problems are separated by "; "');
      return true;
    });
  });
});
