/**
 * The install variants under test: the base alone and the base with each optional component,
 * each as the overlay a user would write (resources: base, components: [...]).
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderKustomization, type Manifest } from './kustomize.js';

/** Repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The kustomize base users apply. */
export const BASE_DIR = path.join(REPO_ROOT, 'metacontroller');

/** Variant name → the components it adds to the base. */
export const VARIANTS: Record<string, readonly string[]> = {
  base: [],
  monitoring: ['monitoring'],
  'compact-backups': ['compact-backups'],
  'require-handover-label': ['require-handover-label'],
  all: ['monitoring', 'compact-backups', 'require-handover-label'],
};

/** Directory of the variant's kustomization (an overlay under .tmp/ for component variants). */
export function variantDir(variant: string): string {
  const components = VARIANTS[variant];
  if (components === undefined) throw new Error(`unknown variant ${variant}`);
  if (components.length === 0) return BASE_DIR;
  const dir = path.join(REPO_ROOT, '.tmp', 'manifest-overlays', variant);
  fs.mkdirSync(dir, { recursive: true });
  const relative = (target: string): string => path.relative(dir, target);
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${relative(BASE_DIR)}`,
    'components:',
    ...components.map((name) => `  - ${relative(path.join(BASE_DIR, 'components', name))}`),
  ];
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

/** The variant rendered by the offline renderer. */
export function renderVariant(variant: string): Manifest[] {
  return renderKustomization(variantDir(variant));
}

/** The one object of `kind` (and `name`, if given); throws when there is not exactly one. */
export function findOne(objects: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as Manifest;
}
