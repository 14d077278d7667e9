import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyJsonPatch } from './json-patch.js';
import { manifestId, overrideImage, renderKustomization, type Manifest } from './kustomize.js';
import { VARIANTS, renderVariant, variantDir } from './variants.js';

/** Writes files into a fresh temporary directory and returns it. */
function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** `kubectl`'s path, or undefined when it is not installed. */
function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (dir !== '' && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

describe('offline kustomize renderer', () => {
  const table: Array<[current: string, override: Parameters<typeof overrideImage>[1], expected: string]> = [
    ['hook', { name: 'hook', newTag: '1.2.3' }, 'hook:1.2.3'],
    ['hook:old', { name: 'hook', newName: 'reg.example/team/hook', newTag: '2' }, 'reg.example/team/hook:2'],
    ['hook:old', { name: 'hook', newName: 'reg.example/hook' }, 'reg.example/hook:old'],
    ['hook:old', { name: 'hook', digest: 'sha256:abc' }, 'hook@sha256:abc'],
    ['other:1', { name: 'hook', newTag: '2' }, 'other:1'],
    ['hooks:1', { name: 'hook', newTag: '2' }, 'hooks:1'],
    ['reg.example:5000/hook:1', { name: 'reg.example:5000/hook', newTag: '2' }, 'reg.example:5000/hook:2'],
  ];
  for (const [current, override, expected] of table) {
    it(`images: ${current} with ${JSON.stringify(override)} becomes ${expected}`, () => {
      assert.equal(overrideImage(current, override), expected);
    });
  }

  it('sets the namespace on namespaced kinds only, and applies components and JSON6902 patches', () => {
    const dir = scratch({
      'base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ns\nresources: [objects.yaml]\n',
      'base/objects.yaml': [
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}',
        'apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: a}\nspec: {list: [1]}',
      ].join('\n---\n'),
      'component/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1alpha1', 'kind: Component', 'patches:',
        '  - target: {kind: Thing, name: a}', '    patch: |-', '      - op: add', '        path: /spec/list/-', '        value: 2',
      ].join('\n'),
      'overlay/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\ncomponents: [../component]\n',
    });
    const objects = renderKustomization(path.join(dir, 'overlay'));
    assert.deepEqual(objects.map(manifestId), [
      'apiextensions.k8s.io/v1/CustomResourceDefinition//things.example.com',
      'example.com/v1/Thing/ns/a',
    ]);
    assert.deepEqual((objects[1] as Manifest)['spec'], { list: [1, 2] });
  });

  const refused: Array<[description: string, kustomization: string, message: RegExp]> = [
    ['an unsupported field', 'kind: Kustomization\ncommonLabels: {a: b}\n', /commonLabels are not supported/],
    ['a strategic-merge patch', 'kind: Kustomization\nresources: [o.yaml]\npatches: [{patch: "metadata: {name: a}", target: {kind: Thing}}]\n', /only JSON6902/],
    ['a patch that matches nothing', 'kind: Kustomization\nresources: [o.yaml]\npatches: [{patch: "[]", target: {kind: Other}}]\n', /matches no resource/],
    ['a duplicate object', 'kind: Kustomization\nresources: [o.yaml, o.yaml]\n', /declared twice/],
  ];
  for (const [description, kustomization, message] of refused) {
    it(`refuses ${description}`, () => {
      const dir = scratch({ 'kustomization.yaml': kustomization, 'o.yaml': 'apiVersion: v1\nkind: Thing\nmetadata: {name: a}\n' });
      assert.throws(() => renderKustomization(dir), message);
    });
  }

  it('applies JSON patch operations and names the one that fails', () => {
    const doc = { a: { list: ['x'], b: 1 } };
    assert.deepEqual(applyJsonPatch(doc, [
      { op: 'add', path: '/a/list/0', value: 'w' },
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'remove', path: '/a/list/1' },
      { op: 'add', path: '/a/c~1d', value: true },
    ]), { a: { list: ['w'], b: 2, 'c/d': true } });
    assert.deepEqual(doc, { a: { list: ['x'], b: 1 } }, 'the input is not modified');
    assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/b', value: 1 }, { op: 'remove', path: '/a/zz' }]), /operation 1 \(remove \/a\/zz\)/);
  });

  describe('agrees with kubectl kustomize', () => {
    const kubectl = findKubectl();
    for (const variant of Object.keys(VARIANTS)) {
      it(`for variant ${variant}`, function () {
        if (kubectl === undefined) this.skip(); // kubectl is optional: the offline renderer is what CI relies on
        const output = execFileSync(kubectl, ['kustomize', variantDir(variant)], { encoding: 'utf8' });
        const fromKubectl = parseAllDocuments(output).map((document) => document.toJS() as Manifest);
        const byId = (objects: Manifest[]): Record<string, Manifest> => Object.fromEntries(objects.map((object) => [manifestId(object), object]));
        assert.deepEqual(byId(renderVariant(variant)), byId(fromKubectl));
      });
    }
  });
});
