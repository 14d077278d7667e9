/**
 * Where Metacontroller v4.17.2 looks for the related objects a customize rule selects, for a namespaced parent and
 * namespaced related resources (`pkg/controller/common/customize/manager.go`, GetRelatedObjects and
 * matchesRelatedRule): a rule with `namespace` reads that namespace; a rule without it reads the parent's namespace
 * under customize hook version v1, and every namespace under v2.
 */

/** relatedNamespace returns the one namespace a related-resource rule reads, or '*' for every namespace. */
export function relatedNamespace(rule: object, context: { hookVersion: string; parentNamespace: string }): string {
  const { namespace, namespaceSelector } = rule as { namespace?: unknown; namespaceSelector?: unknown };
  if (namespaceSelector !== undefined) return '*';
  if (typeof namespace === 'string' && namespace !== '') return namespace;
  return context.hookVersion === 'v2' ? '*' : context.parentNamespace;
}
