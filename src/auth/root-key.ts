/**
 * The operator's root key (SUPER). Configured by secret (config, NEXUS_ROOT_API_KEY) or
 * by file (NEXUS_ROOT_API_KEY_FILE, trimmed); otherwise generated on first start with
 * auth enabled — returned once for the caller to print — and only its hash is stored.
 */
import { readFileSync } from 'node:fs';
import type { SystemTable } from '../storage/types.js';
import type { AuthTableEntry, Clock } from './api-key-service.js';
import type { RootKeyConfig } from './auth-service.js';
import { generateSecret, hashSecret } from './secrets.js';

export const ROOT_ENTRY_KEY = 'root';

export interface RootKeyOptions {
  enabled: boolean;
  /** From the config file (`auth.root_api_key`); wins over the environment. */
  rootApiKey?: string;
  /** From the config file (`auth.root_api_key_file`). */
  rootApiKeyFile?: string;
  /** Defaults to `process.env`; pass `{}` to ignore the environment. */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
}

export interface ResolvedRootKey {
  /** Undefined when auth is disabled. */
  rootKey?: RootKeyConfig;
  /** Set only on the start that generated the key: print it once, it is not recoverable. */
  generatedSecret?: string;
}

function readKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the root API key file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const secret = text.trim();
  if (secret === '') throw new Error(`The root API key file ${path} is empty`);
  return secret;
}

export async function resolveRootKey(
  table: SystemTable<AuthTableEntry>,
  options: RootKeyOptions,
): Promise<ResolvedRootKey> {
  if (!options.enabled) return {};
  const env = options.env ?? process.env;
  const nonEmpty = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

  if (nonEmpty(options.rootApiKey))
    return { rootKey: { hash: hashSecret(options.rootApiKey.trim()), source: 'config' } };
  if (nonEmpty(env.NEXUS_ROOT_API_KEY)) {
    return { rootKey: { hash: hashSecret(env.NEXUS_ROOT_API_KEY.trim()), source: 'env' } };
  }
  const file = nonEmpty(options.rootApiKeyFile) ? options.rootApiKeyFile : env.NEXUS_ROOT_API_KEY_FILE;
  if (nonEmpty(file)) return { rootKey: { hash: hashSecret(readKeyFile(file)), source: 'file' } };

  const stored = table.get(ROOT_ENTRY_KEY);
  if (stored?.kind === 'root') return { rootKey: { hash: stored.hash, source: 'stored' } };

  const secret = generateSecret();
  const hash = hashSecret(secret);
  const clock = options.clock ?? Date.now;
  await table.put(ROOT_ENTRY_KEY, { kind: 'root', hash, created_at: new Date(clock()).toISOString() });
  return { rootKey: { hash, source: 'generated' }, generatedSecret: secret };
}
