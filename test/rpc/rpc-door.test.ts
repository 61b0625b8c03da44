/**
 * The native RPC door in process: framing, the strict MessagePack decoding, NexusValue
 * conversion, every command of the upstream command map, pipelining, the frame limit and
 * the auth / permission / allowed_functions checks, over real TCP on an ephemeral port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { startRpcServer, type RpcServer } from '../../src/rpc/index.js';
import { ResponseWriter } from '../../src/rpc/rpc-codec.js';
import type { UserContext } from '../../src/auth/types.js';
import { openTestDb, testConfig, type TestDb } from '../server/support.js';
import { frame, nx, plain, requestBody, RpcTestClient } from '../helpers/rpc-client.js';
import { context, testCore } from './test-core.js';

const silent = { warn: () => undefined, error: () => undefined, debug: () => undefined };

async function start(db: TestDb, keys: Map<string, UserContext> | null, rpc: Record<string, unknown> = {}) {
  const core = testCore(db.db, keys);
  const server = await startRpcServer({
    config: testConfig({ server: { rpc_port: 0 }, auth: { enabled: keys !== null }, rpc }),
    core,
    db: db.db,
    version: 'test',
    logger: silent,
  });
  return { server: server!, core };
}

describe('RPC door (auth off)', () => {
  let db: TestDb;
  let server: RpcServer;
  let client: RpcTestClient;

  beforeAll(async () => {
    db = await openTestDb();
    ({ server } = await start(db, null, { max_frame_bytes: 4096 }));
    client = await RpcTestClient.open(server.port);
  });
  afterAll(async () => {
    client.close();
    await server.close(1000);
    await db.close();
  });

  it('answers HELLO, PING (with and without payload) and refuses an unknown protocol version', async () => {
    expect(await client.ok('HELLO', [nx.Int(1)])).toMatchObject({
      server: 'nexus',
      proto: 1,
      version: 'test',
    });
    expect(await client.ok('PING')).toBe('PONG');
    expect(await client.ok('ping', [nx.Str('hi')])).toBe('hi');
    const bad = await client.call('HELLO', [nx.Int(2)]);
    expect(bad.ok).toBe(false);
    expect(String(bad.value)).toMatch(/^NOPROTO /);
  });

  it('runs CYPHER with parameters and returns the upstream envelope, values tagged exactly', async () => {
    const res = await client.call('CYPHER', [
      nx.Str('RETURN $i AS i, $f AS f, $s AS s, $n AS n, $l AS l, $m AS m, 1.0 AS one'),
      nx.Map({
        i: nx.Int(2n ** 60n),
        f: nx.Float(1.5),
        s: nx.Str('h\u00e9llo'),
        n: nx.Null(),
        l: nx.Array([nx.Int(1), nx.Bool(true)]),
        m: nx.Map({ k: nx.Str('v') }),
      }),
    ]);
    expect(res.ok).toBe(true);
    const out = plain(res.value) as { columns: string[]; rows: unknown[][]; execution_time_ms: number };
    expect(out.columns).toEqual(['i', 'f', 's', 'n', 'l', 'm', 'one']);
    expect(out.rows).toEqual([[2n ** 60n, 1.5, 'h\u00e9llo', null, [1, true], { k: 'v' }, 1]]);
    expect(Number.isInteger(out.execution_time_ms)).toBe(true);
    // The float 1.0 is tagged Float (and encoded as a float, see the writer test below).
    const one = (res.value as { Map: [unknown, { Array: { Array: unknown[] }[] }][] }).Map[1]![1].Array[0]!
      .Array[6];
    expect(one).toEqual({ Float: 1 });
  });

  it('reports Cypher errors with the stable code after the ERR prefix', async () => {
    const res = await client.call('CYPHER', [nx.Str('RETURN nope(')]);
    expect(res.ok).toBe(false);
    expect(String(res.value)).toMatch(/^ERR CYPHER_SYNTAX_ERROR: /);
  });

  it('implements the graph CRUD, schema, stats, ingest, export and import commands', async () => {
    const a = (await client.ok('CREATE_NODE', [
      nx.Array([nx.Str('P`x')]),
      nx.Map({ name: nx.Str('Ada') }),
    ])) as number;
    const b = (await client.ok('CREATE_NODE', [
      nx.Array([nx.Str('P`x')]),
      nx.Map({ name: nx.Str('Bob') }),
    ])) as number;
    const r = await client.ok('CREATE_REL', [
      nx.Int(a),
      nx.Int(b),
      nx.Str('KNOWS'),
      nx.Map({ since: nx.Int(2020) }),
    ]);
    expect(typeof r).toBe('number');
    expect(await client.ok('UPDATE_NODE', [nx.Int(a), nx.Map({ age: nx.Int(36) })])).toEqual({
      id: a,
      labels: ['P`x'],
      properties: { name: 'Ada', age: 36 },
    });
    const found = (await client.ok('MATCH_NODES', [
      nx.Str('P`x'),
      nx.Map({ name: nx.Str('Bob') }),
      nx.Int(10),
    ])) as {
      id: number;
    }[];
    expect(found.map((n) => n.id)).toEqual([b]);
    expect(await client.ok('LABELS')).toEqual(['P`x']);
    expect(await client.ok('REL_TYPES')).toEqual(['KNOWS']);
    expect(await client.ok('PROPERTY_KEYS')).toEqual(expect.arrayContaining(['age', 'name', 'since']));
    expect(await client.ok('INDEXES')).toEqual([]);
    expect(await client.ok('STATS')).toMatchObject({ nodes: 2, relationships: 1, labels: 1, rel_types: 1 });
    expect(await client.ok('HEALTH')).toMatchObject({ state: 'healthy' });
    const missing = await client.call('CREATE_REL', [nx.Int(999), nx.Int(b), nx.Str('KNOWS'), nx.Map({})]);
    expect(String(missing.value)).toMatch(/^ERR NOT_FOUND/);
    expect(String((await client.call('DELETE_NODE', [nx.Int(a), nx.Bool(false)])).value)).toMatch(
      /CONSTRAINT|relationship/i,
    );
    expect(await client.ok('DELETE_NODE', [nx.Int(a), nx.Bool(true)])).toBe(true);
    expect(await client.ok('DELETE_NODE', [nx.Int(a), nx.Bool(true)])).toBe(false);

    const ingest = await client.ok('INGEST', [
      nx.Array([nx.Map({ labels: nx.Array([nx.Str('I')]), properties: nx.Map({ k: nx.Int(1) }) })]),
      nx.Array([nx.Map({ src: nx.Int(b), dst: nx.Int(b), type: nx.Str('SELF'), properties: nx.Map({}) })]),
    ]);
    expect(ingest).toEqual({ nodes: { created: 1, errors: 0 }, relationships: { created: 1, errors: 0 } });
    const badIngest = await client.call('INGEST', [nx.Array([nx.Map({ labels: nx.Int(1) })]), nx.Array([])]);
    expect(String(badIngest.value)).toMatch(/^ERR INVALID_PARAMETER/);

    const imported = await client.ok('IMPORT', [
      nx.Str('json'),
      nx.Str(JSON.stringify({ nodes: [{ labels: ['Imp'], properties: { n: 1 } }, { labels: ['Imp'] }] })),
    ]);
    expect(imported).toMatchObject({ nodes: { created: 2, errors: 0 } });
    const exported = (await client.ok('EXPORT', [
      nx.Str('json'),
      nx.Str('MATCH (n:Imp) RETURN n.n AS n ORDER BY n'),
    ])) as {
      data: string;
    };
    expect(JSON.parse(exported.data)).toEqual([{ n: 1 }, { n: null }]);
    const csv = (await client.ok('EXPORT', [nx.Str('csv'), nx.Str('RETURN "a,b" AS x')])) as { data: string };
    expect(csv.data).toBe('x\n"a,b"\n');
    expect(String((await client.call('EXPORT', [nx.Str('xml')])).value)).toMatch(/^ERR INVALID_PARAMETER/);
  });

  it('knows only the default database and says so for the others', async () => {
    expect(await client.ok('DB_LIST')).toMatchObject({ databases: ['neo4j'], defaultDatabase: 'neo4j' });
    expect(await client.ok('DB_USE', [nx.Str('neo4j')])).toBe('OK');
    expect(await client.ok('DB_CURRENT')).toEqual({ database: 'neo4j' });
    expect(String((await client.call('DB_USE', [nx.Str('other')])).value)).toMatch(/^ERR DATABASE_NOT_FOUND/);
    expect(String((await client.call('DB_CREATE', [nx.Str('x')])).value)).toMatch(/^ERR NOT_IMPLEMENTED/);
    expect(String((await client.call('KNN_SEARCH', [])).value)).toMatch(/^ERR NOT_IMPLEMENTED/);
    expect(String((await client.call('NOPE', [])).value)).toMatch(/^ERR PROTOCOL_ERROR: unknown command/);
  });

  it('answers pipelined requests by id, out of order allowed', async () => {
    const calls = Array.from({ length: 200 }, (_, i) =>
      client.call('CYPHER', [nx.Str(`RETURN ${i} AS i`)], 10_000 + i),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      expect(r.id).toBe(10_000 + i);
      expect((plain(r.value) as { rows: number[][] }).rows).toEqual([[i]]);
    });
  });

  it('refuses invalid UTF-8, extension types, __proto__ keys and the reserved id, and stays usable', async () => {
    const badUtf8 = Buffer.from(pack({ id: 7, command: 'PING', args: [{ Str: 'ab' }] }));
    const at = badUtf8.indexOf(Buffer.from('ab'));
    badUtf8[at] = 0xc3;
    badUtf8[at + 1] = 0x28; // C3 28: an invalid two-byte sequence
    client.writeRaw(frame(badUtf8));
    const r1 = await client.nextUnsolicited();
    expect(r1).toMatchObject({ id: 7, ok: false });
    expect(String(r1.value)).toMatch(/^ERR PROTOCOL_ERROR: string is not valid UTF-8/);

    const ext = Buffer.concat([
      requestBody(8, 'PING', []).subarray(0, -1),
      Buffer.from([0x91, 0xd4, 0x01, 0x00]),
    ]);
    client.writeRaw(frame(ext));
    expect(String((await client.nextUnsolicited()).value)).toMatch(/PROTOCOL_ERROR/);

    // {"__proto__": …} as the request map itself.
    const proto = Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from('__proto__'), Buffer.from([0x01])]);
    client.writeRaw(frame(proto));
    expect(String((await client.nextUnsolicited()).value)).toMatch(/__proto__/);

    const reserved = await client.call('PING', [], 0xffff_ffff);
    expect(String(reserved.value)).toMatch(/reserved for server push/);
    expect(await client.ok('PING')).toBe('PONG');
  });

  it('refuses a frame larger than rpc.max_frame_bytes from its length prefix and closes', async () => {
    const c = await RpcTestClient.open(server.port);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(0xffff_fff0, 0); // ~4 GiB announced; nothing follows
    c.writeRaw(header);
    const res = await c.nextUnsolicited();
    expect(String(res.value)).toMatch(/exceeds rpc.max_frame_bytes \(4096\)/);
    await c.closed;
  });

  it('QUIT answers OK and closes the connection', async () => {
    const c = await RpcTestClient.open(server.port);
    expect(await c.ok('QUIT')).toBe('OK');
    await c.closed;
  });
});

describe('RPC door (auth on)', () => {
  let db: TestDb;
  let server: RpcServer;
  let closed: unknown[];

  beforeAll(async () => {
    db = await openTestDb();
    const keys = new Map<string, UserContext>([
      ['k-write', context('default', ['READ', 'WRITE'])],
      ['k-read', context('default', ['READ'])],
      ['k-cypher-only', context('default', ['READ', 'WRITE'], ['execute_cypher'])],
    ]);
    const started = await start(db, keys);
    server = started.server;
    closed = started.core.closed;
  });
  afterAll(async () => {
    await server.close(1000);
    await db.close();
  });

  it('needs AUTH before any data command; PING and HELLO work before it', async () => {
    const c = await RpcTestClient.open(server.port);
    expect(await c.ok('HELLO', [nx.Int(1)])).toMatchObject({ authenticated: false });
    expect(await c.ok('PING')).toBe('PONG');
    expect(String((await c.call('CYPHER', [nx.Str('RETURN 1')])).value)).toMatch(/^NOAUTH /);
    expect(String((await c.call('AUTH', [nx.Str('wrong')])).value)).toMatch(/^WRONGPASS INVALID_TOKEN/);
    expect(await c.ok('AUTH', [nx.Str('k-write')])).toBe('OK');
    expect(await c.ok('HELLO')).toMatchObject({ authenticated: true });
    expect(await c.ok('CREATE_NODE', [nx.Array([nx.Str('A')]), nx.Map({})])).toBeTypeOf('number');
    c.close();
    await c.closed;
    await expect.poll(() => closed.length).toBeGreaterThan(0);
  });

  it('accepts the user + password form (password = API key)', async () => {
    const c = await RpcTestClient.open(server.port);
    expect(await c.ok('AUTH', [nx.Str('anyone'), nx.Str('k-read')])).toBe('OK');
    expect(await c.ok('LABELS')).toEqual(['A']);
    c.close();
  });

  it('applies READ/WRITE and allowed_functions per command', async () => {
    const reader = await RpcTestClient.open(server.port);
    await reader.ok('AUTH', [nx.Str('k-read')]);
    expect(String((await reader.call('CREATE_NODE', [nx.Array([]), nx.Map({})])).value)).toMatch(
      /^ERR FORBIDDEN/,
    );
    expect(String((await reader.call('CYPHER', [nx.Str('CREATE (n)')])).value)).toMatch(/^ERR FORBIDDEN/);
    const limited = await RpcTestClient.open(server.port);
    await limited.ok('AUTH', [nx.Str('k-cypher-only')]);
    expect(await limited.ok('CYPHER', [nx.Str('RETURN 1 AS x')])).toMatchObject({ rows: [[1]] });
    expect(String((await limited.call('LABELS')).value)).toMatch(/^ERR FUNCTION_NOT_ALLOWED/);
    expect(String((await limited.call('STATS')).value)).toMatch(/^ERR FUNCTION_NOT_ALLOWED/);
    reader.close();
    limited.close();
  });
});

describe('ResponseWriter', () => {
  it('writes integral floats as float 64 and integers in their shortest form', () => {
    const w = new ResponseWriter();
    w.float(1);
    w.int(1);
    w.int(-1);
    w.int(300);
    w.int(2n ** 63n - 1n);
    w.str('é'.repeat(20));
    const body = w.frame().subarray(4);
    expect(body[0]).toBe(0xcb);
    expect(body.readDoubleBE(1)).toBe(1);
    expect([...body.subarray(9, 14)]).toEqual([0x01, 0xff, 0xcd, 0x01, 0x2c]);
    expect(body[14]).toBe(0xcf); // uint 64
    expect(body[23]).toBe(0xd9); // str 8: 40 bytes
    expect(body[24]).toBe(40);
  });
});
