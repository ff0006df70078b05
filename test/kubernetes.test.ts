import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import {
  NetworkPolicy,
  type INetworkPolicy,
} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/**
 * The Kubernetes manifests of deploy/kubernetes, read as `kubectl apply -k` would take them:
 * every object is checked against the Kubernetes object schemas (kubernetes-models), then
 * against what the stack needs (probes, ports, Secrets, network policies). No cluster runs here.
 */

const root = resolve(__dirname, '..');
const dir = join(root, 'deploy', 'kubernetes');

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

type Labels = Record<string, string>;

/** The schema classes by `apiVersion/kind`; an object of any other kind is refused. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Throws naming the object when it is of an unknown kind or does not fit its schema. */
function validateObject(object: KubeObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) {
    throw new Error(
      `${object.kind} ${object.metadata?.name}: expected one of ${Object.keys(MODELS).join(', ')}, got ${object.apiVersion}/${object.kind}`,
    );
  }
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
  resources?: string[];
  [field: string]: unknown;
};

const manifestFiles = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml')
  .sort();

const objects: KubeObject[] = manifestFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return document.toJS() as KubeObject;
  }),
);

const ofKind = <T>(kind: string, list: KubeObject[] = objects): (KubeObject & T)[] =>
  list.filter((object) => object.kind === kind) as (KubeObject & T)[];

/** Subgraph names, from supergraph.yaml: the one list of subgraphs. */
const subgraphs = Object.keys(
  (parse(readFileSync(join(root, 'supergraph.yaml'), 'utf8')) as { subgraphs: object }).subgraphs,
);
const services = ['gateway', ...subgraphs];

const deployments = ofKind<IDeployment>('Deployment');
const deploymentOf = (name: string): IDeployment & KubeObject => {
  const found = deployments.find((deployment) => deployment.metadata.name === name);
  if (!found) throw new Error(`no Deployment ${name}`);
  return found;
};
const podLabelsOf = (deployment: IDeployment): Labels =>
  (deployment.spec?.template.metadata?.labels ?? {}) as Labels;
const containerOf = (deployment: IDeployment): IContainer => {
  const container = deployment.spec?.template.spec?.containers[0];
  if (!container) throw new Error(`Deployment ${deployment.metadata?.name} has no container`);
  return container;
};
const envOf = (container: IContainer, name: string) =>
  container.env?.find((variable) => variable.name === name);
const portVariableOf = (service: string) => subgraphVariables(service).port;

interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects a pod with these labels (`{}` selects every pod). */
function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    if (operator === 'In') return value !== undefined && values.includes(value);
    if (operator === 'NotIn') return value === undefined || !values.includes(value);
    if (operator === 'Exists') return value !== undefined;
    if (operator === 'DoesNotExist') return value === undefined;
    throw new Error(`unknown selector operator ${operator}`);
  });
  return byLabel && byExpression;
}

/** The number a container port given by name or number stands for. */
function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((declared) => declared.name === port)?.containerPort;
}

/**
 * What is wrong with a Deployment's probes: liveness on `/health`, readiness on
 * `readinessPath`, both on the port the service listens on (`listenPort`).
 */
function probeProblems(
  deployment: IDeployment,
  expected: { readinessPath: string; listenPort: number },
): string[] {
  const container = containerOf(deployment);
  const problems: string[] = [];
  const check = (kind: string, probe: IProbe | undefined, path: string) => {
    if (!probe?.httpGet) {
      problems.push(`${kind} probe missing or not httpGet`);
      return;
    }
    if (probe.httpGet.path !== path) problems.push(`${kind} probe on ${probe.httpGet.path}`);
    const port = resolvePort(container, probe.httpGet.port);
    if (port !== expected.listenPort) {
      problems.push(`${kind} probe on port ${port}, expected ${expected.listenPort}`);
    }
  };
  check('liveness', container.livenessProbe, '/health');
  check('readiness', container.readinessProbe, expected.readinessPath);
  if (container.startupProbe) check('startup', container.startupProbe, '/health');
  return problems;
}

