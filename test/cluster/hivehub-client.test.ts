import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HiveHubClient } from '../../src/cluster/hivehub-client.js';
import type { HiveHubClientOptions } from '../../src/cluster/hivehub-client.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from '../../src/cluster/control-plane-errors.js';
import { NexusError } from '../../src/errors.js';
import {
  ManualClock,
  errorResponse,
  hangingResponder,
  recordingLogger,
  response,
  scriptedFetch,
  sequence,
  userDatabase,
} from './fakes.js';
import type { Responder } from './fakes.js';

const KEY = 'sk-live-TOPSECRET-123';

function makeClient(responder: Responder, options: Partial<HiveHubClientOptions> = {}) {
  const fetch = scriptedFetch(responder);
  const logger = recordingLogger();
  const client = new HiveHubClient({
    baseUrl: 'http://hivehub.test/',
    serviceApiKey: KEY,
    timeoutMs: 200,
    retries: 2,
    retryDelayMs: 4,
    random: () => 0.5,
    fetch,
    logger,
    ...options,
  });
  return { client, fetch, logger };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('HiveHubClient requests', () => {
  it('sends the service headers and parses the database answer', async () => {
    const { client, fetch } = makeClient(() => response(200, userDatabase('u-1')));
    const db = await client.getUserDatabase('u-1');
    expect(db.quotas.requests_per_minute).toBe(600);
    expect(fetch.calls).toHaveLength(1);
    const call = fetch.calls[0];
    expect(call?.url).toBe('http://hivehub.test/api/v1/nexus/users/u-1/database');
    expect(call?.init.method).toBe('GET');
    expect(call?.init.headers.Authorization).toBe(`Bearer ${KEY}`);
    expect(call?.init.headers['X-HiveHub-Service']).toBe('nexus');
    expect(client.health()).toMatchObject({ reachable: true, breakerState: 'closed', lastError: null });
  });

  it('gets user info, checks quota and reports usage with JSON bodies', async () => {
    const { client, fetch } = makeClient((url) => {
      if (url.endsWith('/api/v1/users/u_2')) {
        return response(200, {
          user_id: 'u_2',
          email: 'a@b.c',
          display_name: 'A',
          plan: 'free',
          status: 'suspended',
          created_at: '2026-01-01T00:00:00Z',
        });
      }
      if (url.endsWith('/quota/check')) {
        return response(200, {
          allowed: false,
          reason: 'storage quota exceeded',
          storage_bytes_limit: 10,
          storage_bytes_used: 9,
          storage_bytes_remaining: 1,
        });
      }
      return response(200, { accepted: true, report_id: 'r1', duplicate: true });
    });
    expect((await client.getUserInfo('u_2')).status).toBe('suspended');
    const check = await client.checkQuota({ user_id: 'u_2', operation: 'import', estimated_bytes: 5 });
    expect(check).toMatchObject({ allowed: false, storage_bytes_remaining: 1 });
    const usage = await client.updateUsage({
      report_id: 'r1',
      instance_id: 'i',
      period_start: '2026-11-26T10:00:00Z',
      period_end: '2026-11-26T10:01:00Z',
      users: [],
    });
    expect(usage.duplicate).toBe(true);
    expect(fetch.calls[1]?.init.method).toBe('POST');
    expect(fetch.calls[1]?.init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(fetch.calls[1]?.init.body ?? '')).toEqual({
      user_id: 'u_2',
      operation: 'import',
      estimated_bytes: 5,
    });
  });

  it('refuses malformed input before calling HiveHub', async () => {
    const { client, fetch } = makeClient(() => response(200, {}));
    await expect(client.getUserDatabase('bad/id')).rejects.toThrow(NexusError);
    await expect(client.getUserInfo('')).rejects.toMatchObject({ code: 'INVALID_BODY' });
    await expect(
      client.checkQuota({ user_id: 'u', operation: 'write', estimated_bytes: -1 }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
    });
    await expect(
      client.updateUsage({ report_id: '', instance_id: 'i', period_start: 'a', period_end: 'b', users: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(fetch.calls).toHaveLength(0);
  });

  it('refuses an empty service key', () => {
    expect(() => new HiveHubClient({ baseUrl: 'http://x', serviceApiKey: '' })).toThrow(NexusError);
  });
});

describe('HiveHubClient error mapping', () => {
  it('maps 401 to ControlPlaneAuthError without retrying', async () => {
    const { client, fetch } = makeClient(() => errorResponse(401, 'INVALID_SERVICE_KEY'));
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toBeInstanceOf(ControlPlaneAuthError);
    expect(err.message).toContain('service_api_key');
    expect(fetch.calls).toHaveLength(1);
    expect(client.health()).toMatchObject({ authFailed: true, reachable: true });
  });

  it('maps 404 USER_NOT_FOUND to TENANT_NOT_FOUND without retrying', async () => {
    const { client, fetch } = makeClient(() => errorResponse(404, 'USER_NOT_FOUND'));
    const err = await failure(client.getUserDatabase('ghost'));
    expect(err).toMatchObject({ code: 'TENANT_NOT_FOUND' });
    expect(fetch.calls).toHaveLength(1);
    expect(client.health().lastError).toBeNull();
  });

  it('treats a 404 without USER_NOT_FOUND (wrong base_url) as a protocol error', async () => {
    const { client } = makeClient(() => response(404, 'Not Found'));
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toBeInstanceOf(ControlPlaneProtocolError);
    expect((err as ControlPlaneProtocolError).status).toBe(404);
  });

  it('maps 400 to a protocol error and does not retry', async () => {
    const { client, fetch } = makeClient(() => errorResponse(400, 'BAD_REQUEST', 'bad operation'));
    const err = await failure(client.checkQuota({ user_id: 'u', operation: 'write', estimated_bytes: 1 }));
    expect(err).toBeInstanceOf(ControlPlaneProtocolError);
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(err.message).toContain('bad operation');
    expect(fetch.calls).toHaveLength(1);
  });

  it('rejects a 200 body that breaks the contract without retrying', async () => {
    const { client, fetch } = makeClient(() => response(200, { user_id: 'u', quotas: 'lots' }));
    expect(await failure(client.getUserDatabase('u'))).toBeInstanceOf(ControlPlaneProtocolError);
    const { client: c2 } = makeClient(() => response(200, 'not json'));
    expect(await failure(c2.getUserDatabase('u'))).toBeInstanceOf(ControlPlaneProtocolError);
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('HiveHubClient resilience', () => {
  it('retries 5xx with exponential backoff and jitter, then succeeds', async () => {
    const { client, fetch, logger } = makeClient(
      sequence(
        errorResponse(500, 'INTERNAL'),
        errorResponse(503, 'UNAVAILABLE'),
        response(200, userDatabase('u')),
      ),
      { retryDelayMs: 8, random: () => 0.5 },
    );
    await client.getUserDatabase('u');
    expect(fetch.calls).toHaveLength(3);
    // equal jitter: base/2 + random*base/2 with base = 8, then 16
    expect(logger.lines.map((l) => l.obj.delayMs)).toEqual([6, 12]);
  });

  it('caps backoff delays at maxRetryDelayMs and uses the jitter source', async () => {
    const { client, logger } = makeClient(
      sequence(errorResponse(500, 'X'), errorResponse(500, 'X'), response(200, userDatabase('u'))),
      {
        retryDelayMs: 8,
        maxRetryDelayMs: 10,
        random: () => 0,
      },
    );
    await client.getUserDatabase('u');
    expect(logger.lines.map((l) => l.obj.delayMs)).toEqual([4, 5]);
  });

  it('gives up after the configured retries with ControlPlaneUnavailableError', async () => {
    const { client, fetch } = makeClient(() => errorResponse(503, 'UNAVAILABLE'), { retries: 3 });
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toBeInstanceOf(ControlPlaneUnavailableError);
    expect(err).toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE', reason: 'server_error', status: 503 });
    expect((err as ControlPlaneUnavailableError).details).toEqual({ retryAfterSeconds: 5 });
    expect(fetch.calls).toHaveLength(4);
    expect(client.health()).toMatchObject({ reachable: false });
    expect(client.health().lastError).toContain('503');
  });

  it('honours Retry-After (seconds) on 429', async () => {
    const { client, fetch, logger } = makeClient(
      sequence(
        errorResponse(429, 'THROTTLED', 'slow down', { 'Retry-After': '0' }),
        response(200, userDatabase('u')),
      ),
      { retryDelayMs: 50 },
    );
    await client.getUserDatabase('u');
    expect(fetch.calls).toHaveLength(2);
    expect(logger.lines[0]?.obj.delayMs).toBe(0);
  });

  it('fails at once when Retry-After is longer than it may wait, reporting it', async () => {
    const { client, fetch } = makeClient(() =>
      errorResponse(429, 'THROTTLED', 'x', { 'Retry-After': '120' }),
    );
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toMatchObject({ reason: 'throttled', retryAfterSeconds: 120 });
    expect(fetch.calls).toHaveLength(1);
  });

  it('understands an HTTP-date Retry-After relative to the clock', async () => {
    const clock = new ManualClock();
    const at = new Date(clock.now() + 3000).toUTCString();
    const { client } = makeClient(() => errorResponse(429, 'THROTTLED', 'x', { 'Retry-After': at }), {
      clock,
      maxRetryAfterMs: 1000,
    });
    expect(await failure(client.getUserDatabase('u'))).toMatchObject({ retryAfterSeconds: 3 });
  });

  it('falls back to backoff when Retry-After is missing or unparseable', async () => {
    const { client, logger } = makeClient(
      sequence(
        errorResponse(429, 'THROTTLED', 'x'),
        errorResponse(429, 'THROTTLED', 'x', { 'Retry-After': 'soon' }),
        response(200, userDatabase('u')),
      ),
      { retryDelayMs: 8 },
    );
    await client.getUserDatabase('u');
    expect(logger.lines.map((l) => l.obj.delayMs)).toEqual([6, 12]);
  });

  it('times out a hanging call and retries it', async () => {
    const { client, fetch } = makeClient(hangingResponder, { timeoutMs: 20, retries: 1 });
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE', reason: 'timeout' });
    expect(fetch.calls).toHaveLength(2);
  });

  it('treats a timeout while reading the body as a timeout', async () => {
    const responder: Responder = (_url, init) => ({
      status: 200,
      headers: new Headers(),
      text: () =>
        new Promise((_resolve, reject) =>
          init.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    });
    const { client } = makeClient(responder, { timeoutMs: 20, retries: 0 });
    expect(await failure(client.getUserDatabase('u'))).toMatchObject({ reason: 'timeout' });
  });

  it('maps connection errors, naming the socket error code', async () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const { client, fetch } = makeClient(sequence(refused), { retries: 1 });
    const err = await failure(client.getUserDatabase('u'));
    expect(err).toMatchObject({ reason: 'connection' });
    expect(err.message).toContain('ECONNREFUSED');
    expect(fetch.calls).toHaveLength(2);
  });

  it('opens the circuit after consecutive failures and fails fast, then recovers', async () => {
    let healthy = false;
    const { client, fetch } = makeClient(
      () => (healthy ? response(200, userDatabase('u')) : errorResponse(500, 'X')),
      {
        retries: 0,
        breakerThreshold: 3,
        breakerHalfOpenAfterMs: 40,
      },
    );
    for (let i = 0; i < 3; i++) await failure(client.getUserDatabase('u'));
    expect(fetch.calls).toHaveLength(3);
    expect(client.health().breakerState).toBe('open');
    const fast = await failure(client.getUserDatabase('u'));
    expect(fast).toMatchObject({ reason: 'circuit_open', retryAfterSeconds: 1 });
    expect(fetch.calls).toHaveLength(3);
    expect(client.health().reachable).toBe(false);
    healthy = true;
    await new Promise((r) => setTimeout(r, 60));
    await client.getUserDatabase('u');
    expect(client.health()).toMatchObject({ breakerState: 'closed', reachable: true });
  });

  it('does not let 4xx answers open the breaker', async () => {
    const { client } = makeClient(() => errorResponse(404, 'USER_NOT_FOUND'), {
      retries: 0,
      breakerThreshold: 2,
    });
    for (let i = 0; i < 5; i++) await failure(client.getUserDatabase('u'));
    expect(client.health().breakerState).toBe('closed');
  });

  it('reports an unexpected failure inside the pipeline as unavailable', async () => {
    const { client } = makeClient(() => errorResponse(500, 'X'), {
      random: () => {
        throw new Error('no entropy');
      },
    });
    expect(await failure(client.getUserDatabase('u'))).toMatchObject({
      code: 'CONTROL_PLANE_UNAVAILABLE',
      reason: 'connection',
      message: 'HiveHub call failed: no entropy',
    });
  });

  it('maps an unexpected transport throw to unavailable', async () => {
    const { client } = makeClient(
      () => {
        throw 'boom';
      },
      { retries: 0 },
    );
    expect(await failure(client.getUserDatabase('u'))).toMatchObject({ reason: 'connection' });
  });
});

describe('HiveHubClient secrecy', () => {
  it('never puts the service key in errors, logs or inspection output', async () => {
    const echo = `key was ${KEY}`;
    const responders: Responder[] = [
      () => errorResponse(500, 'INTERNAL', echo),
      () => errorResponse(400, 'BAD_REQUEST', echo),
      () => errorResponse(401, 'INVALID_SERVICE_KEY', echo),
      () => Promise.reject(new Error(echo)),
      hangingResponder,
    ];
    const texts: string[] = [];
    for (const responder of responders) {
      const { client, logger } = makeClient(responder, { retries: 1, timeoutMs: 20 });
      const err = await failure(client.getUserDatabase('u'));
      texts.push(err.message, String(err.stack), JSON.stringify(err), inspect(err, { depth: 5 }));
      texts.push(
        JSON.stringify(logger.lines),
        inspect(client, { depth: 5 }),
        JSON.stringify(client.health()),
      );
    }
    const all = texts.join('\n');
    expect(all).toContain('[REDACTED]');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain('TOPSECRET');
  });
});
