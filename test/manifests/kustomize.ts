/**
 * Offline renderer for the subset of kustomize this repository uses: resources (files and
 * kustomization directories), components, namespace, images and JSON6902 patches. Any other
 * field is refused, so the renderer can never silently differ from `kubectl kustomize`
 * (which a test compares it with wherever kubectl is installed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyJsonPatch, type PatchOperation } from './json-patch.js';

/** A rendered Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'images', 'patches']);

/** Kinds kustomize knows to be cluster-scoped (no namespace is set on them). */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'MutatingWebhookConfiguration',
  'Namespace', 'PersistentVolume', 'PriorityClass', 'StorageClass', 'ValidatingWebhookConfiguration',
]);

/** Renders the kustomization (or component) in `dir`, like `kubectl kustomize dir`. */
export function renderKustomization(dir: string): Manifest[] {
  return renderDirectory(dir, 'Kustomization');
}

/** Renders a directory holding kustomization.yaml of the expected kind. */
function renderDirectory(dir: string, expectedKind: 'Kustomization' | 'Component', base: Manifest[] = []): Manifest[] {
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(file)) throw new Error(`${dir} has no kustomization.yaml`);
  const spec = readYamlObject(file);
  const unsupported = Object.keys(spec).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${file}: fields ${unsupported.join(', ')} are not supported by the offline renderer; extend test/manifests/kustomize.ts`);
  }
  if (spec['kind'] !== expectedKind) throw new Error(`${file}: kind must be ${expectedKind}, found ${String(spec['kind'])}`);

  let objects = [...base];
  for (const entry of stringList(spec['resources'], `${file} resources`)) {
    const target = path.resolve(dir, entry);
    if (fs.statSync(target).isDirectory()) objects.push(...renderDirectory(target, 'Kustomization'));
    else objects.push(...readManifests(target));
  }
  for (const entry of stringList(spec['components'], `${file} components`)) {
    objects = renderDirectory(path.resolve(dir, entry), 'Component', objects);
  }
  for (const entry of patchList(spec['patches'], file)) objects = applyPatch(objects, entry, dir);
  if (typeof spec['namespace'] === 'string') objects = objects.map((object) => withNamespace(object, spec['namespace'] as string));
  for (const image of imageList(spec['images'], file)) objects = objects.map((object) => withImage(object, image));
  assertUnique(objects);
  return objects;
}

/** Reads every non-empty YAML document of a resource file. */
export function readManifests(file: string): Manifest[] {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const objects: Manifest[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
    objects.push(value);
  }
  return objects;
}

/** Reads a single YAML mapping. */
function readYamlObject(file: string): Record<string, unknown> {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const value: unknown = documents[0]?.toJS();
  if (documents.length !== 1 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file} must hold exactly one YAML mapping`);
  }
  return value as Record<string, unknown>;
}

/** True for an object with apiVersion, kind and metadata.name. */
function isManifest(value: unknown): value is Manifest {
  if (value === null || typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  const metadata = object['metadata'] as Record<string, unknown> | undefined;
  return typeof object['apiVersion'] === 'string' && typeof object['kind'] === 'string' && typeof metadata?.['name'] === 'string';
}

/** A list of strings, or [] when absent. */
function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new Error(`${where} must be a list of paths`);
  return value as string[];
}

/** The `patches:` entries. */
function patchList(value: unknown, file: string): PatchEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${file}: patches must be a list`);
  return value as PatchEntry[];
}

/** The `images:` entries. */
function imageList(value: unknown, file: string): ImageOverride[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item?.name === 'string')) throw new Error(`${file}: images entries need a name`);
  return value as ImageOverride[];
}

/** Applies one `patches:` entry (JSON6902 only) to the objects its target selects; stricter than kustomize, a target that selects nothing is an error. */
function applyPatch(objects: Manifest[], entry: PatchEntry, dir: string): Manifest[] {
  const text = entry.patch ?? (entry.path === undefined ? undefined : fs.readFileSync(path.resolve(dir, entry.path), 'utf8'));
  if (text === undefined) throw new Error(`${dir}: a patch needs "patch" or "path"`);
  const operations: unknown = parseAllDocuments(text)[0]?.toJS();
  if (!Array.isArray(operations)) {
    throw new Error(`${dir}: only JSON6902 patches (a list of operations) are supported by the offline renderer`);
  }
  if (entry.target === undefined) throw new Error(`${dir}: a JSON6902 patch needs a target`);
  const target = entry.target;
  let matched = 0;
  const result = objects.map((object) => {
    if (!matchesTarget(object, target)) return object;
    matched += 1;
    return applyJsonPatch(object, operations as PatchOperation[]) as Manifest;
  });
  if (matched === 0) throw new Error(`${dir}: patch target ${JSON.stringify(target)} matches no resource`);
  return result;
}

/** Kustomize's target selection: each given field is an anchored regular expression. */
function matchesTarget(object: Manifest, target: PatchTarget): boolean {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const fields: Array<[string | undefined, string | undefined]> = [
    [target.group, group], [target.version, version], [target.kind, object.kind],
    [target.name, object.metadata.name], [target.namespace, object.metadata.namespace],
  ];
  return fields.every(([pattern, value]) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value ?? ''));
}

/** Sets metadata.namespace on namespaced objects. */
function withNamespace(object: Manifest, namespace: string): Manifest {
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Rewrites container images named `image.name`, as kustomize's images transformer does. */
function withImage(object: Manifest, image: ImageOverride): Manifest {
  const copy = structuredClone(object);
  visitContainers(copy, (container) => {
    const current = container['image'];
    if (typeof current === 'string') container['image'] = overrideImage(current, image);
  });
  return copy;
}

/** Calls `visit` for every element of a containers/initContainers list anywhere in `value`. */
function visitContainers(value: unknown, visit: (container: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visitContainers(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, member] of Object.entries(value)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(member)) {
      for (const container of member) if (container !== null && typeof container === 'object') visit(container as Record<string, unknown>);
    }
    visitContainers(member, visit);
  }
}

/** The new reference for `current` if its name is `image.name`, else `current`. */
export function overrideImage(current: string, image: ImageOverride): string {
  const match = /^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$/.exec(current);
  if (match?.groups?.['name'] !== image.name) return current;
  const name = image.newName ?? image.name;
  if (image.digest !== undefined) return `${name}@${image.digest}`;
  if (image.newTag !== undefined) return `${name}:${image.newTag}`;
  const tag = match.groups['tag'];
  const digest = match.groups['digest'];
  return `${name}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
}

/** Refuses two objects with the same identity, as kustomize does. */
function assertUnique(objects: Manifest[]): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = manifestId(object);
    if (seen.has(id)) throw new Error(`resource ${id} is declared twice`);
    seen.add(id);
  }
}

/** `apiVersion/kind/namespace/name`, the identity of an object. */
export function manifestId(object: Manifest): string {
  return `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
