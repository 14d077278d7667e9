/**
 * Cross-references between the rendered objects that no schema checks: ports, label selectors,
 * probe paths, names and namespaces that must agree for the install to work.
 */
import type { Manifest } from './kustomize.js';

type Labels = Record<string, string>;

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}

interface ContainerPort {
  name?: string;
  containerPort: number;
}

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}

interface Container {
  name: string;
  ports?: ContainerPort[];
  env?: Array<{ name: string; value?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  topologySpreadConstraints?: Array<{ topologyKey: string; labelSelector?: Selector }>;
}

interface DeploymentSpec {
  replicas?: number;
  selector: Selector;
  template: { metadata?: { labels?: Labels }; spec: PodSpec };
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: string | number;
}

interface WebhookService {
  name?: string;
  namespace?: string;
  port?: number;
}

/** Where Metacontroller must send sync requests, and the health routes the hook serves. */
export const HOOK_ROUTES = { sync: '/sync', customize: '/customize', liveness: '/healthz', readiness: '/readyz', metrics: '/metrics' } as const;

/** Namespaces whose pods must be let in: Metacontroller's and Prometheus's. */
export const INGRESS_NAMESPACES = ['metacontroller', 'monitoring'] as const;

/** Every broken cross-reference among `objects`, as readable sentences; [] when all agree. */
export function crossReferenceProblems(objects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const deployments = objects.filter((object) => object.kind === 'Deployment');
  if (deployments.length !== 1) return [`expected one Deployment, found ${deployments.length}`];
  const deployment = deployments[0] as Manifest;
  const spec = deployment['spec'] as DeploymentSpec;
  const podLabels = spec.template.metadata?.labels ?? {};
  const container = spec.template.spec.containers[0];
  if (container === undefined) return ['the Deployment has no container'];
  const namespace = deployment.metadata.namespace;

  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const selects = (selector: Selector | undefined, what: string): void => {
    check(selectorMatches(selector, podLabels), `${what} does not select the pod labels ${JSON.stringify(podLabels)}`);
  };

  selects(spec.selector, 'Deployment spec.selector');
  const portEnv = container.env?.find((variable) => variable.name === 'PORT')?.value;
  const httpPort = container.ports?.find((port) => port.name === 'http');
  check(httpPort !== undefined, 'the container declares no port named http');
  check(httpPort === undefined || portEnv === String(httpPort.containerPort),
    `env PORT=${String(portEnv)} differs from containerPort ${String(httpPort?.containerPort)}`);
  check(container.livenessProbe?.httpGet?.path === HOOK_ROUTES.liveness, `livenessProbe must GET ${HOOK_ROUTES.liveness}`);
  check(container.readinessProbe?.httpGet?.path === HOOK_ROUTES.readiness, `readinessProbe must GET ${HOOK_ROUTES.readiness}`);
  for (const [name, probe] of [['livenessProbe', container.livenessProbe], ['readinessProbe', container.readinessProbe]] as const) {
    check(resolvePort(container, probe?.httpGet?.port) === httpPort?.containerPort, `${name} port does not resolve to the http port`);
  }
  for (const constraint of spec.template.spec.topologySpreadConstraints ?? []) {
    selects(constraint.labelSelector, `topologySpreadConstraint ${constraint.topologyKey}`);
  }

  const accounts = objects.filter((object) => object.kind === 'ServiceAccount');
  check(accounts.some((account) => account.metadata.name === spec.template.spec.serviceAccountName && account.metadata.namespace === namespace),
    `serviceAccountName ${String(spec.template.spec.serviceAccountName)} is not a ServiceAccount of this install`);

  const services = objects.filter((object) => object.kind === 'Service');
  const service = services[0];
  check(services.length === 1, `expected one Service, found ${services.length}`);
  const servicePort = (service?.['spec'] as { ports?: ServicePort[] } | undefined)?.ports?.[0];
  if (service !== undefined) {
    const serviceSpec = service['spec'] as { selector?: Labels };
    selects({ matchLabels: serviceSpec.selector ?? {} }, 'Service selector');
    check(service.metadata.namespace === namespace, 'the Service and the Deployment are in different namespaces');
    check(servicePort !== undefined && resolvePort(container, servicePort.targetPort ?? servicePort.port) === httpPort?.containerPort,
      'Service targetPort does not resolve to the container port');
  }

  const controllers = objects.filter((object) => object.kind === 'CompositeController');
  check(controllers.length === 1, `expected one CompositeController, found ${controllers.length}`);
  type Webhook = { service?: WebhookService; path?: string; url?: string };
  for (const controller of controllers) {
    const hooks = (controller['spec'] as { hooks?: Record<string, { webhook?: Webhook } | undefined> }).hooks ?? {};
    for (const name of ['sync', 'customize'] as const) {
      const webhook = hooks[name]?.webhook;
      check(webhook?.url === undefined, `the ${name} hook should address the Service, not a url`);
      check(webhook?.service?.name === service?.metadata.name, `${name} hook service ${String(webhook?.service?.name)} is not the Service`);
      check(webhook?.service?.namespace === service?.metadata.namespace,
        `${name} hook namespace ${String(webhook?.service?.namespace)} is not the Service's ${String(service?.metadata.namespace)}`);
      check((webhook?.service?.port ?? 80) === servicePort?.port,
        `${name} hook port ${String(webhook?.service?.port ?? 80)} is not the Service port ${String(servicePort?.port)}`);
      check(webhook?.path === HOOK_ROUTES[name], `${name} hook path must be ${HOOK_ROUTES[name]}`);
    }
  }

  for (const budget of objects.filter((object) => object.kind === 'PodDisruptionBudget')) {
    const budgetSpec = budget['spec'] as { selector?: Selector; minAvailable?: number | string };
    selects(budgetSpec.selector, `PodDisruptionBudget ${budget.metadata.name}`);
    check(typeof budgetSpec.minAvailable !== 'number' || budgetSpec.minAvailable < (spec.replicas ?? 1),
      'PodDisruptionBudget minAvailable must be below replicas, or no node can ever be drained');
  }

  const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
  check(policies.length === 1, `expected one NetworkPolicy, found ${policies.length}`);
  for (const policy of policies) problems.push(...networkPolicyProblems(policy, podLabels, container, httpPort?.containerPort));

  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor')) {
    const monitorSpec = monitor['spec'] as { selector?: Selector; endpoints?: Array<{ port?: string; path?: string; honorLabels?: boolean }> };
    check(service !== undefined && selectorMatches(monitorSpec.selector, service.metadata.labels ?? {}), 'ServiceMonitor does not select the Service');
    check(monitor.metadata.namespace === service?.metadata.namespace, 'ServiceMonitor is not in the Service namespace');
    const endpoint = monitorSpec.endpoints?.[0];
    check(endpoint?.port !== undefined && endpoint.port === servicePort?.name, 'ServiceMonitor endpoint port is not the Service port name');
    check(endpoint?.path === HOOK_ROUTES.metrics, `ServiceMonitor must scrape ${HOOK_ROUTES.metrics}`);
    check(endpoint?.honorLabels === true, 'ServiceMonitor needs honorLabels: true, or the schedules\' namespace label becomes exported_namespace');
  }
  return problems;
}

