import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ZodObject, type ZodType } from 'zod';
import {
  ConfigError,
  configSchema,
  ENV_OVERRIDES,
  isLoopbackHost,
  loadConfig,
} from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Dotted paths of every leaf key of the schema. */
function schemaKeys(schema: ZodType, prefix = ''): string[] {
  let inner: ZodType = schema;
  // Unwrap default/prefault/optional/nullable wrappers down to the object, if any.
  for (let i = 0; i < 5 && !(inner instanceof ZodObject); i++) {
    const def = (inner as unknown as { def: { innerType?: ZodType } }).def;
    if (def.innerType === undefined) break;
    inner = def.innerType;
  }
  if (!(inner instanceof ZodObject)) return [prefix];
  return Object.entries(inner.shape as Record<string, ZodType>).flatMap(([k, v]) =>
    schemaKeys(v, prefix ? `${prefix}.${k}` : k),
  );
}

function leafPaths(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? leafPaths(v as Record<string, unknown>, path)
      : [path];
  });
}

describe('loadConfig', () => {
  it('has the documented defaults and freezes the result', () => {
    const config = loadConfig({ env: {} });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 15474 });
    expect(config.storage).toMatchObject({ data_dir: './data', sync: true });
    expect(config.cluster.enabled).toBe(false);
    expect(config.cluster.unknown_tenant_policy).toBe('fail_closed');
    expect(config.auth.enabled).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cluster.hivehub)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow();
  });

  it('layers file < environment < flags', () => {
    const path = file(
      'layers.yml',
      'server:\n  port: 1000\n  host: 127.0.0.2\nstorage:\n  data_dir: /from-file\n',
    );
    const fromFile = loadConfig({ file: path, env: {} });
    expect(fromFile.server.port).toBe(1000);
    expect(fromFile.storage.data_dir).toBe('/from-file');
    const fromEnv = loadConfig({ file: path, env: { NEXUS_PORT: '2000', NEXUS_DATA_DIR: '/from-env' } });
    expect(fromEnv.server.port).toBe(2000);
    expect(fromEnv.server.host).toBe('127.0.0.2');
    expect(fromEnv.storage.data_dir).toBe('/from-env');
    const fromFlags = loadConfig({
      file: path,
      env: { NEXUS_PORT: '2000' },
      flags: { port: '3000', dataDir: '/flag' },
    });
    expect(fromFlags.server.port).toBe(3000);
    expect(fromFlags.storage.data_dir).toBe('/flag');
  });

  it('names the bad key, value and source on invalid input', () => {
    const env = errorOf(() => loadConfig({ env: { NEXUS_PORT: 'eighty' } }));
    expect(env.message).toContain('server.port');
    expect(env.message).toContain('"eighty"');
    expect(env.message).toContain('NEXUS_PORT');
    const range = errorOf(() => loadConfig({ env: {}, flags: { port: 70000 } }));
    expect(range.message).toMatch(/server\.port = 70000 \(from --port\)/);
    const yaml = errorOf(() => loadConfig({ file: file('bad.yml', 'query:\n  timeout_ms: -5\n'), env: {} }));
    expect(yaml.message).toMatch(/query\.timeout_ms = -5/);
    const unknown = errorOf(() =>
      loadConfig({ file: file('unknown.yml', 'server:\n  colour: blue\n'), env: {} }),
    );
    expect(unknown.message).toMatch(/server\.colour = "blue".*unknown key/);
    const level = errorOf(() => loadConfig({ env: { NEXUS_LOG_LEVEL: 'loud' } }));
    expect(level.details).toMatchObject({ key: 'log.level', value: 'loud', source: 'NEXUS_LOG_LEVEL' });
    const bool = errorOf(() => loadConfig({ env: { NEXUS_AUTH_ENABLED: 'perhaps' } }));
    expect(bool.message).toContain('auth.enabled');
    expect(() => loadConfig({ file: join(dir, 'missing.yml'), env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file: file('notyaml.yml', 'a: [1, 2'), env: {} })).toThrow(/not valid YAML/);
  });

  it('turns auth on by default for non-loopback hosts', () => {
    expect(loadConfig({ env: { NEXUS_HOST: '0.0.0.0' } }).auth.enabled).toBe(true);
    expect(loadConfig({ env: { NEXUS_HOST: 'localhost' } }).auth.enabled).toBe(false);
    expect(loadConfig({ env: { NEXUS_HOST: '0.0.0.0', NEXUS_AUTH_ENABLED: 'false' } }).auth.enabled).toBe(
      false,
    );
    expect(loadConfig({ env: { NEXUS_AUTH_ENABLED: 'true' } }).auth.enabled).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });

  it('makes auth mandatory and HiveHub settings required in cluster mode', () => {
    const cluster = {
      NEXUS_CLUSTER_ENABLED: 'true',
      NEXUS_HIVEHUB_BASE_URL: 'http://hivehub.local',
      NEXUS_HIVEHUB_SERVICE_API_KEY: 'svc',
    };
    expect(loadConfig({ env: cluster }).auth.enabled).toBe(true);
    expect(errorOf(() => loadConfig({ env: { ...cluster, NEXUS_AUTH_ENABLED: 'false' } })).message).toContain(
      'auth.enabled',
    );
    expect(errorOf(() => loadConfig({ env: { NEXUS_CLUSTER_ENABLED: 'true' } })).message).toContain(
      'cluster.hivehub.base_url',
    );
    expect(
      errorOf(() => loadConfig({ env: { ...cluster, NEXUS_HIVEHUB_BASE_URL: 'not a url' } })).message,
    ).toContain('cluster.hivehub.base_url');
    const quotas = loadConfig({ env: { ...cluster, NEXUS_CLUSTER_DEFAULT_STORAGE_BYTES: 'unlimited' } });
    expect(quotas.cluster.default_quotas.storage_bytes).toBeNull();
  });

  it('reads the root key from a file, and refuses both or a short key', () => {
    const keyFile = file('root.key', '  root-key-from-file-0123456789\n');
    expect(loadConfig({ env: { NEXUS_ROOT_API_KEY_FILE: keyFile } }).auth.root_api_key).toBe(
      'root-key-from-file-0123456789',
    );
    expect(() =>
      loadConfig({
        env: { NEXUS_ROOT_API_KEY_FILE: keyFile, NEXUS_ROOT_API_KEY: 'another-root-key-123456' },
      }),
    ).toThrow(/only one/);
    expect(() => loadConfig({ env: { NEXUS_ROOT_API_KEY_FILE: join(dir, 'nope.key') } })).toThrow(
      /root_api_key_file/,
    );
    expect(() => loadConfig({ env: { NEXUS_ROOT_API_KEY: 'short' } })).toThrow(/auth\.root_api_key/);
  });

  it('maps every environment override onto a real schema key', () => {
    const keys = new Set(schemaKeys(configSchema));
    for (const [name, path] of ENV_OVERRIDES) expect(keys.has(path), `${name} → ${path}`).toBe(true);
  });

  it('documents every schema key in config.example.yml, which loads cleanly', () => {
    const examplePath = new URL('../../config.example.yml', import.meta.url);
    const text = readFileSync(examplePath, 'utf8');
    const keys = schemaKeys(configSchema);
    expect(keys.length).toBeGreaterThan(25);
    // Keys shown commented out (`# enabled: false`) count as documented.
    const uncommented = text.replace(/^(\s*)# (\w+: \S.*)$/gm, '$1$2');
    const documented = leafPaths(parseYaml(uncommented) as Record<string, unknown>);
    expect(documented.sort()).toEqual([...keys].sort());
    const config = loadConfig({ file: examplePath.pathname, env: {} });
    expect(config).toEqual(loadConfig({ env: {} }));
  });
});
