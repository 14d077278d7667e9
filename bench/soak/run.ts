/**
 * `npm run soak`: the built service under sustained mixed load, slow and broken clients, and SIGTERM under load.
 * Prints a Markdown report; exits 1 when a valid request failed, any answer was a 5xx, the service logged an
 * error, a slow client was not cut off, or an accepted request was lost in the shutdown.
 * SOAK_SECONDS sets the length of the mixed-load phase (default 180).
 */

import autocannon from 'autocannon';

import { invalidRequests, scheduleWith, validRequests } from './bodies.js';
import type { SoakRequest } from './bodies.js';
import { startBuiltService } from './service.js';
import type { ServiceProcess } from './service.js';
import { loadUntilRefused } from './shutdown-load.js';
import type { Sent } from './shutdown-load.js';
import { dropMidBody, slowClient } from './slow-clients.js';
import type { Closed, SlowKind } from './slow-clients.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 180);
const BODY_LIMIT_BYTES = 1024 * 1024;
const TIMEOUTS = { HEADERS_TIMEOUT: '5s', REQUEST_TIMEOUT: '10s', KEEP_ALIVE_TIMEOUT: '5s' };
const ENV = { LOG_LEVEL: 'error', BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES), ...TIMEOUTS };

/** A failed expectation, collected for the verdict. */
const failures: string[] = [];
function expect(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

/** Runs autocannon against the service with a set of requests, cycled per connection. */
function load(service: ServiceProcess, requests: SoakRequest[], options: { connections: number; seconds: number; title: string }): Promise<autocannon.Result> {
  return autocannon({
    url: service.url,
    title: options.title,
    connections: options.connections,
    duration: options.seconds,
    timeout: 20,
    requests,
  });
}

function latencyRow(name: string, r: autocannon.Result): string {
  const l = r.latency;
  return `| ${name} | ${r.requests.total} | ${Math.round(r.requests.average)} | ${r['2xx']} | ${r['4xx']} | ${r['5xx']} | ${r.errors} | ${r.timeouts} | ${l.p50} | ${l.p99} | ${l.p99_9} | ${l.max} |`;
}

const LATENCY_HEADER = '| stream | requests | req/s | 2xx | 4xx | 5xx | errors | timeouts | p50 ms | p99 ms | p99.9 ms | max ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|';

/** Phase 1: valid and invalid streams at once; RSS sampled every 5 s. */
async function mixedLoad(service: ServiceProcess): Promise<string> {
  const rss: Array<{ at: number; rssMiB: number }> = [];
  const started = performance.now();
  const sampler = setInterval(() => rss.push({ at: Math.round((performance.now() - started) / 1000), rssMiB: service.memory().rssMiB }), 5000);
  rss.push({ at: 0, rssMiB: service.memory().rssMiB });
  const [valid, invalid] = await Promise.all([
    load(service, validRequests(Date.now()), { connections: 8, seconds: SECONDS, title: 'valid' }),
    load(service, invalidRequests(BODY_LIMIT_BYTES), { connections: 4, seconds: SECONDS, title: 'invalid' }),
  ]);
  clearInterval(sampler);
  rss.push({ at: Math.round((performance.now() - started) / 1000), rssMiB: service.memory().rssMiB });
  expect(valid.non2xx === 0 && valid.errors === 0 && valid.timeouts === 0, `valid stream: ${valid.non2xx} non-2xx, ${valid.errors} errors, ${valid.timeouts} timeouts`);
  expect(invalid['2xx'] === 0 && invalid['5xx'] === 0 && invalid.errors === 0, `invalid stream: ${invalid['2xx']} 2xx, ${invalid['5xx']} 5xx, ${invalid.errors} errors`);
  const values = rss.map((s) => s.rssMiB);
  const secondHalf = rss.filter((s) => s.at >= SECONDS / 2).map((s) => s.rssMiB);
  const every = Math.max(1, Math.round(rss.length / 12));
  return [
    `## Mixed load, ${SECONDS} s (8 connections valid, 4 invalid, concurrently)`,
    '',
    LATENCY_HEADER,
    latencyRow('valid (7 requests: 0–200 Backups, 2–540 KB)', valid),
    latencyRow('invalid (52 bodies: 400/413/415)', invalid),
    '',
    `RSS MiB: start ${values[0]?.toFixed(0)}, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)}, ` +
      `end ${values.at(-1)?.toFixed(0)}; second half min–max ${Math.min(...secondHalf).toFixed(0)}–${Math.max(...secondHalf).toFixed(0)}; ` +
      `peak ${service.memory().peakRssMiB.toFixed(0)}`,
    '',
    `RSS over time (s: MiB): ${rss.filter((_, i) => i % every === 0 || i === rss.length - 1).map((s) => `${s.at}: ${s.rssMiB.toFixed(0)}`).join(', ')}`,
  ].join('\n');
}

function spread(closed: Closed[]): string {
  const ms = closed.map((c) => c.afterMs).sort((a, b) => a - b);
  const at = (q: number): string => ((ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN) / 1000).toFixed(1);
  const statuses = new Map<string, number>();
  for (const c of closed) statuses.set(c.status || '(closed without answer)', (statuses.get(c.status || '(closed without answer)') ?? 0) + 1);
  return `closed after min ${at(0)} s, median ${at(0.5)} s, max ${at(1)} s; ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}`;
}

/** Phase 2: slow and broken clients alongside a valid stream. */
async function slowClients(service: ServiceProcess): Promise<string> {
  const counts: Record<SlowKind, number> = { 'drip-headers': 200, 'drip-body': 100, 'idle-keep-alive': 100 };
  const limits: Record<SlowKind, number> = { 'drip-headers': 5, 'drip-body': 10, 'idle-keep-alive': 5 };
  const slow = (Object.keys(counts) as SlowKind[]).map((kind) =>
    Promise.all(Array.from({ length: counts[kind] }, () => slowClient(service.port, kind, { dripMs: 500, giveUpMs: 60_000 }))).then((closed) => ({ kind, closed })),
  );
  let dropped = 0;
  const dropping = (async () => {
    for (let batch = 0; batch < 30; batch += 1) {
      await Promise.all(Array.from({ length: 50 }, () => dropMidBody(service.port)));
      dropped += 50;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const valid = await load(service, validRequests(Date.now()), { connections: 4, seconds: 20, title: 'valid-with-slow-clients' });
  const [results] = await Promise.all([Promise.all(slow), dropping]);
  expect(valid.non2xx === 0 && valid.errors === 0 && valid.timeouts === 0, `valid stream beside slow clients: ${valid.non2xx} non-2xx, ${valid.errors} errors`);
  const lines = results.map(({ kind, closed }) => {
    const limitS = limits[kind];
    // Enforced every second (Node's default was every 30 s); 3 s of slack for a loaded machine.
    const late = closed.filter((c) => c.afterMs > (limitS + 3) * 1000).length;
    expect(late === 0, `${late} ${kind} connections stayed open more than 3 s past ${limitS} s`);
    return `- ${counts[kind]} × ${kind} (limit ${limitS} s): ${spread(closed)}`;
  });
  return [
    '## Slow and broken clients (HEADERS_TIMEOUT 5s, REQUEST_TIMEOUT 10s, KEEP_ALIVE_TIMEOUT 5s)',
    '',
    LATENCY_HEADER,
    latencyRow('valid, 4 connections, 20 s, beside the slow clients', valid),
    '',
    ...lines,
    `- ${dropped} connections dropped mid-body (50 every 0.5 s)`,
  ].join('\n');
}

/** Phase 3: SIGTERM under load; every request the service decided must have been answered. */
async function shutdownUnderLoad(): Promise<string> {
  const service = await startBuiltService({ ...ENV, LOG_LEVEL: 'info', SHUTDOWN_GRACE: '20s' });
  const now = Date.now();
  const sending = loadUntilRefused(service.port, { clients: 16, maxMs: 60_000, body: (name) => scheduleWith(10, { name, now }) });
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const signalledAt = performance.now();
  service.terminate();
  const [sent, code] = await Promise.all([sending, service.exited]);
  const stoppedS = (performance.now() - signalledAt) / 1000;
  const decided = new Set([...service.lines.join('\n').matchAll(/"name":"(shutdown-\d+-\d+)"/g)].map((m) => m[1]));
  const by = (outcome: Sent['outcome']): Sent[] => sent.filter((s) => s.outcome === outcome);
  const answered = by('answered');
  const lost = sent.filter((s) => decided.has(s.name) && s.outcome !== 'answered');
  const non200 = answered.filter((s) => s.status !== 200);
  const unexplained = [...by('reset'), ...by('other')].filter((s) => !decided.has(s.name));
  expect(lost.length === 0, `${lost.length} requests the service decided were not answered: ${lost.slice(0, 5).map((s) => s.code).join(', ')}`);
  expect(non200.length === 0, `${non200.length} answers during shutdown were not 200`);
  expect(code === 0, `the service exited with ${code}`);
  return [
    '## Graceful shutdown under load (16 keep-alive clients, SIGTERM after 5 s)',
    '',
    `- requests sent ${sent.length}; answered ${answered.length} (all 200: ${non200.length === 0}); decided by the service ${decided.size}`,
    `- lost (decided, not answered): ${lost.length}`,
    `- refused after the listener closed: ${by('refused').length}; reset before the service read them (never decided): ${unexplained.length}` +
      `${unexplained.length > 0 ? ` (${[...new Set(unexplained.map((s) => s.code))].join(', ')})` : ''}`,
    `- exit code ${code}, ${stoppedS.toFixed(2)} s after SIGTERM; error lines logged: ${service.errorLines().length}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const service = await startBuiltService(ENV);
  const sections = [`# Soak of the built service (node ${process.version}, pid ${service.pid})`, ''];
  sections.push(await mixedLoad(service), '');
  sections.push(await slowClients(service), '');
  expect((await fetch(`${service.url}/healthz`)).status === 200, 'the service did not answer /healthz after the slow clients');
  service.terminate();
  const code = await service.exited;
  expect(code === 0, `the service exited with ${code} after the load`);
  const errors = service.errorLines();
  expect(errors.length === 0, `the service logged ${errors.length} lines at error level: ${errors.slice(0, 3).join(' | ')}`);
  sections.push(`Error-level log lines during both phases: ${errors.length}`, '');
  sections.push(await shutdownUnderLoad(), '');
  sections.push(failures.length === 0 ? '**Verdict: pass**' : `**Verdict: FAIL**\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.stdout.write(`${sections.join('\n')}\n`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

await main();