/** Services that can be reached from outside the cluster, and Services an Ingress routes to. */
function externallyReachable(list: KubeObject[]): string[] {
  const services = ofKind<IService>('Service', list)
    .filter((service) => (service.spec?.type ?? 'ClusterIP') !== 'ClusterIP')
    .map((service) => service.metadata.name);
  const routed = ofKind<{ spec?: unknown }>('Ingress', list).flatMap(
    (ingress) =>
      JSON.stringify(ingress.spec ?? {})
        .match(/"service":\{"name":"[^"]+"/g)
        ?.map((match) => match.slice('"service":{"name":"'.length, -1)) ?? [],
  );
  return [...new Set([...services, ...routed])].sort();
}

/** Whether a policy's port list admits `port` (a port given by number or by container port name). */
function admitsPort(
  ports: { port?: number | string; endPort?: number; protocol?: string }[] | undefined,
  container: IContainer,
  port: number,
): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== 'TCP') return false;
    if (entry.port === undefined) return true;
    const first = resolvePort(container, entry.port);
    if (first === undefined) return false;
    return port >= first && port <= (entry.endPort ?? first);
  });
}

/**
 * What admits traffic to `target`'s `port` from anything but the pods of `gateway`: every
 * ingress rule of every policy that selects the target's pods and covers that port must name
 * only peers that select the gateway's pods and no other Deployment's, in this namespace. Also
 * a problem: no rule admitting the gateway at all (the stack would not work).
 */
function subgraphPolicyProblems(
  policies: INetworkPolicy[],
  target: IDeployment,
  port: number,
  gateway: IDeployment,
  others: IDeployment[],
): string[] {
  const targetLabels = podLabelsOf(target);
  const container = containerOf(target);
  const problems: string[] = [];
  let gatewayAdmitted = false;
  for (const policy of policies) {
    const name = policy.metadata?.name;
    if (!selects(policy.spec?.podSelector as LabelSelector, targetLabels)) continue;
    const types = policy.spec?.policyTypes ?? ['Ingress'];
    if (!types.includes('Ingress')) continue;
    for (const rule of policy.spec?.ingress ?? []) {
      if (!admitsPort(rule.ports as never, container, port)) continue;
      if (!rule.from || rule.from.length === 0) {
        problems.push(`${name} admits port ${port} from everywhere`);
        continue;
      }
      for (const peer of rule.from) {
        if (peer.ipBlock) problems.push(`${name} admits port ${port} from ${peer.ipBlock.cidr}`);
        else if (peer.namespaceSelector) {
          problems.push(`${name} admits port ${port} from other namespaces`);
        } else {
          const selector = peer.podSelector as LabelSelector;
          const strangers = others.filter((other) => selects(selector, podLabelsOf(other)));
          if (strangers.length > 0) {
            const names = strangers.map((other) => other.metadata?.name).join(', ');
            problems.push(`${name} admits port ${port} from ${names}`);
          }
          if (selects(selector, podLabelsOf(gateway))) gatewayAdmitted = true;
        }
      }
    }
  }
  if (!gatewayAdmitted) problems.push(`no policy admits the gateway to port ${port}`);
  return problems;
}

/** Whether a policy denies all ingress to every pod of the namespace. */
function isDefaultDeny(policy: INetworkPolicy): boolean {
  const selector = (policy.spec?.podSelector ?? {}) as LabelSelector;
  const selectsAll =
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0;
  return (
    selectsAll &&
    (policy.spec?.policyTypes ?? []).includes('Ingress') &&
    (policy.spec?.ingress ?? []).length === 0
  );
}

const SECRET_NAME = /(SECRET|KEY|PASSWORD|DATABASE_URL|REDIS_URL)$/;

/**
 * Secret values written into the manifests: a `value` for a variable whose name ends in SECRET,
 * KEY, PASSWORD, DATABASE_URL or REDIS_URL (anywhere in any object), or a Secret object with data.
 */
