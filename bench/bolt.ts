/**
 * Bolt vs HTTP on persistent connections, one run, same compiled server process: `RETURN 1`
 * and an indexed point read. HTTP is driven by autocannon (keep-alive, one request in
 * flight per connection); Bolt by the same number of raw Bolt connections (test/helpers/
 * raw-bolt-client.ts: RUN + PULL, one statement in flight per connection) and, for
 * reference, by the official neo4j-driver (its own client-side cost included).
 */
import autocannon from 'autocannon';
import neo4j from 'neo4j-driver';
import { MSG } from '../src/bolt/index.js';
import { RawBoltClient } from '../test/helpers/raw-bolt-client.js';
import { startServerProcess } from './lib/processes.js';

export interface BoltRow {
  query: string;
  httpReqPerSec: number;
  boltReqPerSec: number;
  driverReqPerSec: number;
  /** boltReqPerSec / httpReqPerSec */
  ratio: number;
}

export interface BoltResults {
  connections: number;
  seconds: number;
  rows: BoltRow[];
}

const POINT_READ = 'MATCH (p:Person {email: $email}) RETURN p.name AS name';

async function http(
  url: string,
  query: string,
  params: Record<string, unknown>,
  connections: number,
  seconds: number,
) {
  const r = await autocannon({
    url: `${url}/cypher`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, params }),
    connections,
    duration: seconds,
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`HTTP errors: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

async function raw(
  port: number,
  query: string,
  params: Record<string, unknown>,
  connections: number,
  seconds: number,
) {
  const clients = await Promise.all(Array.from({ length: connections }, () => RawBoltClient.connect(port)));
  for (const c of clients) {
    c.send(MSG.HELLO, { user_agent: 'nexus-bench/1' }).send(MSG.LOGON, { scheme: 'none' }).flush();
    await c.next();
    await c.next();
  }
  const p = new Map(Object.entries(params));
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < until) {
        c.send(MSG.RUN, query, p as Map<string, string>, {})
          .send(MSG.PULL, { n: 1000n })
          .flush();
        for (;;) {
          const m = await c.next();
          if (m === null) throw new Error('connection closed');
          if (m.tag === MSG.FAILURE)
            throw new Error(`FAILURE ${JSON.stringify([...(m.fields[0] as Map<string, unknown>)])}`);
          if (m.tag === MSG.SUCCESS && !(m.fields[0] as Map<string, unknown>).has('fields')) break;
        }
        done++;
      }
    }),
  );
  for (const c of clients) c.close();
  return done / seconds;
}

async function driver(
  url: string,
  query: string,
  params: Record<string, unknown>,
  connections: number,
  seconds: number,
) {
  const d = neo4j.driver(
    url,
    { scheme: 'none', principal: '', credentials: '' },
    { maxConnectionPoolSize: connections },
  );
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const s = d.session();
      while (Date.now() < until) {
        await s.run(query, params);
        done++;
      }
      await s.close();
    }),
  );
  await d.close();
  return done / seconds;
}

export async function runBolt(opts: {
  connections: number;
  seconds: number;
  people: number;
}): Promise<BoltResults> {
  const server = await startServerProcess({
    compiled: true,
    env: { NEXUS_BOLT_PORT: '0', NEXUS_LOG_LEVEL: 'warn' },
  });
  try {
    const port = Number(server.boltUrl!.split(':').pop());
    for (let start = 0; start < opts.people; start += 5000) {
      const nodes = [];
      for (let i = start; i < Math.min(opts.people, start + 5000); i++) {
        nodes.push({ labels: ['Person'], properties: { name: `person-${i}`, email: `p${i}@example.com` } });
      }
      const res = await fetch(`${server.url}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nodes, relationships: [] }),
      });
      if (!res.ok) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }
    await fetch(`${server.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'CREATE INDEX person_email FOR (p:Person) ON (p.email)' }),
    });
    const rows: BoltRow[] = [];
    const cases: [string, string, Record<string, unknown>][] = [
      ['RETURN 1', 'RETURN 1 AS x', {}],
      ['indexed point read', POINT_READ, { email: `p${Math.floor(opts.people / 2)}@example.com` }],
    ];
    for (const [name, query, params] of cases) {
      const h = await http(server.url, query, params, opts.connections, opts.seconds);
      const b = await raw(port, query, params, opts.connections, opts.seconds);
      const d = await driver(server.boltUrl!, query, params, opts.connections, opts.seconds);
      rows.push({ query: name, httpReqPerSec: h, boltReqPerSec: b, driverReqPerSec: d, ratio: b / h });
    }
    return { connections: opts.connections, seconds: opts.seconds, rows };
  } finally {
    await server.stop();
  }
}
