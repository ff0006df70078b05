import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '..');

interface ComposeService {
  command?: string[];
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('runs the gateway and the three subgraphs', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'gateway',
      'orders',
      'suppliers',
      'users',
    ]);
  });

  it('publishes only the gateway port', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'gateway') expect(service.ports).toEqual(['${GATEWAY_PORT:-4000}:4000']);
      else expect(service.ports).toBeUndefined();
    }
  });

  it('keeps the subgraphs on an internal network only', () => {
    expect(compose.networks.internal?.internal).toBe(true);
    for (const name of ['users', 'orders', 'suppliers']) {
      expect(compose.services[name]?.networks).toEqual(['internal']);
    }
  });

  it('gives every subgraph its own database volume and every service a health check', () => {
    for (const name of ['users', 'orders', 'suppliers']) {
      expect(compose.services[name]?.volumes).toEqual([`${name}-data:/data`]);
      expect(compose.volumes).toHaveProperty(`${name}-data`);
    }
    for (const service of Object.values(compose.services)) {
      expect(service.healthcheck?.test?.join(' ')).toMatch(/\/health/);
    }
  });

  it("serves each service's metrics on METRICS_PORT, which no service publishes", () => {
    for (const service of Object.values(compose.services)) {
      const port = service.environment?.METRICS_PORT;
      expect(port).toMatch(/^\d+$/);
      for (const published of service.ports ?? []) expect(published).not.toContain(String(port));
    }
  });

  it('runs each service in production mode from its own entry point', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.environment?.NODE_ENV).toBe('production');
      const entry = name === 'gateway' ? 'gateway/src/main.ts' : `subgraphs/${name}/src/main.ts`;
      expect(service.command).toContain(entry);
    }
  });
});