function inlinedSecrets(list: KubeObject[]): string[] {
  const found: string[] = [];
  const visit = (node: unknown, where: string) => {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${where}[${i}]`));
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.name === 'string' && SECRET_NAME.test(record.name) && 'value' in record) {
        found.push(`${where}: ${record.name}`);
      }
      for (const [key, value] of Object.entries(record)) visit(value, `${where}.${key}`);
    }
  };
  for (const object of list) {
    const where = `${object.kind} ${object.metadata.name}`;
    if (object.kind === 'Secret' && (object.data || object.stringData)) found.push(where);
    visit(object, where);
  }
  return found;
}

/** Deep copy, for the deliberately broken variants. */
const copy = <T>(value: T): T => structuredClone(value);

const policies = ofKind<INetworkPolicy>('NetworkPolicy');
const gatewayDeployment = deploymentOf('gateway');
const listenPortOf = (name: string): number =>
  Number(envOf(containerOf(deploymentOf(name)), portVariableOf(name))?.value);
/** The gateway answers while subgraphs are down, so its readiness is the process being up. */
const readinessPathOf = (name: string) => (name === 'gateway' ? '/health' : '/health/ready');

describe('deploy/kubernetes', () => {
  it('lists in kustomization.yaml exactly the manifest files present, and changes nothing the checks do not see', () => {
    expect([...(kustomization.resources ?? [])].sort()).toEqual(manifestFiles);
    expect(Object.keys(kustomization).sort()).toEqual(
      ['apiVersion', 'kind', 'namespace', 'resources', 'images'].sort(),
    );
    expect(kustomization.namespace).toBe('fedstack');
  });

  it('holds objects that fit the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(() => validateObject(object)).not.toThrow();
    expect(objects.filter((object) => object.metadata.namespace !== undefined)).toEqual([]);
  });

  it('has a Deployment and a ClusterIP Service per service, the Service selecting its pods on the port it listens on', () => {
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(
      [...services].sort(),
    );
    for (const name of services) {
      const service = ofKind<IService>('Service').find((s) => s.metadata.name === name);
      expect(service?.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
      expect(
        selects({ matchLabels: service?.spec?.selector }, podLabelsOf(deploymentOf(name))),
      ).toBe(true);
      const container = containerOf(deploymentOf(name));
      const http = service?.spec?.ports?.find((port) => port.name === 'http');
      expect(resolvePort(container, http?.targetPort)).toBe(listenPortOf(name));
    }
  });

  it('exposes only the gateway: every Service is ClusterIP and no Ingress routes elsewhere', () => {
    expect(externallyReachable(objects).filter((name) => name !== 'gateway')).toEqual([]);
  });

  it('runs every service in production mode from its entry point, with its metrics port declared', () => {
    for (const name of services) {
      const container = containerOf(deploymentOf(name));
      const entry = name === 'gateway' ? 'gateway/src/main.ts' : `subgraphs/${name}/src/main.ts`;
      expect(container.command).toEqual(['node', '--import', 'tsx', entry]);
      expect(envOf(container, 'NODE_ENV')?.value).toBe('production');
      const metricsPort = Number(envOf(container, 'METRICS_PORT')?.value);
      expect(resolvePort(container, 'metrics')).toBe(metricsPort);
      expect(metricsPort).not.toBe(listenPortOf(name));
    }
  });

  it('gives every Deployment a liveness probe on /health and a readiness probe on its ready path, on its own port', () => {
    for (const name of services) {
      expect(
        probeProblems(deploymentOf(name), {
          readinessPath: readinessPathOf(name),
          listenPort: listenPortOf(name),
        }),
      ).toEqual([]);
    }
  });

  it('runs every container as non-root on a read-only root filesystem, with writable emptyDirs where the service writes, and with requests and limits', () => {
    for (const name of services) {
      const deployment = deploymentOf(name);
      const pod = deployment.spec?.template.spec;
      const container = containerOf(deployment);
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      for (const kind of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
      const emptyDirs = (pod?.volumes ?? []).filter((volume) => volume.emptyDir).map((v) => v.name);
      const writable = (container.volumeMounts ?? [])
        .filter((mount) => emptyDirs.includes(mount.name))
        .map((mount) => mount.mountPath);
      // tsx writes its compile cache to the temporary directory; subgraphs need a writable
      // DATA_DIR at start even on PostgreSQL, the gateway in production does not.
      const dataDir = envOf(container, 'DATA_DIR')?.value;
      expect(writable.sort()).toEqual(name === 'gateway' ? ['/tmp'] : ['/tmp', dataDir].sort());
    }
  });

  it('points each subgraph at its own database URL from a Secret, and the gateway at each subgraph Service', () => {
    const gateway = containerOf(gatewayDeployment);
    for (const name of subgraphs) {
      const variable = envOf(containerOf(deploymentOf(name)), subgraphVariables(name).databaseUrl);
      expect(variable?.valueFrom?.secretKeyRef).toEqual({ name: `${name}-database`, key: 'url' });
      const service = ofKind<IService>('Service').find((s) => s.metadata.name === name);
      const port = service?.spec?.ports?.find((p) => p.name === 'http')?.port;
      expect(envOf(gateway, subgraphVariables(name).url)?.value).toBe(
        `http://${name}:${port}/graphql`,
      );
      expect(deploymentOf(name).spec?.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it("has the gateway take the token keys from the users Service's JWKS, not from a key file", () => {
    const gateway = containerOf(gatewayDeployment);
    const users = ofKind<IService>('Service').find((s) => s.metadata.name === 'users');
    const port = users?.spec?.ports?.find((p) => p.name === 'http')?.port;
    expect(envOf(gateway, 'JWT_JWKS_URL')?.value).toBe(
      `http://users:${port}/.well-known/jwks.json`,
    );
    expect(envOf(gateway, 'JWT_PUBLIC_KEY_FILE')).toBeUndefined();
    expect(envOf(gateway, 'JWT_PUBLIC_KEY')).toBeUndefined();
  });

  it('gives the gateway and the users subgraph one shared REDIS_URL from a Secret, and no one else', () => {
    for (const name of services) {
      const variable = envOf(containerOf(deploymentOf(name)), 'REDIS_URL');
      if (name === 'gateway' || name === 'users') {
        expect([name, variable?.valueFrom?.secretKeyRef]).toEqual([
          name,
          { name: 'fedstack-redis', key: 'url' },
        ]);
      } else {
        expect([name, variable]).toEqual([name, undefined]);
      }
    }
  });

  it('reads every key and secret from a file of a mounted Secret, as the *_FILE variables name it', () => {
    const needed: Record<string, string[]> = {
      gateway: ['GATEWAY_SIGNING_SECRET_FILE'],
      users: ['GATEWAY_SIGNING_SECRET_FILE', 'JWT_PRIVATE_KEY_FILE'],
    };
    for (const name of services) {
      const deployment = deploymentOf(name);
      const container = containerOf(deployment);
      for (const variable of needed[name] ?? ['GATEWAY_SIGNING_SECRET_FILE']) {
        const path = envOf(container, variable)?.value ?? '';
        const mount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
        const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
        expect([variable, volume?.secret?.secretName]).toEqual([variable, expect.any(String)]);
        const file = posix.relative(mount?.mountPath ?? '', path);
        expect(volume?.secret?.items?.map((item) => item.path)).toContain(file);
      }
      expect(envOf(container, 'JWT_PRIVATE_KEY_FILE') !== undefined).toBe(name === 'users');
    }
  });

  it('inlines no secret value: no Secret object with data, no value for a *SECRET, *KEY, *PASSWORD or *DATABASE_URL variable', () => {
    expect(ofKind('Secret').length + inlinedSecrets(objects).length).toBe(0);
  });

  it('scales the gateway with an autoscaling/v2 HPA and keeps every service available through disruptions', () => {
    const hpa = ofKind<{
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number };
    }>('HorizontalPodAutoscaler');
    expect(hpa.map((h) => h.spec.scaleTargetRef)).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' },
    ]);
    expect(hpa[0]?.spec.minReplicas).toBeGreaterThanOrEqual(2);
    // The HPA owns the count: a replicas field would be reset by every apply.
    expect(gatewayDeployment.spec?.replicas).toBeUndefined();
    const budgets = ofKind<{ spec: { selector: LabelSelector } }>('PodDisruptionBudget');
    for (const name of services) {
      const covering = budgets.filter((b) =>
        selects(b.spec.selector, podLabelsOf(deploymentOf(name))),
      );
      expect(covering.map((b) => b.metadata.name)).toEqual([name]);
    }
  });

  it('denies all ingress by default and lets anyone reach the gateway port', () => {
    expect(policies.filter(isDefaultDeny).length).toBe(1);
    const gatewayPort = listenPortOf('gateway');
    const open = policies.filter(
      (policy) =>
        selects(policy.spec?.podSelector as LabelSelector, podLabelsOf(gatewayDeployment)) &&
        (policy.spec?.ingress ?? []).some(
          (rule) =>
            (rule.from ?? []).length === 0 &&
            admitsPort(rule.ports as never, containerOf(gatewayDeployment), gatewayPort),
        ),
    );
    expect(open.map((policy) => policy.metadata?.name)).toEqual(['gateway-http']);
  });

  it("admits each subgraph's port only from the gateway's pods", () => {
    for (const name of subgraphs) {
      const others = deployments.filter((d) => d.metadata.name !== 'gateway');
      expect(
        subgraphPolicyProblems(
          policies,
          deploymentOf(name),
          listenPortOf(name),
          gatewayDeployment,
          others,
        ),
      ).toEqual([]);
    }
  });

  describe('the same checks catch a broken copy', () => {
    const orders = deploymentOf('orders');
    const ordersPolicy = policies.find((p) => p.metadata?.name === 'orders-from-gateway');
    const others = deployments.filter((d) => d.metadata.name !== 'gateway');
    const ordersProblems = (list: INetworkPolicy[]) =>
      subgraphPolicyProblems(list, orders, listenPortOf('orders'), gatewayDeployment, others);

    it('a Deployment without its readiness probe, or probing the wrong path or port', () => {
      const expected = { readinessPath: '/health/ready', listenPort: listenPortOf('orders') };
      expect(probeProblems(orders, expected)).toEqual([]);
      const missing = copy(orders);
      delete containerOf(missing).readinessProbe;
      expect(probeProblems(missing, expected)).toEqual(['readiness probe missing or not httpGet']);
      const wrong = copy(orders);
      containerOf(wrong).livenessProbe = { httpGet: { path: '/healthz', port: 'metrics' } };
      expect(probeProblems(wrong, expected)).toEqual([
        'liveness probe on /healthz',
        `liveness probe on port 9464, expected ${listenPortOf('orders')}`,
      ]);
    });

    it('a subgraph policy that admits everyone, another namespace, or another subgraph', () => {
      expect(ordersPolicy).toBeDefined();
      const open = copy(ordersPolicy!);
      delete open.spec!.ingress![0]!.from;
      expect(ordersProblems([...policies, open])).toEqual([
        'orders-from-gateway admits port 4002 from everywhere',
      ]);
      const allowAll: INetworkPolicy = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-all' },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
      };
      expect(ordersProblems([...policies, allowAll])).toEqual([
        'allow-all admits port 4002 from everywhere',
      ]);
      const crossNamespace = copy(ordersPolicy!);
      crossNamespace.spec!.ingress![0]!.from = [{ namespaceSelector: {}, podSelector: {} }];
      expect(ordersProblems([crossNamespace])).toEqual([
        'orders-from-gateway admits port 4002 from other namespaces',
        'no policy admits the gateway to port 4002',
      ]);
      const sameApp = copy(ordersPolicy!);
      sameApp.spec!.ingress![0]!.from = [
        { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'fedstack' } } },
      ];
      const everyOther = others.map((other) => other.metadata?.name).join(', ');
      expect(everyOther).toContain('suppliers');
      expect(ordersProblems([sameApp])).toEqual([
        `orders-from-gateway admits port 4002 from ${everyOther}`,
      ]);
    });

    it('a default-deny policy that admits something or selects only some pods', () => {
      const deny = policies.find(isDefaultDeny);
      expect(deny).toBeDefined();
      const admitting = copy(deny!);
      admitting.spec!.ingress = [{}];
      expect(isDefaultDeny(admitting)).toBe(false);
      const narrowed = copy(deny!);
      narrowed.spec!.podSelector = { matchLabels: { 'app.kubernetes.io/name': 'gateway' } };
      expect(isDefaultDeny(narrowed)).toBe(false);
    });

    it('a subgraph Service of type LoadBalancer, or an Ingress to a subgraph', () => {
      const users = ofKind<IService>('Service').find((s) => s.metadata.name === 'users')!;
      const exposed = copy(users);
      exposed.spec!.type = 'LoadBalancer';
      expect(externallyReachable([exposed])).toEqual(['users']);
      const ingress = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'public' },
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'orders', port: { number: 4002 } } },
                  },
                ],
              },
            },
          ],
        },
      };
      expect(() => validateObject(ingress)).not.toThrow();
      expect(externallyReachable([ingress])).toEqual(['orders']);
    });

    it('an inlined database URL or signing secret, and a Secret with data', () => {
      const leaky = copy(orders);
      containerOf(leaky).env!.push(
        { name: 'ORDERS_DATABASE_URL', value: 'postgres://u:p@db/orders' },
        { name: 'GATEWAY_SIGNING_SECRET', value: 'x'.repeat(32) },
      );
      expect(inlinedSecrets([leaky])).toEqual([
        expect.stringMatching(/ORDERS_DATABASE_URL$/),
        expect.stringMatching(/GATEWAY_SIGNING_SECRET$/),
      ]);
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'fedstack-signing' },
        stringData: { 'gateway-signing.secret': 'x' },
      };
      expect(inlinedSecrets([secret])).toEqual(['Secret fedstack-signing']);
    });

    it('an object that does not fit its schema, or of a kind the manifests do not use', () => {
      const badPort = copy(orders);
      containerOf(badPort).ports![0]!.containerPort = 'http' as never;
      expect(() => validateObject(badPort)).toThrow(/containerPort must be integer/);
      const beta = { ...copy(orders), apiVersion: 'apps/v1beta1' };
      expect(() => validateObject(beta)).toThrow(/got apps\/v1beta1\/Deployment/);
    });
  });
});
