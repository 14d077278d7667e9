/** Body budget metrics (BODY_BYTES_IN_FLIGHT): bytes of bodies in flight, requests waiting for room, and how long they waited. */

import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

import type { BudgetObserver } from '../http/body-budget.js';

/** Wait buckets (seconds): from a turn of the event loop to the 10 s after which a waiting request gets 503. */
export const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** admissionMetrics registers the body budget's metrics in `registry` and returns the observer that records them. */
export function admissionMetrics(registry: Registry): Required<BudgetObserver> {
  const registers = [registry];
  const gauge = (name: string, help: string): Gauge => new Gauge({ name, help, registers });
  const budget = gauge('backup_schedule_hook_body_budget_bytes', 'BODY_BYTES_IN_FLIGHT: bytes of request bodies the hook reads at once.');
  const inFlight = gauge(
    'backup_schedule_hook_body_bytes_in_flight',
    'Bytes of admitted request bodies whose answers are not yet written (a body of unknown size counts as BODY_LIMIT_BYTES).',
  );
  const waiting = gauge('backup_schedule_hook_body_budget_waiting_requests', 'Requests waiting, their bodies unread, for room in the body budget.');
  const waits = new Histogram({
    name: 'backup_schedule_hook_body_budget_wait_seconds',
    help: 'How long requests that did not fit at once waited for room, by outcome: admitted, refused (503) or gone (the client left).',
    labelNames: ['outcome'] as const,
    buckets: WAIT_BUCKETS,
    registers,
  });
  return {
    onBudgetState(state) {
      budget.set(state.budgetBytes);
      inFlight.set(state.bytesInFlight);
      waiting.set(state.waiting);
    },
    onBudgetWait(outcome, seconds) {
      waits.observe({ outcome }, seconds);
    },
  };
}
