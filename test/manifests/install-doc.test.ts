/** docs/install.md against the manifests: its overlays render a working install, its ClusterRole covers what Metacontroller does. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GROUP_LABEL, customize } from '../../src/core/group.js';
import { crossReferenceProblems } from './cross-references.js';
import { renderKustomization, type Manifest } from './kustomize.js';
import { BASE_DIR, REPO_ROOT, findOne, renderVariant } from './variants.js';

const doc = fs.readFileSync(new URL('../../docs/install.md', import.meta.url), 'utf8');

/** The text of the doc's one ```yaml block that contains `marker` (fences may be indented, as in list items). */
function yamlBlock(marker: string): string {
  const blocks = [...doc.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)]
    .map((match) => (match[2] as string).split('\n').map((line) => line.slice((match[1] as string).length)).join('\n'))
    .filter((block) => block.includes(marker));
  assert.equal(blocks.length, 1, `docs/install.md has one yaml block with ${marker}`);
  return blocks[0] as string;
}

/** Renders a documented overlay, its `../backup-schedule-hook/metacontroller` resource pointed at this base. */
function renderDocumentedOverlay(name: string, kustomization: string): Manifest[] {
  const dir = path.join(REPO_ROOT, '.tmp', 'manifest-overlays', `install-doc-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization.replaceAll('../backup-schedule-hook/metacontroller', path.relative(dir, BASE_DIR)));
  return renderKustomization(dir);
}

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };

/** True when some rule grants `verb` on `group`/`resource`. */
function grants(rules: readonly Rule[], wanted: { group: string; resource: string; verb: string }): boolean {
  const has = (list: string[] | undefined, value: string): boolean => (list ?? []).includes(value) || (list ?? []).includes('*');
  return rules.some((rule) => has(rule.apiGroups, wanted.group) && has(rule.resources, wanted.resource) && has(rule.verbs, wanted.verb));
}

describe('docs/install.md', () => {
  it('the overlay for another namespace renders an install whose hooks, Service and pods agree', () => {
    const overlay = yamlBlock('/spec/hooks/sync/webhook/service/namespace');
    const namespace = /^namespace: (\S+)$/m.exec(overlay)?.[1];
    assert.ok(namespace !== undefined && namespace !== 'metacontroller', 'the overlay names another namespace');
    const objects = renderDocumentedOverlay('namespace', overlay);
    assert.equal(findOne(objects, 'Deployment').metadata.namespace, namespace);
    assert.deepEqual(crossReferenceProblems(objects), []);
  });

  it('the patch for another Prometheus namespace admits that namespace instead of monitoring', () => {
    const patches = yamlBlock('/spec/ingress/0/from/1/namespaceSelector');
    const namespace = /value: (\S+)/.exec(patches)?.[1];
    const objects = renderDocumentedOverlay('prometheus', `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../backup-schedule-hook/metacontroller\n${patches}`);
    const from = (findOne(objects, 'NetworkPolicy') as any).spec.ingress[0].from as Array<{ namespaceSelector: { matchLabels: Record<string, string> } }>;
    assert.deepEqual(from.map((peer) => peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']), ['metacontroller', namespace]);
  });

  describe('the ClusterRole for a narrowed Metacontroller', () => {
    /** The documented ClusterRole and its binding. */
    const documented = (): { role: { metadata: { name: string }; rules: Rule[] }; binding: any } => {
      const documents = parseAllDocuments(yamlBlock('kind: ClusterRole')).map((document) => document.toJS() as Manifest);
      return { role: findOne(documents, 'ClusterRole') as unknown as { metadata: { name: string }; rules: Rule[] }, binding: findOne(documents, 'ClusterRoleBinding') };
    };
    const controller = findOne(renderVariant('all'), 'CompositeController') as any;
    const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] as string : '');
    const parent = controller.spec.parentResource as { apiVersion: string; resource: string };
    const grouped = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'a', namespace: 'db', labels: { [GROUP_LABEL]: 'g' } }, spec: {} };
    // Metacontroller v4.17.2: informers (list, watch); a live GET before adopting and before each status write; status
    // by PUT /status (pkg/dynamic/clientset AtomicStatusUpdate); children created, updated in place, adopted or
    // released by GET + PUT, deleted (pkg/controller/common/manage_children.go, pkg/dynamic/controllerref).
    const needed: Array<{ group: string; resource: string; verbs: string[] }> = [
      { group: groupOf(parent.apiVersion), resource: parent.resource, verbs: ['get', 'list', 'watch'] },
      { group: groupOf(parent.apiVersion), resource: `${parent.resource}/status`, verbs: ['update'] },
      ...(controller.spec.childResources as Array<{ apiVersion: string; resource: string }>).map((child) => ({
        group: groupOf(child.apiVersion), resource: child.resource, verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
      })),
      ...customize(grouped).relatedResources.map((rule) => ({ group: groupOf(rule.apiVersion), resource: rule.resource, verbs: ['list', 'watch'] })),
    ];
    for (const { group, resource, verbs } of needed) {
      it(`grants ${verbs.join(', ')} on ${resource}`, () => {
        const { role } = documented();
        const missing = verbs.filter((verb) => !grants(role.rules, { group, resource, verb }));
        assert.deepEqual(missing, []);
      });
    }

    it('is bound to the ServiceAccount of Metacontroller\'s upstream manifests', () => {
      const { role, binding } = documented();
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'metacontroller', namespace: 'metacontroller' }]);
    });
  });
});
