/** Deliberately broken hooks, each breaking one invariant, to show the checks can fail. */

import { desiredFormOfKept } from '../../../src/core/desired.js';
import { BACKUP_CHILD_TYPE, SCHEDULED_AT_ANNOTATION } from '../../../src/core/names.js';
import type { DesiredChild, KubeObject, SyncRequest } from '../../../src/core/types.js';
import { decideHook } from '../../../src/sim/hook.js';
import type { Hook, HookAnswer, HookSettings } from '../../../src/sim/hook.js';

type Body = { status: Record<string, unknown>; children: DesiredChild[] };

function bodyOf(answer: HookAnswer): Body {
  const copy = structuredClone(answer) as { body: Body };
  return copy.body;
}

function observedNames(request: SyncRequest): string[] {
  return Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => c.metadata?.name ?? '');
}

/** BROKEN_HOOKS maps a broken hook's name to the invariant it breaks and the hook itself. */
export function brokenHooks(settings: HookSettings): Array<{ name: string; breaks: number; hook: Hook }> {
  const real = decideHook(settings);
  const call = (request: SyncRequest, now: number): Body => bodyOf(real(request, now) as HookAnswer);
  return [
    {
      name: 'names a new Backup after an old slot',
      breaks: 1,
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        for (const child of body.children) {
          if (!observed.includes(child.metadata.name)) child.metadata.annotations = { ...child.metadata.annotations, [SCHEDULED_AT_ANNOTATION]: '2024-05-01T04:00:00Z' };
        }
        return { status: 200, body };
      },
    },
    {
      name: 'ignores the gate (a running Backup looks gone to it)',
      breaks: 2,
      hook: (request, now) => {
        const blind = structuredClone(request);
        const children = blind.children[BACKUP_CHILD_TYPE] ?? {};
        const hidden: KubeObject[] = [];
        for (const [key, child] of Object.entries(children)) {
          const done = ((child.status?.['conditions'] as Array<{ type: string }> | undefined) ?? []).some((c) => ['Complete', 'Failed', 'Invalid'].includes(c.type));
          if (!done) {
            hidden.push(child);
            delete children[key];
          }
        }
        const body = bodyOf(decideHook({ ...settings, staleViewGraceMs: 0 })(blind, now) as HookAnswer);
        for (const child of hidden) body.children.push(desiredFormOfKept(child, child.metadata?.name ?? ''));
        return { status: 200, body };
      },
    },
    {
      name: 'clears lastBackup after a few days',
      breaks: 3,
      hook: (request, now) => {
        const body = call(request, now);
        if (now > Date.parse('2024-05-05T00:00:00Z')) body.status['lastBackup'] = '';
        return { status: 200, body };
      },
    },
    {
      name: 'drops every observed child',
      breaks: 4,
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        body.children = body.children.filter((c) => !observed.includes(c.metadata.name));
        return { status: 200, body };
      },
    },
    {
      name: 'stops creating Backups after a few days',
      breaks: 5,
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        if (now > Date.parse('2024-05-06T00:00:00Z')) body.children = body.children.filter((c) => observed.includes(c.metadata.name));
        return { status: 200, body };
      },
    },
    {
      // (A random status would also make Metacontroller hot-loop on its own writes, as GCP#171 describes.)
      name: 'answers a random resyncAfterSeconds',
      breaks: 6,
      hook: (request, now) => {
        const body = call(request, now) as Body & { resyncAfterSeconds?: number };
        body.resyncAfterSeconds = 3600 + Math.floor(Math.random() * 60);
        return { status: 200, body };
      },
    },
  ];
}
