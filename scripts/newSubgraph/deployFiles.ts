import type { Names } from './names';

/** The subgraph's service in docker-compose.yml, shaped like the others (indented for `services:`). */
export function composeService(n: Names, port: number): string {
  const v = n.variables;
  return `  ${n.name}:
    <<: *service
    command: ['node', '--import', 'tsx', 'subgraphs/${n.name}/src/main.ts']
    environment:
      <<: *env
      ${v.port}: '${port}'
      ${v.databaseUrl}: postgres://${n.databaseName}:\${${v.dbPassword}:?see .env.example}@${n.name}-db:5432/${n.databaseName}
    secrets: [gateway_signing_secret]
    depends_on:
      ${n.name}-db: { condition: service_healthy }
    healthcheck:
      test:
        [
          'CMD',
          'node',
          '-e',
          "fetch('http://127.0.0.1:${port}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
        ]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 30s
`;
}

/** The subgraph's own PostgreSQL server in docker-compose.yml. */
export function composeDatabase(n: Names): string {
  const db = n.databaseName;
  return `  ${n.name}-db:
    <<: *database
    environment:
      POSTGRES_USER: ${db}
      POSTGRES_DB: ${db}
      POSTGRES_PASSWORD: \${${n.variables.dbPassword}:?see .env.example}
    volumes: ['${n.name}-db-data:/var/lib/postgresql/data']
    healthcheck:
      test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', '${db}', '-d', '${db}']
      interval: 5s
      timeout: 3s
      retries: 10
      start_period: 30s
`;
}

/** The lines .env.example gains: the database password, with its comment. */
export function envExampleEntry(n: Names): string {
  return `# Password of the ${n.name} subgraph's PostgreSQL role \`${n.databaseName}\` (${n.name}-db); as above.
${n.variables.dbPassword}=replace-with-openssl-rand-hex-24
`;
}

/** deploy/kubernetes/<name>.yaml: Deployment, Service and PodDisruptionBudget. */
export function kubernetesManifest(n: Names, port: number): string {
  const labels = `app.kubernetes.io/name: ${n.name}
    app.kubernetes.io/part-of: fedstack`;
  const indent = (text: string, spaces: number) => text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
  return `# The ${n.name} subgraph. Its data lives in its own PostgreSQL database
# (${n.variables.databaseUrl} from the Secret ${n.name}-database), so it runs several replicas; only
# the gateway's pods may reach its port (network-policies.yaml).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n.name}
  labels:
    ${labels}
spec:
  replicas: 2
  selector:
    matchLabels:
      ${indent(labels, 2)}
  # One new pod at a time, ready before an old one goes. Each runs the pending migrations at start,
  # under a PostgreSQL advisory lock, so pods starting together apply each migration once.
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        ${indent(labels, 4)}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              ${indent(labels, 10)}
      containers:
        - name: ${n.name}
          image: fedstack
          imagePullPolicy: IfNotPresent
          command: ['node', '--import', 'tsx', 'subgraphs/${n.name}/src/main.ts']
          ports:
            - name: http
              containerPort: ${port}
              protocol: TCP
            - name: metrics
              containerPort: 9464
              protocol: TCP
          env:
            - name: NODE_ENV
              value: production
            - name: ${n.variables.port}
              value: '${port}'
            - name: METRICS_PORT
              value: '9464'
            - name: DATA_DIR
              value: /data
            - name: ${n.variables.databaseUrl}
              valueFrom:
                secretKeyRef:
                  name: ${n.name}-database
                  key: url
            - name: GATEWAY_SIGNING_SECRET_FILE
              value: /run/secrets/signing/gateway-signing.secret
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
            limits:
              cpu: 500m
              memory: 512Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ['ALL']
          startupProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          # 200 once the database answers a SELECT 1.
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          lifecycle:
            preStop:
              exec:
                command: ['sleep', '5']
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: data
              mountPath: /data
            - name: signing
              mountPath: /run/secrets/signing
              readOnly: true
      volumes:
        # tsx keeps its compile cache in the temporary directory.
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        # DATA_DIR must be a writable directory at start even when the data is in PostgreSQL.
        - name: data
          emptyDir:
            sizeLimit: 16Mi
        - name: signing
          secret:
            secretName: fedstack-signing
            defaultMode: 288 # 0440: readable by the fsGroup only
            items:
              - key: gateway-signing.secret
                path: gateway-signing.secret
---
apiVersion: v1
kind: Service
metadata:
  name: ${n.name}
  labels:
    ${labels}
spec:
  type: ClusterIP
  selector:
    ${labels}
  ports:
    - name: http
      port: ${port}
      targetPort: http
      protocol: TCP
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${n.name}
  labels:
    ${labels}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      ${indent(labels, 2)}
`;
}

/** The NetworkPolicy document that admits only the gateway's pods to the subgraph's port. */
export function networkPolicy(n: Names, port: number): string {
  return `# The ${n.name} subgraph's port from the gateway's pods only (the subgraphs also refuse unsigned
# requests, HTTP 401).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${n.name}-from-gateway
  labels:
    app.kubernetes.io/part-of: fedstack
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${n.name}
      app.kubernetes.io/part-of: fedstack
  policyTypes: ['Ingress']
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: gateway
              app.kubernetes.io/part-of: fedstack
      ports:
        - port: ${port}
          protocol: TCP
`;
}

/** operations/*.graphql for the new root fields, by file name. */
export function operationFiles(n: Names): Record<string, string> {
  const E = n.entity;
  return {
    [`${n.plural}.graphql`]: `# A page of ${n.plural}, oldest first; public.
query ${n.pluralPascal}($limit: Int = 20, $offset: Int = 0) {
  ${n.plural}(limit: $limit, offset: $offset) {
    id
    title
    author {
      username
    }
  }
}
`,
    [`${n.entityCamel}.graphql`]: `# One ${n.entityCamel}; public.
query ${E}($id: ID!) {
  ${n.entityCamel}(id: $id) {
    id
    title
    body
    createdAt
    author {
      id
      username
    }
  }
}
`,
    [`create${E}.graphql`]: `# Adds a ${n.entityCamel} written by the caller. Needs an access token.
mutation Create${E}($input: Create${E}Input!) {
  create${E}(input: $input) {
    id
    title
    body
  }
}
`,
    [`delete${E}.graphql`]: `# Deletes a ${n.entityCamel}: its author or an admin.
mutation Delete${E}($id: ID!) {
  delete${E}(id: $id)
}
`,
  };
}

/** Example variables of those operations, by operation name, for operations/variables.json. */
export function operationVariables(n: Names): Record<string, unknown> {
  const id = `{{${n.entityCamel}Id}}`;
  return {
    [n.pluralPascal]: { limit: 10, offset: 0 },
    [n.entity]: { id },
    [`Create${n.entity}`]: { input: { title: 'Worth it', body: 'Does what it says.' } },
    [`Delete${n.entity}`]: { id },
  };
}
