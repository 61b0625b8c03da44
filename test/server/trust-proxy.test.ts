/**
 * `server.trust_proxy`: the failed-authentication throttle keys on the client address, which
 * comes from X-Forwarded-For only when the operator trusts the proxy. Real server processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

async function start(trustProxy: boolean): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: { NEXUS_ROOT_API_KEY: 'trust-proxy-root-key-0123456789' },
    config: { auth: { enabled: true, failed_attempts_per_minute: 3 }, server: { trust_proxy: trustProxy } },
  });
  running.push(server);
  return server;
}

let guesses = 0;
async function badKey(server: ServerProcess, forwardedFor: string): Promise<number> {
  // A different guess each time: the same wrong key is also throttled per key prefix.
  guesses += 1;
  const res = await fetch(`${server.url}/stats`, {
    headers: {
      authorization: `Bearer nx_${String(guesses).padStart(9, '0')}wrong-key-aaaaaaaaaaaaaaaaaaaaaaaa`,
      'x-forwarded-for': forwardedFor,
    },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('server.trust_proxy', () => {
  it('is off by default: X-Forwarded-For cannot dodge the throttle', async () => {
    const server = await start(false);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push(await badKey(server, `203.0.113.${i}`));
    // One TCP peer: throttled after 3 failures whatever the header claims.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it('when on, throttles per forwarded client address', async () => {
    const server = await start(true);
    for (let i = 0; i < 3; i += 1) expect(await badKey(server, '198.51.100.7')).toBe(401);
    expect(await badKey(server, '198.51.100.7')).toBe(429);
    // Another client behind the same proxy is not locked out by the first one.
    expect(await badKey(server, '198.51.100.8')).toBe(401);
  });

  it('accepts booleans, hop counts and address lists, from YAML or NEXUS_TRUST_PROXY', () => {
    const of = (env: Record<string, string>) => loadConfig({ env }).server.trust_proxy;
    expect(of({})).toBe(false);
    expect(of({ NEXUS_TRUST_PROXY: 'true' })).toBe(true);
    expect(of({ NEXUS_TRUST_PROXY: '2' })).toBe(2);
    expect(of({ NEXUS_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).toBe('10.0.0.0/8, 127.0.0.1');
    expect(() => of({ NEXUS_TRUST_PROXY: '-1' })).toThrow(/server\.trust_proxy/);
    expect(() => of({ NEXUS_TRUST_PROXY: 'every proxy' })).toThrow(/server\.trust_proxy/);
  });
});
