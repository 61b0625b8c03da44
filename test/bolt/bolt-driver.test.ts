/**
 * The official `neo4j-driver` (6.3) against a real standalone server process over Bolt:
 * auth schemes, every value type both ways, graph structures, temporals, explicit and
 * managed transactions, errors and recovery, READ-only keys, neo4j:// routing, and a
 * SIGKILL during an open transaction.
 */
import neo4j, { type AuthToken, type Driver, type Session } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, ROOT_KEY } from '../e2e/helpers/cluster-harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess;
let readKey: string;
const drivers: Driver[] = [];
const ENV = { NEXUS_BOLT_PORT: '0', NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT_KEY };

function driver(token = neo4j.auth.bearer(ROOT_KEY), url = server.boltUrl!): Driver {
  const d = neo4j.driver(url, token, { useBigInt: true, maxConnectionPoolSize: 4 });
  drivers.push(d);
  return d;
}
async function withSession<T>(d: Driver, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = d.session();
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
async function one(d: Driver, query: string, params: Record<string, unknown> = {}): Promise<unknown> {
  return withSession(d, async (s) => (await s.run(query, params)).records[0]?.get(0));
}

beforeAll(async () => {
  server = await startServerProcess({ env: ENV });
  readKey = (await createKey(server.url, { name: 'reader', permissions: ['READ'] })).secret;
}, 60_000);
afterAll(async () => {
  for (const d of drivers) await d.close();
  await server?.stop();
});

describe('auth', () => {
  it('prints the Bolt address and accepts bearer and basic (any principal) with an API key', async () => {
    expect(server.boltUrl).toMatch(/^bolt:\/\/127\.0\.0\.1:\d+$/);
    expect(await one(driver(neo4j.auth.bearer(ROOT_KEY)), 'RETURN 1')).toBe(1n);
    expect(await one(driver(neo4j.auth.basic('anyone', ROOT_KEY)), 'RETURN 2')).toBe(2n);
  });

  it('refuses a wrong key and a missing one with Neo.ClientError.Security.Unauthorized', async () => {
    for (const token of [
      neo4j.auth.bearer('wrong-key'),
      neo4j.auth.basic('neo4j', 'wrong'),
      { scheme: 'none' } as AuthToken,
    ]) {
      await expect(one(driver(token), 'RETURN 1')).rejects.toMatchObject({
        code: 'Neo.ClientError.Security.Unauthorized',
      });
    }
  });
});

describe('values', () => {
  it('round-trips every parameter type exactly, 64-bit integers included', async () => {
    const d = driver();
    const big = 2n ** 63n - 1n;
    const params = {
      i: big,
      n: -(2n ** 63n),
      f: 1.5,
      whole: 2.0,
      s: 'héllo ✓ 𝄞',
      b: true,
      nil: null,
      list: [1n, 'two', [3.5, null]],
      map: { a: 1n, nested: { b: ['x'] } },
    };
    const rec = await withSession(
      d,
      async (s) =>
        (
          await s.run(
            'RETURN $i AS i, $n AS n, $f AS f, $whole AS whole, $s AS s, $b AS b, $nil AS nil, $list AS list, $map AS map, $i - 1 AS dec',
            params,
          )
        ).records[0]!,
    );
    for (const [k, v] of Object.entries(params)) expect(rec.get(k)).toEqual(v);
    expect(rec.get('dec')).toBe(big - 1n);
    // 2.0 stays a FLOAT (a JS number), 2 an INTEGER (a bigint).
    expect(typeof (await one(d, 'RETURN 2.0'))).toBe('number');
    expect(await one(d, 'RETURN 9007199254740993')).toBe(9007199254740993n);
  });

  it('round-trips Date, Time, LocalTime, DateTime (offset and zone id), LocalDateTime and Duration', async () => {
    const d = driver();
    const t = neo4j.types;
    const values = {
      date: new t.Date(2024, 2, 29),
      time: new t.Time(13, 14, 15, 123456789, -7200),
      localTime: new t.LocalTime(23, 59, 59, 1),
      dtOffset: new t.DateTime(2024, 1, 2, 3, 4, 5, 6, 3600),
      dtZone: new t.DateTime(2024, 7, 1, 12, 0, 0, 0, undefined, 'Europe/Paris'),
      localDateTime: new t.LocalDateTime(1969, 12, 31, 23, 59, 59, 999999999),
      duration: new t.Duration(14, -3, 3661, 5),
    };
    const rec = await withSession(
      d,
      async (s) =>
        (
          await s.run(
            'RETURN $date AS date, $time AS time, $localTime AS localTime, $dtOffset AS dtOffset, $dtZone AS dtZone, ' +
              '$localDateTime AS localDateTime, $duration AS duration, toString($dtZone) AS zoneText, ' +
              'toString($dtOffset) AS offsetText, $date + duration("P1D") AS next',
            values,
          )
        ).records[0]!,
    );
    for (const [k, v] of Object.entries(values)) {
      // A zone-id DateTime the driver built has no offset yet; the server's answer has it.
      if (k !== 'dtZone') expect(String(rec.get(k))).toBe(String(v));
    }
    expect(String(rec.get('dtZone'))).toBe('2024-07-01T12:00:00+02:00[Europe/Paris]');
    expect(rec.get('zoneText')).toBe('2024-07-01T12:00+02:00[Europe/Paris]');
    expect(rec.get('offsetText')).toBe('2024-01-02T03:04:05.000000006+01:00');
    expect(String(rec.get('next'))).toBe('2024-03-01');
    // Server-made temporals decode into the driver's types.
    const made = await one(d, "RETURN datetime('2020-05-06T07:08:09.5[America/New_York]')");
    expect(String(made)).toBe('2020-05-06T07:08:09.500000000-04:00[America/New_York]');
  });

  it('returns nodes, relationships and paths with element ids matching elementId()', async () => {
    const d = driver();
    const rec = await withSession(d, async (s) => {
      await s.run("CREATE (:G {name: 'a', n: 1})-[:LINK {w: 2.5}]->(:G:H {name: 'b'})");
      return (
        await s.run(
          "MATCH p = (a:G {name: 'a'})-[r:LINK]->(b) RETURN a, r, b, p, elementId(a) AS ea, elementId(r) AS er",
        )
      ).records[0]!;
    });
    const a = rec.get('a');
    const r = rec.get('r');
    const b = rec.get('b');
    expect(a.labels).toEqual(['G']);
    expect(a.properties).toEqual({ name: 'a', n: 1n });
    expect(b.labels.sort()).toEqual(['G', 'H']);
    expect(a.elementId).toBe(rec.get('ea'));
    expect(r.elementId).toBe(rec.get('er'));
    expect(r.type).toBe('LINK');
    expect(r.properties).toEqual({ w: 2.5 });
    expect(r.startNodeElementId).toBe(a.elementId);
    expect(r.endNodeElementId).toBe(b.elementId);
    const p = rec.get('p');
    expect(p.length).toBe(1);
    expect(p.start.elementId).toBe(a.elementId);
    expect(p.end.elementId).toBe(b.elementId);
    expect(p.segments[0].relationship.elementId).toBe(r.elementId);
    // A path walked against the relationship's direction.
    const back = await one(d, "MATCH p = (b:H)<-[:LINK]-(a:G {name: 'a'}) RETURN p");
    const seg = (
      back as { segments: { start: { elementId: string }; relationship: { startNodeElementId: string } }[] }
    ).segments[0]!;
    expect(seg.start.elementId).toBe(b.elementId);
    expect(seg.relationship.startNodeElementId).toBe(a.elementId);
  });
});

describe('transactions and errors', () => {
  it('commits and rolls back explicit transactions, returning a bookmark', async () => {
    const d = driver();
    await withSession(d, async (s) => {
      const tx = await s.beginTransaction();
      await tx.run("CREATE (:Tx {k: 'rolled'})");
      expect((await tx.run("MATCH (n:Tx {k: 'rolled'}) RETURN count(n) AS c")).records[0]!.get('c')).toBe(1n);
      await tx.rollback();
      const tx2 = await s.beginTransaction();
      await tx2.run("CREATE (:Tx {k: 'kept'})");
      await tx2.commit();
      expect(s.lastBookmarks().length).toBe(1);
    });
    expect(await one(d, "MATCH (n:Tx {k: 'rolled'}) RETURN count(n)")).toBe(0n);
    expect(await one(d, "MATCH (n:Tx {k: 'kept'}) RETURN count(n)")).toBe(1n);
  });

  it('runs executeRead / executeWrite managed transactions', async () => {
    const d = driver();
    await withSession(d, async (s) => {
      const created = await s.executeWrite(async (tx) => {
        const r = await tx.run('UNWIND range(1, 3) AS i CREATE (:Managed {i: i}) RETURN count(*) AS c');
        return r.records[0]!.get('c');
      });
      expect(created).toBe(3n);
      const sum = await s.executeRead(async (tx) =>
        (await tx.run('MATCH (m:Managed) RETURN sum(m.i) AS s')).records[0]!.get('s'),
      );
      expect(sum).toBe(6n);
    });
  });

  it('maps errors to Neo4j codes with the Nexus code in the message, and recovers after RESET', async () => {
    const d = driver();
    await withSession(d, async (s) => {
      await expect(s.run('RETURN 1 +')).rejects.toMatchObject({
        code: 'Neo.ClientError.Statement.SyntaxError',
        message: expect.stringContaining('CYPHER_SYNTAX_ERROR'),
      });
      await expect(s.run('RETURN $missing')).rejects.toMatchObject({
        code: expect.stringMatching(/^Neo\.ClientError\.Statement\./),
      });
      await expect(s.run('RETURN 1 / 0')).rejects.toMatchObject({
        code: expect.stringMatching(/^Neo\.ClientError\.Statement\./),
      });
      expect((await s.run('RETURN 3 AS x')).records[0]!.get('x')).toBe(3n);
      // A failed statement inside an explicit transaction fails the transaction; the session recovers.
      const tx = await s.beginTransaction();
      await expect(tx.run('RETURN nope')).rejects.toMatchObject({
        code: 'Neo.ClientError.Statement.SemanticError',
      });
      await tx.close();
      expect((await s.run('RETURN 4 AS x')).records[0]!.get('x')).toBe(4n);
    });
  });

  it('a READ key cannot write, neither autocommit nor inside an explicit transaction', async () => {
    const d = driver(neo4j.auth.bearer(readKey));
    expect(await one(d, 'MATCH (n) RETURN count(n) >= 0')).toBe(true);
    await expect(one(d, 'CREATE (:Nope)')).rejects.toMatchObject({
      code: 'Neo.ClientError.Security.Forbidden',
    });
    await withSession(d, async (s) => {
      const tx = await s.beginTransaction();
      await expect(tx.run('CREATE (:Nope)')).rejects.toMatchObject({
        code: 'Neo.ClientError.Security.Forbidden',
      });
      await tx.close();
    });
    expect(await one(driver(), 'MATCH (n:Nope) RETURN count(n)')).toBe(0n);
  });
});

describe('routing', () => {
  it('neo4j:// URIs route reads and writes to this instance', async () => {
    const d = driver(neo4j.auth.bearer(ROOT_KEY), server.boltUrl!.replace('bolt://', 'neo4j://'));
    await withSession(d, async (s) => {
      await s.executeWrite((tx) => tx.run("CREATE (:Routed {v: 'x'})"));
      const n = await s.executeRead(async (tx) =>
        (await tx.run('MATCH (r:Routed) RETURN count(r) AS c')).records[0]!.get('c'),
      );
      expect(n).toBe(1n);
    });
    const info = await d.getServerInfo();
    expect(info.address).toBe(server.boltUrl!.replace('bolt://', ''));
  });
});

describe('TLS', () => {
  it('serves bolt+s:// with server.bolt_tls (a self-signed certificate, accepted as bolt+ssc://)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'nexus-bolt-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = await startServerProcess({
      env: { ...ENV, NEXUS_BOLT_TLS_CERT_FILE: cert, NEXUS_BOLT_TLS_KEY_FILE: key },
    });
    try {
      expect(tls.boltUrl).toMatch(/^bolt\+s:\/\//);
      const d = driver(neo4j.auth.bearer(ROOT_KEY), tls.boltUrl!.replace('bolt+s://', 'bolt+ssc://'));
      expect(await one(d, 'RETURN 5')).toBe(5n);
    } finally {
      await tls.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('crash', () => {
  it('nothing of a transaction open at SIGKILL is visible after restart', async () => {
    const first = await startServerProcess({ env: ENV });
    const dataDir = first.dataDir;
    const d1 = neo4j.driver(first.boltUrl!, neo4j.auth.bearer(ROOT_KEY), { useBigInt: true });
    const s = d1.session();
    await s.run("CREATE (:Crash {k: 'committed'})");
    const tx = await s.beginTransaction();
    await tx.run("UNWIND range(1, 100) AS i CREATE (:Crash {k: 'open', i: i})");
    await first.stop({ signal: 'SIGKILL', keepData: true });
    await d1.close().catch(() => undefined);
    const second = await startServerProcess({ env: ENV, dataDir });
    try {
      const d2 = driver(neo4j.auth.bearer(ROOT_KEY), second.boltUrl!);
      expect(await one(d2, 'MATCH (c:Crash) RETURN collect(c.k)')).toEqual(['committed']);
    } finally {
      await second.stop();
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
