/**
 * What the API server does with a CRD's openAPIV3Schema, reproduced offline: the structural
 * schema rules it enforces on the CRD, the validation of objects, and the pruning of fields the
 * schema does not declare (pruned fields vanish silently, which is why the tests look for them).
 */
import { createAjv, formatErrors } from './ajv.js';
import type { Manifest } from './kustomize.js';

/** The subset of a Kubernetes JSON schema node these checks read. */
export interface SchemaNode {
  type?: string;
  format?: string;
  nullable?: boolean;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  [keyword: string]: unknown;
}

const FORBIDDEN_KEYWORDS = ['$ref', 'definitions', 'dependencies', 'patternProperties', 'id', '$schema'];

/** The openAPIV3Schema of `version` in a CustomResourceDefinition manifest. */
export function crdVersionSchema(crd: Manifest, version: string): SchemaNode {
  const spec = crd['spec'] as { versions?: Array<{ name: string; schema?: { openAPIV3Schema?: SchemaNode } }> };
  const schema = spec.versions?.find((entry) => entry.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined) throw new Error(`CRD ${crd.metadata.name} has no schema for version ${version}`);
  return schema;
}

/** Violations of the structural schema rules (apiextensions.k8s.io/v1). */
export function structuralViolations(schema: SchemaNode, path = ''): string[] {
  const where = path === '' ? '<root>' : path;
  const problems: string[] = [];
  const preserves = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.type === undefined && schema['x-kubernetes-int-or-string'] !== true && !preserves) {
    problems.push(`${where}: no type`);
  }
  for (const keyword of FORBIDDEN_KEYWORDS) if (keyword in schema) problems.push(`${where}: "${keyword}" is not allowed`);
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) {
    problems.push(`${where}: properties and additionalProperties are mutually exclusive`);
  }
  if (schema.additionalProperties === false) problems.push(`${where}: additionalProperties: false is not allowed`);
  if (schema.type === 'array' && schema.items === undefined) problems.push(`${where}: an array needs items`);
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    if (keys.length === 0) problems.push(`${where}: list-type map needs x-kubernetes-list-map-keys`);
    for (const key of keys) {
      if (schema.items?.properties?.[key] === undefined) problems.push(`${where}: map key "${key}" is not an item property`);
      else if (!(schema.items.required ?? []).includes(key)) problems.push(`${where}: map key "${key}" must be required`);
    }
  }
  if (schema.nullable === true && schema.type === undefined) problems.push(`${where}: nullable needs a type`);
  for (const [name, child] of Object.entries(schema.properties ?? {})) problems.push(...structuralViolations(child, `${path}.${name}`));
  if (typeof schema.additionalProperties === 'object') problems.push(...structuralViolations(schema.additionalProperties, `${path}.*`));
  if (schema.items !== undefined) problems.push(...structuralViolations(schema.items, `${path}[]`));
  if (path === '') problems.push(...rootMetadataViolations(schema));
  return problems;
}

/** At the root, metadata may only restrict name and generateName. */
function rootMetadataViolations(schema: SchemaNode): string[] {
  const metadata = schema.properties?.['metadata'];
  if (metadata === undefined) return [];
  const extra = Object.keys(metadata.properties ?? {}).filter((name) => name !== 'name' && name !== 'generateName');
  return extra.length === 0 ? [] : [`.metadata: only name and generateName may be specified, found ${extra.join(', ')}`];
}

/** A validator for objects of this schema; returns `path: message` lines. */
export function compileSchema(schema: SchemaNode): (value: unknown) => string[] {
  const validate = createAjv().compile(schema);
  return (value) => (validate(value) ? [] : formatErrors(validate.errors));
}

/**
 * JSON paths in `value` that the API server would prune: members the schema does not declare,
 * walking nested objects and arrays. `metadata` at the root is the API server's own.
 */
export function prunedPaths(value: unknown, schema: SchemaNode, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && schema.properties === undefined) return [];
  if (Array.isArray(value)) {
    return schema.items === undefined ? [] : value.flatMap((item, index) => prunedPaths(item, schema.items as SchemaNode, `${path}[${index}]`));
  }
  const pruned: string[] = [];
  for (const [name, member] of Object.entries(value)) {
    if (path === '' && name === 'metadata') continue;
    const child = schema.properties?.[name]
      ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child !== undefined) pruned.push(...prunedPaths(member, child, `${path}.${name}`));
    else if (schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) pruned.push(`${path}.${name}`);
  }
  return pruned;
}

/** The schema node a simple JSON path (`.spec.schedule`) leads to, or undefined. */
export function schemaAt(schema: SchemaNode, jsonPath: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const name of jsonPath.split('.').filter((part) => part !== '')) node = node?.properties?.[name];
  return node;
}
