/**
 * Test doubles for cluster mode: a scripted HTTP transport, a manual clock, an in-memory
 * SystemTable and a recording logger.
 */
import type { SystemTable, SystemTableWrite } from '../../src/storage/types.js';
import type { Clock, ClusterLogger } from '../../src/cluster/cluster-logger.js';
import type { FetchLike, HttpRequestInit, HttpResponseLike } from '../../src/cluster/hivehub-client.js';

export interface RecordedCall {
  url: string;
  init: HttpRequestInit;
}

export type Responder = (url: string, init: HttpRequestInit) => Promise<HttpResponseLike> | HttpResponseLike;

export function response(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseLike {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    headers: new Headers(headers),
    text: () => Promise.resolve(text),
  };
}

export function errorResponse(
  status: number,
  code: string,
  message = 'failure',
  headers: Record<string, string> = {},
) {
  return response(status, { error: { code, message } }, headers);
}

/** A fetch whose answers come from `responder`; records every call. */
export function scriptedFetch(responder: Responder): FetchLike & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fn = async (url: string, init: HttpRequestInit): Promise<HttpResponseLike> => {
    calls.push({ url, init });
    return responder(url, init);
  };
  return Object.assign(fn, { calls });
}

/** Answers in order; the last answer repeats. */
export function sequence(...answers: (HttpResponseLike | Error)[]): Responder {
  let i = 0;
  return () => {
    const answer = answers[Math.min(i, answers.length - 1)] as HttpResponseLike | Error;
    i += 1;
    if (answer instanceof Error) return Promise.reject(answer);
    return answer;
  };
}

/** A fetch that never answers but rejects when aborted, like the real one. */
export const hangingResponder: Responder = (_url, init) =>
  new Promise((_resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

export class ManualClock implements Clock {
  constructor(public t = Date.parse('2026-11-26T10:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class MemorySystemTable<V> implements SystemTable<V> {
  readonly map = new Map<string, V>();
  failPuts = false;
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  async put(key: string, value: V): Promise<void> {
    if (this.failPuts) throw new Error('disk full');
    this.map.set(key, structuredClone(value));
  }
  async remove(key: string): Promise<boolean> {
    return this.map.delete(key);
  }
  /** All writes or none, like the LMDB table's single transaction. */
  batches = 0;
  failBatch = false;
  async batch(writes: readonly SystemTableWrite<V>[]): Promise<void> {
    if (this.failBatch || this.failPuts) throw new Error('disk full');
    this.batches += 1;
    for (const { key, value } of writes) {
      if (value === undefined) this.map.delete(key);
      else this.map.set(key, structuredClone(value));
    }
  }
  *entries(prefix = ''): Iterable<[string, V]> {
    const keys = [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) yield [key, this.map.get(key) as V];
  }
}

export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

export function recordingLogger(): ClusterLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const userDatabase = (userId: string, overrides: Record<string, unknown> = {}) => ({
  user_id: userId,
  database_id: `db_${userId}`,
  status: 'active',
  plan: 'pro',
  quotas: { storage_bytes: 1_000_000, requests_per_minute: 600, requests_per_hour: 20_000 },
  usage: { storage_bytes: 100, updated_at: '2026-11-26T10:00:00Z' },
  cache_ttl_seconds: 60,
  ...overrides,
});