/** The NetworkPolicy must select the pods and admit exactly the expected namespaces on the http port. */
function networkPolicyProblems(policy: Manifest, podLabels: Labels, container: Container, httpPort: number | undefined): string[] {
  const problems: string[] = [];
  const spec = policy['spec'] as {
    podSelector?: Selector;
    policyTypes?: string[];
    ingress?: Array<{ from?: Array<{ namespaceSelector?: Selector; podSelector?: Selector }>; ports?: Array<{ port?: string | number }> }>;
  };
  if (!selectorMatches(spec.podSelector, podLabels)) problems.push('NetworkPolicy podSelector does not select the pods');
  if (!(spec.policyTypes ?? []).includes('Ingress')) problems.push('NetworkPolicy does not restrict Ingress');
  const admitted = new Set<string>();
  for (const rule of spec.ingress ?? []) {
    if (rule.from === undefined || rule.from.length === 0) problems.push('a NetworkPolicy rule admits every source');
    for (const peer of rule.from ?? []) {
      const name = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      if (name === undefined || peer.podSelector !== undefined) problems.push(`NetworkPolicy peer ${JSON.stringify(peer)} is not a namespace by name`);
      else admitted.add(name);
    }
    const ports = rule.ports ?? [];
    if (ports.length === 0 || ports.some((port) => resolvePort(container, port.port) !== httpPort)) {
      problems.push('NetworkPolicy ports must be the http port only');
    }
  }
  const expected = [...INGRESS_NAMESPACES].sort().join(',');
  if ([...admitted].sort().join(',') !== expected) problems.push(`NetworkPolicy admits ${[...admitted].join(',')}, expected ${expected}`);
  return problems;
}

/** True when every matchLabels pair is among `labels` (matchExpressions are not used here). */
export function selectorMatches(selector: Selector | undefined, labels: Labels): boolean {
  if (selector === undefined || selector.matchExpressions !== undefined) return false;
  const pairs = Object.entries(selector.matchLabels ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === value);
}

/** A port number or container port name, resolved to the container port number. */
function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}
