import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig, type Config } from '../../src/config.js';
import { crossReferenceProblems } from './cross-references.js';
import { crdVersionSchema, schemaAt, structuralViolations } from './crd-schema.js';
import { manifestId, readManifests, type Manifest } from './kustomize.js';
import { validateManifest } from './validate.js';
import { BASE_DIR, REPO_ROOT, VARIANTS, findOne, renderVariant } from './variants.js';

const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** The hook pod's spec, from the rendered Deployment. */
function podSpec(objects: readonly Manifest[]): Record<string, any> {
  return (findOne(objects, 'Deployment')['spec'] as Record<string, any>)['template']['spec'];
}

describe('install manifests (metacontroller/)', () => {
  for (const variant of Object.keys(VARIANTS)) {
    describe(`variant ${variant}`, () => {
      const objects = renderVariant(variant);

      it('validates every object against its Kubernetes, prometheus-operator or Metacontroller schema', () => {
        const problems = objects.flatMap((object) => validateManifest(object).map((problem) => `${manifestId(object)} ${problem}`));
        assert.deepEqual(problems, []);
      });

      it('has ports, selectors, probes, names and namespaces that agree', () => {
        assert.deepEqual(crossReferenceProblems(objects), []);
      });

      it('puts every namespaced object into the metacontroller namespace', () => {
        const clusterScoped = new Set(['CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
        for (const object of objects) {
          // kustomize also sets it on a CompositeController (cluster-scoped; the API server ignores it).
          const expected = clusterScoped.has(object.kind) ? undefined : 'metacontroller';
          assert.equal(object.metadata.namespace, expected, manifestId(object));
        }
      });
    });
  }

  describe('the schema check', () => {
    const base = renderVariant('all');
    type Mutation = [kind: string, description: string, mutate: (object: any) => void];
    const mutations: Mutation[] = [
      ['Deployment', 'a port number as a string', (o) => { o.spec.template.spec.containers[0].ports[0].containerPort = '8080'; }],
      ['Deployment', 'a container without a name', (o) => { delete o.spec.template.spec.containers[0].name; }],
      ['Service', 'a port without number', (o) => { delete o.spec.ports[0].port; }],
      ['CustomResourceDefinition', 'names without plural', (o) => { delete o.spec.names.plural; }],
      ['CompositeController', 'a misspelt field', (o) => { o.spec.generateSelectors = true; }],
      ['CompositeController', 'an unknown update strategy', (o) => { o.spec.childResources[0].updateStrategy.method = 'Inplace'; }],
      ['CompositeController', 'a hook without webhook', (o) => { delete o.spec.hooks.sync.webhook; }],
      ['CompositeController', 'a parent selector label value that YAML read as a boolean (unquoted true)', (o) => {
        o.spec.parentResource.labelSelector.matchLabels['backup-schedule-hook/controller'] = true;
      }],
      ['CompositeController', 'a parent selector with a misspelt matchLabels', (o) => { o.spec.parentResource.labelSelector = { matchLabel: {} }; }],
      ['ServiceMonitor', 'endpoints that are no list', (o) => { o.spec.endpoints = { port: 'http' }; }],
      ['PrometheusRule', 'a rule without expr', (o) => { delete o.spec.groups[0].rules[0].expr; }],
    ];
    for (const [kind, description, mutate] of mutations) {
      it(`rejects a ${kind} with ${description}`, () => {
        const object = structuredClone(findOne(base, kind));
        mutate(object);
        assert.notDeepEqual(validateManifest(object), []);
      });
    }
  });

  describe('the cross-reference check', () => {
    const base = renderVariant('monitoring');
    type Mutation = [description: string, mutate: (objects: any[]) => void, expected: RegExp];
    const byKind = (objects: any[], kind: string): any => objects.find((object) => object.kind === kind);
    const container = (objects: any[]): any => byKind(objects, 'Deployment').spec.template.spec.containers[0];
    const mutations: Mutation[] = [
      ['Service targetPort names no container port', (o) => { byKind(o, 'Service').spec.ports[0].targetPort = 'web'; }, /targetPort/],
      ['Service selector misses the pods', (o) => { byKind(o, 'Service').spec.selector = { app: 'other' }; }, /Service selector/],
      ['hook port differs from the Service port', (o) => { byKind(o, 'CompositeController').spec.hooks.sync.webhook.service.port = 80; }, /sync hook port/],
      ['hook namespace differs', (o) => { byKind(o, 'CompositeController').spec.hooks.sync.webhook.service.namespace = 'default'; }, /sync hook namespace/],
      ['hook path is not /sync', (o) => { byKind(o, 'CompositeController').spec.hooks.sync.webhook.path = '/'; }, /sync hook path/],
      ['no customize hook', (o) => { delete byKind(o, 'CompositeController').spec.hooks.customize; }, /customize hook service/],
      ['customize hook on the sync path', (o) => { byKind(o, 'CompositeController').spec.hooks.customize.webhook.path = '/sync'; }, /customize hook path/],
      ['PORT env differs from containerPort', (o) => { container(o).env[0].value = '9090'; }, /env PORT/],
      ['liveness probe path', (o) => { container(o).livenessProbe.httpGet.path = '/'; }, /livenessProbe must GET/],
      ['readiness probe path', (o) => { container(o).readinessProbe.httpGet.path = '/healthz'; }, /readinessProbe must GET/],
      ['PDB selector', (o) => { byKind(o, 'PodDisruptionBudget').spec.selector.matchLabels = { x: 'y' }; }, /PodDisruptionBudget/],
      ['PDB blocks every drain', (o) => { byKind(o, 'PodDisruptionBudget').spec.minAvailable = 2; }, /minAvailable/],
      ['topology spread selector', (o) => { byKind(o, 'Deployment').spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels = {}; }, /topologySpreadConstraint/],
      ['NetworkPolicy podSelector', (o) => { byKind(o, 'NetworkPolicy').spec.podSelector.matchLabels = { x: 'y' }; }, /podSelector/],
      ['NetworkPolicy admits everyone', (o) => { delete byKind(o, 'NetworkPolicy').spec.ingress[0].from; }, /admits every source/],
      ['NetworkPolicy misses Prometheus', (o) => { byKind(o, 'NetworkPolicy').spec.ingress[0].from.pop(); }, /expected metacontroller,monitoring/],
      ['ServiceAccount name', (o) => { byKind(o, 'Deployment').spec.template.spec.serviceAccountName = 'default'; }, /serviceAccountName/],
      ['ServiceMonitor without honorLabels', (o) => { delete byKind(o, 'ServiceMonitor').spec.endpoints[0].honorLabels; }, /honorLabels/],
      ['ServiceMonitor port name', (o) => { byKind(o, 'ServiceMonitor').spec.endpoints[0].port = 'metrics'; }, /endpoint port/],
    ];
    for (const [description, mutate, expected] of mutations) {
      it(`reports: ${description}`, () => {
        const objects = structuredClone(base) as any[];
        mutate(objects);
        const problems = crossReferenceProblems(objects);
        assert.ok(problems.some((problem) => expected.test(problem)), `got ${JSON.stringify(problems)}`);
      });
    }
  });

  describe('base', () => {
    const objects = renderVariant('base');

    it('runs the hook non-root, read-only, without privilege escalation or capabilities, under RuntimeDefault seccomp', () => {
      const pod = podSpec(objects);
      assert.equal(pod['securityContext'].runAsNonRoot, true);
      assert.equal(pod['securityContext'].seccompProfile.type, 'RuntimeDefault');
      assert.equal(pod['automountServiceAccountToken'], false);
      for (const container of pod['containers']) {
        const context = container.securityContext;
        assert.equal(context.allowPrivilegeEscalation, false, container.name);
        assert.equal(context.readOnlyRootFilesystem, true, container.name);
        assert.deepEqual(context.capabilities.drop, ['ALL'], container.name);
        assert.equal(context.capabilities.add, undefined, container.name);
        assert.equal(context.privileged ?? false, false, container.name);
        assert.notEqual(context.runAsUser ?? pod['securityContext'].runAsUser, 0, container.name);
      }
    });

    it('runs two replicas with requests and limits, a preStop pause, and a termination grace longer than preStop plus SHUTDOWN_GRACE', () => {
      const deployment = findOne(objects, 'Deployment')['spec'] as Record<string, any>;
      assert.equal(deployment['replicas'], 2);
      const pod = podSpec(objects);
      const container = pod['containers'][0];
      for (const key of ['cpu', 'memory']) assert.ok(container.resources.requests[key], `requests.${key}`);
      assert.ok(container.resources.limits.memory, 'limits.memory');
      const mebibytes = (quantity: string): number => Number(/^(\d+)Mi$/.exec(quantity)?.[1] ?? Number.NaN);
      assert.ok(mebibytes(container.resources.limits.memory) >= mebibytes(container.resources.requests.memory));
      const sleep = container.lifecycle.preStop.exec.command as string[];
      assert.equal(sleep[0], 'sleep');
      const { shutdownGraceMs } = deployedConfig(objects);
      const syncTimeoutMs = seconds((findOne(objects, 'CompositeController') as any).spec.hooks.sync.webhook.timeout) * 1000;
      assert.ok(shutdownGraceMs >= syncTimeoutMs, `SHUTDOWN_GRACE (${shutdownGraceMs} ms) lets a sync of up to the ${syncTimeoutMs} ms hook timeout finish`);
      assert.ok(pod['terminationGracePeriodSeconds'] * 1000 > Number(sleep[1]) * 1000 + shutdownGraceMs, 'the kubelet waits for preStop plus SHUTDOWN_GRACE');
    });

    it('keeps an idle connection open longer than Metacontroller does (Go\'s http.DefaultTransport, IdleConnTimeout 90 s), so Metacontroller closes it', () => {
      assert.ok(deployedConfig(objects).keepAliveTimeoutMs > METACONTROLLER_IDLE_CONN_TIMEOUT_MS);
    });

    it('has a ServiceAccount without token and no RBAC objects (the hook calls no API)', () => {
      const account = findOne(objects, 'ServiceAccount');
      assert.equal(account['automountServiceAccountToken'], false);
      const rbac = objects.filter((object) => object.apiVersion.startsWith('rbac.authorization.k8s.io/'));
      assert.deepEqual(rbac.map(manifestId), []);
    });

    it('names the image through kustomize images:, tagged with the package version', () => {
      const kustomization = readKustomization(path.join(BASE_DIR, 'kustomization.yaml'));
      const image = kustomization.images?.find((entry) => entry.name === 'backup-schedule-hook');
      assert.ok(image, 'images: has an entry for backup-schedule-hook');
      assert.equal(image.newTag, packageJson.version);
      assert.equal(podSpec(objects)['containers'][0].image, `${image.newName ?? image.name}:${packageJson.version}`);
    });

    it('declares the BackupSchedule CRD Metacontroller needs: namespaced v1alpha1 with a status subresource', () => {
      const crd = findOne(objects, 'CustomResourceDefinition') as any;
      assert.equal(crd.metadata.name, 'backupschedules.pingcap.com');
      assert.equal(crd.spec.group, 'pingcap.com');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.equal(crd.spec.names.kind, 'BackupSchedule');
      assert.equal(crd.spec.names.plural, 'backupschedules');
      assert.deepEqual(crd.spec.names.shortNames, ['bks']);
      assert.equal(crd.spec.versions.length, 1);
      const [version] = crd.spec.versions;
      assert.equal(version.name, 'v1alpha1');
      assert.equal(version.served, true);
      assert.equal(version.storage, true);
      assert.deepEqual(version.subresources, { status: {} });
    });

    it('has a structural CRD schema', () => {
      const schema = crdVersionSchema(findOne(objects, 'CustomResourceDefinition'), 'v1alpha1');
      assert.deepEqual(structuralViolations(schema), []);
    });

    it('preserves unknown fields only in the upstream templates and storage blocks', () => {
      const schema = crdVersionSchema(findOne(objects, 'CustomResourceDefinition'), 'v1alpha1');
      const preserving: string[] = [];
      const walk = (node: any, where: string): void => {
        if (node['x-kubernetes-preserve-unknown-fields'] === true) preserving.push(where);
        for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${where}.${name}`);
        if (node.items) walk(node.items, `${where}[]`);
      };
      walk(schema, '');
      const allowed = ['backupTemplate', 'logBackupTemplate', 'compactBackupTemplate', 'br', 's3', 'gcs', 'azblob', 'local'];
      assert.deepEqual(preserving.sort(), allowed.map((name) => `.spec.${name}`).sort());
    });

    it('prints schedule, paused, last backup, last backup time, next backup time and age, each backed by the schema', () => {
      const crd = findOne(objects, 'CustomResourceDefinition') as any;
      const [version] = crd.spec.versions;
      const columns = version.additionalPrinterColumns as Array<{ name: string; type: string; jsonPath: string }>;
      assert.deepEqual(columns.map((column) => column.name), ['Schedule', 'Paused', 'Last Backup', 'Last Backup Time', 'Next Backup Time', 'Age']);
      const schema = crdVersionSchema(crd, 'v1alpha1');
      for (const column of columns) {
        if (column.jsonPath === '.metadata.creationTimestamp') {
          assert.equal(column.type, 'date');
          continue;
        }
        const node = schemaAt(schema, column.jsonPath);
        assert.ok(node, `${column.name}: ${column.jsonPath} is not in the schema`);
        const expected = column.type === 'date' ? { type: 'string', format: 'date-time' } : { type: column.type, format: undefined };
        assert.deepEqual({ type: node.type, format: node.format }, expected, column.name);
      }
    });

    it('drives Backups of the BackupSchedules handed over to it (HANDOVER_LABEL_KEY=true) with the settings the hook is designed for, with a customize hook for groups', () => {
      const controller = findOne(objects, 'CompositeController') as any;
      const crd = findOne(objects, 'CustomResourceDefinition') as any;
      const { labelSelector, ...parentResource } = controller.spec.parentResource;
      assert.deepEqual(parentResource, { apiVersion: `${crd.spec.group}/v1alpha1`, resource: crd.spec.names.plural });
      assert.deepEqual(labelSelector, { matchLabels: { [deployedConfig(objects).handoverLabelKey]: 'true' } });
      assert.deepEqual(controller.spec.childResources, [
        { apiVersion: 'pingcap.com/v1alpha1', resource: 'backups', updateStrategy: { method: 'InPlace' } },
      ]);
      assert.equal(controller.spec.generateSelector, true);
      assert.equal(controller.spec.hooks.sync.version, 'v2');
      assert.equal(controller.spec.hooks.customize.version, 'v1');
      assert.equal(controller.spec.hooks.finalize, undefined);
      assert.match(controller.spec.hooks.sync.webhook.timeout, /^\d+s$/);
      assert.match(controller.spec.hooks.customize.webhook.timeout, /^\d+s$/);
      assert.ok(controller.spec.resyncPeriodSeconds >= 60);
    });
  });

  it('the compact-backups component adds CompactBackups as a second child type', () => {
    const controller = findOne(renderVariant('compact-backups'), 'CompositeController') as any;
    assert.deepEqual(controller.spec.childResources.map((child: any) => `${child.apiVersion} ${child.resource}`), [
      'pingcap.com/v1alpha1 backups',
      'pingcap.com/v1alpha1 compactbackups',
    ]);
  });

  it('the require-handover-label component admits only BackupSchedules with the handover label the CompositeController selects', () => {
    const objects = renderVariant('require-handover-label') as any[];
    const policy = objects.find((object) => object.kind === 'ValidatingAdmissionPolicy');
    const binding = objects.find((object) => object.kind === 'ValidatingAdmissionPolicyBinding');
    const crd = objects.find((object) => object.kind === 'CustomResourceDefinition');
    assert.equal(binding.spec.policyName, policy.metadata.name);
    assert.deepEqual(binding.spec.validationActions, ['Deny']);
    assert.deepEqual(policy.spec.matchConstraints.resourceRules, [{
      apiGroups: [crd.spec.group], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [crd.spec.names.plural],
    }]);
    assert.match(policy.spec.validations[0].expression, /labels\['backup-schedule-hook\/controller'\] == 'true'/);
    const selector = findOne(objects, 'CompositeController')['spec'] as any;
    assert.deepEqual(selector.parentResource.labelSelector.matchLabels, { 'backup-schedule-hook/controller': 'true' });
  });

  it('every YAML file under metacontroller/ is part of some variant', () => {
    const rendered = new Set(Object.keys(VARIANTS).flatMap((variant) => renderVariant(variant).map(manifestId)));
    const files = fs.readdirSync(BASE_DIR, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml') && path.basename(file) !== 'kustomization.yaml');
    assert.ok(files.length > 0);
    for (const file of files) {
      for (const object of readManifests(path.join(BASE_DIR, file))) {
        const ids = [...rendered].filter((id) => id.startsWith(`${object.apiVersion}/${object.kind}/`) && id.endsWith(`/${object.metadata.name}`));
        assert.equal(ids.length > 0, true, `${file}: ${object.kind} ${object.metadata.name} is in no variant`);
      }
    }
  });
});

/**
 * How long Metacontroller's webhook client keeps an idle connection: pkg/hooks/webhook.go builds `http.Client{Timeout}`
 * without a Transport, so pkg/metrics/http.go wraps Go's http.DefaultTransport (IdleConnTimeout 90 s).
 */
const METACONTROLLER_IDLE_CONN_TIMEOUT_MS = 90_000;

/** The hook's configuration as the Deployment's environment sets it. */
function deployedConfig(objects: readonly Manifest[]): Config {
  const env = (podSpec(objects)['containers'][0].env ?? []) as Array<{ name: string; value?: string }>;
  return loadConfig(Object.fromEntries(env.map((variable) => [variable.name, variable.value])));
}

/** Whole seconds of a Go duration such as `20s`. */
function seconds(duration: string): number {
  const match = /^(\d+)s$/.exec(duration);
  if (match === null) throw new Error(`expected a duration in whole seconds, got ${duration}`);
  return Number(match[1]);
}

/** The base's kustomization.yaml. */
function readKustomization(file: string): { images?: Array<{ name: string; newName?: string; newTag?: string }> } {
  return parseYaml(fs.readFileSync(file, 'utf8')) as { images?: Array<{ name: string; newName?: string; newTag?: string }> };
}
