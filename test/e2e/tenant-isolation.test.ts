/**
 * Tenant isolation, attacked over the real wire: one cluster-mode server process, the
 * HiveHub emulator process, and three tenants whose graphs use the SAME labels, types,
 * property keys and index names. Every probe is made from an attacker tenant's key, over
 * REST, MCP and the Neo4j Query API, and checked against what the victims hold.
 *
 * Error-text inference is tested by probing *before* the victim's data exist and again
 * after: the answers must be byte-identical, so no error can reveal that another tenant
 * has an id, label, key or index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  MCP_TOOLS,
  ROOT_KEY,
  call,
  createKey,
  cypher,
  errorCode,
  mcpConnect,
  rows,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
  type McpHandle,
  type WireResponse,
} from './helpers/cluster-harness.js';

const TENANTS = ['alice', 'bob', 'carol'] as const;
type Tenant = (typeof TENANTS)[number];

/** Names only one tenant uses: if any of them shows up for another tenant, something leaked. */
const marks = (t: Tenant): string[] => [`Only_${t}`, `REL_${t}`, `key_${t}`, `idx_${t}`, `${t}-secret`];

/** Ids that exist only in bob's namespace (bob gets many more nodes than the others). */
const BOB_ONLY_IDS = [10, 25, 41];
const BOB_EXTRA_NODES = 45;

let emulator: EmulatorProcess;
let server: ServerProcess;
const keys = {} as Record<Tenant, CreatedKey>;
const mcps: McpHandle[] = [];

async function mcpFor(key: string, headers: Record<string, string> = {}): Promise<McpHandle> {
  const handle = await mcpConnect(server.url, key, headers);
  mcps.push(handle);
  return handle;
}

/** Same shared schema everywhere, plus names unique to the tenant. */
async function populate(t: Tenant, extraNodes = 0): Promise<void> {
  const k = keys[t].secret;
  await rows(server.url, k, 'CREATE INDEX person_name FOR (n:Person) ON (n.name)');
  await rows(server.url, k, `CREATE INDEX idx_${t} FOR (n:Only_${t}) ON (n.key_${t})`);
  await rows(
    server.url,
    k,
    `CREATE (a:Person {name: 'P1', owner: $t, secret: $s})-[:KNOWS {since: 1, owner: $t}]->` +
      `(b:Person {name: 'P2', owner: $t})-[:KNOWS {since: 2, owner: $t}]->(c:Person {name: 'P3', owner: $t}),` +
      `(c)-[:REL_${t} {owner: $t}]->(d:Only_${t} {key_${t}: 1, owner: $t})`,
    { t, s: `${t}-secret` },
  );
  if (extraNodes > 0) {
    await rows(server.url, k, 'UNWIND range(1, $n) AS i CREATE (:Person {name: "extra", owner: $t, i: i})', {
      n: extraNodes,
      t,
    });
  }
}

/** A tenant's whole graph, as the tenant sees it: nodes and relationships with everything. */
async function dump(t: Tenant): Promise<{ nodes: unknown[][]; rels: unknown[][]; stats: unknown }> {
  const k = keys[t].secret;
  const nodes = await rows(server.url, k, 'MATCH (n) RETURN id(n), labels(n), properties(n) ORDER BY id(n)');
  const rels = await rows(
    server.url,
    k,
    'MATCH (a)-[r]->(b) RETURN id(r), type(r), id(a), id(b), properties(r) ORDER BY id(r)',
  );
  const stats = (await call(server.url, 'GET', '/stats', { key: k })).body as Record<string, unknown>;
  const { uptime_seconds: _u, ...rest } = stats;
  return { nodes, rels, stats: rest };
}

/**
 * Everything alice can try against bob's ids and names, as raw exchanges. Run once before
 * bob has any data and once after: the two lists must be identical.
 */
async function probeBob(): Promise<unknown[]> {
  const k = keys.alice.secret;
  const out: unknown[] = [];
  const wire = (r: WireResponse) => ({ status: r.status, text: r.text });
  for (const id of BOB_ONLY_IDS) {
    out.push(wire(await call(server.url, 'GET', `/data/nodes/${id}`, { key: k })));
    out.push(wire(await call(server.url, 'GET', `/data/relationships/${id}`, { key: k })));
    out.push(
      wire(await call(server.url, 'PATCH', `/data/nodes/${id}`, { key: k, body: { properties: { x: 1 } } })),
    );
    out.push(
      wire(await call(server.url, 'PUT', `/data/nodes/${id}`, { key: k, body: { properties: { x: 1 } } })),
    );
    out.push(wire(await call(server.url, 'DELETE', `/data/nodes/${id}?detach=true`, { key: k })));
    out.push(wire(await call(server.url, 'DELETE', `/data/relationships/${id}`, { key: k })));
    out.push(
      wire(
        await call(server.url, 'POST', '/data/relationships', {
          key: k,
          body: { src: 0, dst: id, type: 'X' },
        }),
      ),
    );
    out.push(
      wire(
        await call(server.url, 'POST', '/ingest', {
          key: k,
          body: { nodes: [], relationships: [{ src: 0, dst: id, type: 'X' }] },
        }),
      ),
    );
    const q = await cypher(server.url, k, 'MATCH (n) WHERE id(n) = $id RETURN n', { id });
    out.push({ status: q.status, rows: (q.body as { rows: unknown }).rows });
    const qr = await cypher(server.url, k, 'MATCH ()-[r]->() WHERE id(r) = $id RETURN r', { id });
    out.push({ status: qr.status, rows: (qr.body as { rows: unknown }).rows });
    const mcp = await mcpFor(k);
    out.push(await mcp.tool('get_node', { id }));
    out.push(await mcp.tool('delete_node', { id, detach: true }));
    out.push(await mcp.tool('create_relationship', { src: 0, dst: id, type: 'X' }));
  }
  for (const name of ['idx_bob', 'person_name_bob']) {
    out.push(wire(await cypher(server.url, k, `DROP INDEX ${name}`)));
  }
  out.push(wire(await call(server.url, 'GET', '/cluster/usage?user_id=bob', { key: k })));
  out.push(wire(await call(server.url, 'GET', '/stats', { key: k, headers: { 'x-nexus-tenant': 'bob' } })));
  return out;
}

let probesBefore: unknown[];
let aliceBefore: Awaited<ReturnType<typeof dump>>;

beforeAll(async () => {
  // 'Alice' is a different HiveHub user than 'alice': ids are case-sensitive, so are namespaces.
  emulator = await startEmulatorProcess({ users: [...TENANTS, 'Alice'].map((user_id) => ({ user_id })) });
  // Info level: the operator-access audit lines are asserted below.
  server = await startClusterServer(emulator.url, {}, { env: { NEXUS_LOG_LEVEL: 'info' } });
  for (const t of TENANTS) keys[t] = await createKey(server.url, { user_id: t, permissions: ['ADMIN'] });
  await populate('alice');
  await populate('carol');
  aliceBefore = await dump('alice');
  probesBefore = await probeBob();
  await populate('bob', BOB_EXTRA_NODES);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(mcps.map((m) => m.close()));
  await server?.stop();
  await emulator?.stop();
});

describe('tenant isolation over REST', () => {
  it('gives byte-identical answers for ids and index names that exist only in another tenant', async () => {
    // The victim's ids really exist for the victim...
    for (const id of BOB_ONLY_IDS) {
      expect((await call(server.url, 'GET', `/data/nodes/${id}`, { key: keys.bob.secret })).status).toBe(200);
    }
    // ...and the attacker cannot tell: every answer equals the one from before bob had data.
    const after = await probeBob();
    expect(after).toEqual(probesBefore);
    // And they are the plain "does not exist" answers, not something else.
    const get = await call(server.url, 'GET', `/data/nodes/${BOB_ONLY_IDS[0]}`, { key: keys.alice.secret });
    expect(get.status).toBe(404);
    expect(errorCode(get.body)).toBe('NOT_FOUND');
    // An id nobody has gives the same answer, modulo the number itself.
    const none = await call(server.url, 'GET', '/data/nodes/999999', { key: keys.alice.secret });
    expect(none.text.replaceAll('999999', 'ID')).toBe(get.text.replaceAll(String(BOB_ONLY_IDS[0]), 'ID'));
  });

  it("leaves the attacker's own view unchanged when another tenant writes (counts, bytes, ids)", async () => {
    expect(await dump('alice')).toEqual(aliceBefore);
  });

  it('scans (MATCH (n), MATCH ()-[r]->(), variable length) see only the own namespace', async () => {
    for (const t of TENANTS) {
      const k = keys[t].secret;
      const owners = await rows(server.url, k, 'MATCH (n) RETURN DISTINCT n.owner');
      expect(owners).toEqual([[t]]);
      const relOwners = await rows(server.url, k, 'MATCH ()-[r]->() RETURN DISTINCT r.owner');
      expect(relOwners).toEqual([[t]]);
      const expectedNodes = 4 + (t === 'bob' ? BOB_EXTRA_NODES : 0);
      expect(await rows(server.url, k, 'MATCH (n) RETURN count(n)')).toEqual([[expectedNodes]]);
      expect(await rows(server.url, k, 'MATCH ()-[r]->() RETURN count(r)')).toEqual([[3]]);
      expect(await rows(server.url, k, 'MATCH (n:Person) RETURN count(n)')).toEqual([[expectedNodes - 1]]);
      // Variable-length expansion from every node: paths stay inside the namespace.
      const paths = await rows(
        server.url,
        k,
        'MATCH p = (a)-[*1..10]-(b) UNWIND nodes(p) AS x RETURN count(p) > 0, collect(DISTINCT x.owner)',
      );
      expect(paths).toEqual([[true, [t]]]);
      // Unlabeled scans through ids: every id the tenant can reach is its own.
      const ids = await rows(server.url, k, 'MATCH (n) WHERE id(n) IN range(0, 500) RETURN DISTINCT n.owner');
      expect(ids).toEqual([[t]]);
      // Ids are per namespace: every tenant has its own node 0 and relationship 0.
      const node0 = await call(server.url, 'GET', '/data/nodes/0', { key: k });
      expect(node0.status).toBe(200);
      expect((node0.body as { properties: { owner: string } }).properties.owner).toBe(t);
      const rel0 = await call(server.url, 'GET', '/data/relationships/0', { key: k });
      expect(rel0.status).toBe(200);
      expect((rel0.body as { properties: { owner: string } }).properties.owner).toBe(t);
    }
  });

  it('OPTIONAL MATCH and label lookups of another tenant’s labels find nothing', async () => {
    const k = keys.alice.secret;
    expect(await rows(server.url, k, 'OPTIONAL MATCH (n:Only_bob) RETURN n')).toEqual([[null]]);
    expect(await rows(server.url, k, 'OPTIONAL MATCH ()-[r:REL_bob]->() RETURN r')).toEqual([[null]]);
    expect(await rows(server.url, k, 'MATCH (n) WHERE n.key_bob IS NOT NULL RETURN count(n)')).toEqual([[0]]);
    expect(await rows(server.url, k, "MATCH (n {secret: 'bob-secret'}) RETURN count(n)")).toEqual([[0]]);
    // The index on Person.name is per tenant: an index seek returns only own rows.
    expect(await rows(server.url, k, "MATCH (n:Person {name: 'P1'}) RETURN n.owner")).toEqual([['alice']]);
  });

  it('catalogue procedures and /schema/* list only own labels, types, keys and indexes', async () => {
    for (const t of TENANTS) {
      const k = keys[t].secret;
      const flat = (r: unknown[][]) => r.map((x) => x[0]);
      expect(flat(await rows(server.url, k, 'CALL db.labels() YIELD label RETURN label'))).toEqual(
        [`Only_${t}`, 'Person'].sort(),
      );
      expect(flat(await rows(server.url, k, 'CALL db.relationshipTypes()'))).toEqual(
        ['KNOWS', `REL_${t}`].sort(),
      );
      const propertyKeys = [
        `key_${t}`,
        'name',
        'owner',
        'secret',
        'since',
        ...(t === 'bob' ? ['i'] : []),
      ].sort();
      expect(flat(await rows(server.url, k, 'CALL db.propertyKeys()'))).toEqual(propertyKeys);
      const show = await rows(server.url, k, 'SHOW INDEXES');
      expect(show.map((r) => r[0]).sort()).toEqual([`idx_${t}`, 'person_name']);

      const labels = await call(server.url, 'GET', '/schema/labels', { key: k });
      expect(labels.body).toEqual({ labels: [`Only_${t}`, 'Person'].sort() });
      const types = await call(server.url, 'GET', '/schema/rel_types', { key: k });
      expect(JSON.stringify(types.body)).not.toMatch(otherMarks(t));
      expect(JSON.stringify(types.body)).toContain(`REL_${t}`);
      const pk = await call(server.url, 'GET', '/schema/property_keys', { key: k });
      expect(JSON.stringify(pk.body)).not.toMatch(otherMarks(t));
      expect(JSON.stringify(pk.body)).toContain(`key_${t}`);
      const idx = await call(server.url, 'GET', '/schema/indexes', { key: k });
      expect((idx.body as { indexes: { name: string }[] }).indexes.map((i) => i.name).sort()).toEqual([
        `idx_${t}`,
        'person_name',
      ]);
    }
  });

  it('/stats counts only the own namespace and /metrics is closed to tenants', async () => {
    for (const t of TENANTS) {
      const stats = (await call(server.url, 'GET', '/stats', { key: keys[t].secret })).body as {
        nodes: number;
        relationships: number;
        labels: Record<string, number>;
      };
      expect(stats.nodes).toBe(4 + (t === 'bob' ? BOB_EXTRA_NODES : 0));
      expect(stats.relationships).toBe(3);
      expect(Object.keys(stats.labels).sort()).toEqual([`Only_${t}`, 'Person'].sort());
      const metrics = await call(server.url, 'GET', '/metrics', { key: keys[t].secret });
      expect(metrics.status).toBe(403);
      expect(errorCode(metrics.body)).toBe('FORBIDDEN');
    }
    // The operator's global view carries no tenant ids, labels or names.
    const text = (await call(server.url, 'GET', '/metrics', { key: ROOT_KEY })).text;
    expect(text).toContain('# TYPE');
    for (const t of TENANTS) {
      for (const m of marks(t)) expect(text).not.toContain(m);
      expect(text).not.toMatch(new RegExp(`\\b${t}\\b`));
    }
  });

  it('/cluster/usage answers only for the caller; asking for another tenant or a made-up one is the same 403', async () => {
    const own = await call(server.url, 'GET', '/cluster/usage', { key: keys.alice.secret });
    expect(own.status).toBe(200);
    expect((own.body as { user_id: string }).user_id).toBe('alice');
    expect(own.text).not.toMatch(/bob|carol/);
    const other = await call(server.url, 'GET', '/cluster/usage?user_id=bob', { key: keys.alice.secret });
    const none = await call(server.url, 'GET', '/cluster/usage?user_id=nobody-here', {
      key: keys.alice.secret,
    });
    expect(other.status).toBe(403);
    expect(other.text).toBe(none.text);
    const hdrOther = await call(server.url, 'GET', '/stats', {
      key: keys.alice.secret,
      headers: { 'x-nexus-tenant': 'bob' },
    });
    const hdrNone = await call(server.url, 'GET', '/stats', {
      key: keys.alice.secret,
      headers: { 'x-nexus-tenant': 'nobody-here' },
    });
    expect(hdrOther.status).toBe(403);
    expect(hdrOther.text).toBe(hdrNone.text);
  });

  it('MERGE, SET, CREATE INDEX with another tenant’s names act only in the own namespace', async () => {
    const k = keys.alice.secret;
    const bobBefore = await dump('bob');
    const carolBefore = await dump('carol');
    // MERGE on bob's unique label creates alice's own node; MERGE of the shared schema matches alice's.
    const merged = await rows(server.url, k, 'MERGE (n:Only_bob {key_bob: 1}) RETURN n.owner, id(n)');
    expect(merged[0]![0]).toBeNull();
    expect(await rows(server.url, k, "MERGE (n:Person {name: 'P1'}) RETURN n.owner")).toEqual([['alice']]);
    // An index with bob's index name is free in alice's namespace, and dropping it leaves bob's.
    await rows(server.url, k, 'CREATE INDEX idx_bob FOR (n:Only_bob) ON (n.key_bob)');
    expect((await rows(server.url, k, 'SHOW INDEXES')).map((r) => r[0]).sort()).toEqual([
      'idx_alice',
      'idx_bob',
      'person_name',
    ]);
    await rows(server.url, k, 'DROP INDEX idx_bob');
    await rows(server.url, k, 'DROP INDEX idx_bob IF EXISTS');
    await rows(server.url, k, 'DROP INDEX person_name');
    // Blanket SET / REMOVE across everything alice can match.
    await rows(server.url, k, "MATCH (n) SET n.owner = 'pwned', n:Pwned REMOVE n.name");
    await rows(server.url, k, "MATCH ()-[r]->() SET r.owner = 'pwned'");
    await rows(server.url, k, "MATCH (n) WHERE id(n) IN range(0, 500) SET n.secret = 'pwned'");
    expect(await dump('bob')).toEqual(bobBefore);
    expect(await dump('carol')).toEqual(carolBefore);
    expect((await rows(server.url, keys.bob.secret, 'SHOW INDEXES')).map((r) => r[0]).sort()).toEqual([
      'idx_bob',
      'person_name',
    ]);
  });

  it('/ingest and /data writes land in the own namespace only', async () => {
    const k = keys.alice.secret;
    const bobBefore = await dump('bob');
    const res = await call(server.url, 'POST', '/ingest', {
      key: k,
      body: {
        nodes: [
          { ref: 'x', labels: ['Only_bob', 'Person'], properties: { key_bob: 2, owner: 'alice' } },
          { ref: 'y', labels: ['Only_carol'], properties: { owner: 'alice' } },
        ],
        relationships: [{ src: 'x', dst: 'y', type: 'REL_bob', properties: { owner: 'alice' } }],
      },
    });
    expect(res.status).toBeLessThan(300);
    const created = await call(server.url, 'POST', '/data/nodes', {
      key: k,
      body: { labels: ['Only_carol'], properties: { key_carol: 9 } },
    });
    expect(created.status).toBe(201);
    expect(await dump('bob')).toEqual(bobBefore);
    expect(await rows(server.url, keys.carol.secret, 'MATCH (n:Only_carol) RETURN count(n)')).toEqual([[1]]);
  });

  it('DETACH DELETE of everything, by Cypher and by /data, removes only the attacker’s graph', async () => {
    const bobBefore = await dump('bob');
    const carolBefore = await dump('carol');
    const k = keys.alice.secret;
    // Guess every id over REST first (bob's ids included), then wipe whatever is left.
    for (let id = 0; id < 60; id++) {
      const r = await call(server.url, 'DELETE', `/data/nodes/${id}?detach=true`, { key: k });
      expect([200, 204, 404]).toContain(r.status);
    }
    for (let id = 0; id < 10; id++) {
      const r = await call(server.url, 'DELETE', `/data/relationships/${id}`, { key: k });
      expect([200, 204, 404]).toContain(r.status);
    }
    const wiped = await cypher(server.url, k, 'MATCH (n) DETACH DELETE n');
    expect(wiped.status).toBe(200);
    expect(await rows(server.url, k, 'MATCH (n) RETURN count(n)')).toEqual([[0]]);
    expect(await rows(server.url, k, 'MATCH ()-[r]->() RETURN count(r)')).toEqual([[0]]);
    expect(await dump('bob')).toEqual(bobBefore);
    expect(await dump('carol')).toEqual(carolBefore);
    // Re-creating in alice's now-empty namespace does not touch bob's ids either.
    await rows(server.url, k, "CREATE (:Person {name: 'again', owner: 'alice'})");
    expect(await dump('bob')).toEqual(bobBefore);
  });
});

describe('tenant isolation under concurrency and look-alike ids', () => {
  it('concurrent REST and MCP requests of all tenants never see each other’s data', async () => {
    const clients = Object.fromEntries(
      await Promise.all(TENANTS.map(async (t) => [t, await mcpFor(keys[t].secret)] as const)),
    ) as Record<Tenant, McpHandle>;
    const jobs: Promise<[Tenant, unknown]>[] = [];
    for (let i = 0; i < 60; i++) {
      const t = TENANTS[i % 3]!;
      const query = 'MATCH (n) WHERE n.owner IS NOT NULL RETURN collect(DISTINCT n.owner) AS o';
      jobs.push(
        i % 2 === 0
          ? rows(server.url, keys[t].secret, query).then((r) => [t, r[0]![0]])
          : clients[t]
              .tool('execute_cypher', { query })
              .then((r) => [t, (r.json as { rows: unknown[][] }).rows[0]![0]]),
      );
    }
    for (const [t, owners] of await Promise.all(jobs)) {
      expect(owners, t).toEqual([t]);
    }
  });

  it('a user id differing only in case is another tenant with an empty graph', async () => {
    const look = await createKey(server.url, { user_id: 'Alice', permissions: ['ADMIN'] });
    expect(await rows(server.url, look.secret, 'MATCH (n) RETURN count(n)')).toEqual([[0]]);
    expect(await rows(server.url, look.secret, 'SHOW INDEXES')).toEqual([]);
    expect((await call(server.url, 'GET', '/schema/labels', { key: look.secret })).body).toEqual({
      labels: [],
    });
    await rows(server.url, look.secret, "CREATE (:Person {name: 'P1', owner: 'Alice'})");
    expect(await rows(server.url, keys.alice.secret, "MATCH (n {owner: 'Alice'}) RETURN count(n)")).toEqual([
      [0],
    ]);
    // Naming the look-alike in X-Nexus-Tenant is refused like any other tenant.
    const res = await call(server.url, 'GET', '/stats', {
      key: keys.alice.secret,
      headers: { 'x-nexus-tenant': 'Alice' },
    });
    expect(res.status).toBe(403);
  });
});

describe('tenant isolation over MCP', () => {
  it('every tool sees and changes only the own namespace', async () => {
    const bobBefore = await dump('bob');
    const carol = await mcpFor(keys.carol.secret);
    const listed = (await carol.client.listTools()).tools.map((t) => t.name).sort();
    expect(listed).toEqual(MCP_TOOLS);
    const results: unknown[] = [];
    const run = async (name: string, args: Record<string, unknown> = {}) => {
      const r = await carol.tool(name, args);
      results.push(r.text);
      return r;
    };
    expect((await run('execute_cypher', { query: 'MATCH (n) RETURN DISTINCT n.owner' })).json).toMatchObject({
      rows: [['carol']],
    });
    expect((await run('list_labels')).json).toEqual({ labels: ['Only_carol', 'Person'] });
    expect((await run('list_relationship_types')).json).toEqual({
      relationship_types: ['KNOWS', 'REL_carol'],
    });
    const schema = (await run('get_schema')).json as { indexes: { name: string }[]; property_keys: string[] };
    expect(schema.indexes.map((i) => i.name).sort()).toEqual(['idx_carol', 'person_name']);
    expect((await run('get_stats')).json).toMatchObject({ nodes: 4, relationships: 3 });
    // Bob-only ids are "not found" for carol, exactly like an id nobody has.
    const foreign = await run('get_node', { id: BOB_ONLY_IDS[1] });
    const nowhere = await run('get_node', { id: 987654 });
    expect(foreign.isError).toBe(true);
    expect(foreign.text.replaceAll(String(BOB_ONLY_IDS[1]), 'ID')).toBe(
      nowhere.text.replaceAll('987654', 'ID'),
    );
    expect((await run('delete_node', { id: BOB_ONLY_IDS[2], detach: true })).isError).toBe(true);
    expect((await run('create_relationship', { src: 0, dst: BOB_ONLY_IDS[2], type: 'X' })).isError).toBe(
      true,
    );
    // Using another tenant's label name is allowed; it is just a name in carol's own graph.
    expect(
      (await carol.tool('create_node', { labels: ['Only_bob'], properties: { key_bob: 3 } })).isError,
    ).toBe(false);
    expect(
      (
        await run('ingest', {
          nodes: [{ labels: ['Only_bob'] }],
          relationships: [{ src: 0, dst: 44, type: 'R' }],
        })
      ).isError,
    ).toBe(true);
    expect((await run('execute_cypher', { query: 'MATCH (n) DETACH DELETE n' })).isError).toBe(false);
    expect((await run('get_stats')).json).toMatchObject({ nodes: 0, relationships: 0 });
    for (const text of results) expect(text).not.toMatch(otherMarks('carol', ['bob-secret', 'alice-secret']));
    expect(await dump('bob')).toEqual(bobBefore);
    expect((await carol.tool('get_node', { id: 999 })).isError).toBe(true);
  });

  it('a SUPER key needs X-Nexus-Tenant and then sees exactly that tenant', async () => {
    await expect(mcpConnect(server.url, ROOT_KEY)).rejects.toThrow();
    const asBob = await mcpFor(ROOT_KEY, { 'x-nexus-tenant': 'bob' });
    expect(
      (await asBob.tool('execute_cypher', { query: 'MATCH (n) RETURN DISTINCT n.owner' })).json,
    ).toMatchObject({
      rows: [['bob']],
    });
    expect((await asBob.tool('list_labels')).json).toEqual({ labels: ['Only_bob', 'Person'] });
  });
});

describe('SUPER operator access and key management between tenants', () => {
  it('SUPER reaches tenant data only with X-Nexus-Tenant, and then reads and writes that tenant', async () => {
    const bare = await cypher(server.url, ROOT_KEY, 'MATCH (n) RETURN count(n)');
    expect(bare.status).toBe(400);
    expect(errorCode(bare.body)).toBe('INVALID_PARAMETER');
    expect((await call(server.url, 'GET', '/stats', { key: ROOT_KEY })).status).toBe(400);
    // Tenant names are validated before they reach a namespace or a HiveHub URL.
    for (const bad of ['../bob', 'bob/../alice', 'bob%2F..', 'a b', 'x'.repeat(129), 'tenant:bob']) {
      const res = await call(server.url, 'GET', '/stats', {
        key: ROOT_KEY,
        headers: { 'x-nexus-tenant': bad },
      });
      expect(res.status, bad).toBe(400);
      const created = await call(server.url, 'POST', '/auth/keys', {
        key: ROOT_KEY,
        body: { name: 'bad', user_id: bad, permissions: ['READ'] },
      });
      expect(created.status, bad).toBe(400);
    }
    const h = { 'x-nexus-tenant': 'bob' };
    const read = await cypher(server.url, ROOT_KEY, 'MATCH (n) RETURN DISTINCT n.owner', undefined, h);
    expect(read.body).toMatchObject({ rows: [['bob']] });
    const write = await cypher(server.url, ROOT_KEY, "CREATE (:OperatorNote {owner: 'bob'})", undefined, h);
    expect(write.status).toBe(200);
    expect(await rows(server.url, keys.bob.secret, 'MATCH (n:OperatorNote) RETURN count(n)')).toEqual([[1]]);
    expect(await rows(server.url, keys.alice.secret, 'MATCH (n:OperatorNote) RETURN count(n)')).toEqual([
      [0],
    ]);
    const usage = await call(server.url, 'GET', '/cluster/usage?user_id=carol', { key: ROOT_KEY });
    expect(usage.status).toBe(200);
    expect((usage.body as { user_id: string }).user_id).toBe('carol');
    // Every operator access to tenant data is audited, naming the tenant.
    await server.waitForOutput(
      /^(?=.*SUPER key tenant access)(?=.*"tenant":"bob")(?=.*"route":"\/cypher")/,
      5000,
    );
    await server.waitForOutput(
      /^(?=.*SUPER key tenant access)(?=.*"tenant":"bob")(?=.*"route":"\/mcp")/,
      5000,
    );
    await server.waitForOutput(/SUPER key read tenant usage/, 5000);
  });

  it('never writes an API key secret into the server log', () => {
    const log = server.stdout() + server.stderr();
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [ROOT_KEY, ...TENANTS.map((t) => keys[t].secret)]) expect(log).not.toContain(secret);
  });

  it('a tenant ADMIN cannot make keys for another user_id, see them, or grant what it lacks', async () => {
    const k = keys.alice.secret;
    const forBob = await call(server.url, 'POST', '/auth/keys', {
      key: k,
      body: { name: 'evil', user_id: 'bob', permissions: ['READ'] },
    });
    expect(forBob.status).toBe(403);
    const superKey = await call(server.url, 'POST', '/auth/keys', {
      key: k,
      body: { name: 'evil', permissions: ['SUPER'] },
    });
    expect(superKey.status).toBe(403);
    // Listing shows only alice's keys.
    const list = (await call(server.url, 'GET', '/auth/keys', { key: k })).body as {
      keys: { user_id: string }[];
    };
    expect(list.keys.length).toBeGreaterThan(0);
    expect(new Set(list.keys.map((x) => x.user_id))).toEqual(new Set(['alice']));
    // Another tenant's key id answers like a made-up id (404), for get, patch and revoke.
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'x' }],
      ['DELETE', undefined],
    ] as const) {
      const other = await call(server.url, method, `/auth/keys/${keys.bob.id}`, { key: k, body });
      const none = await call(server.url, method, '/auth/keys/00000000-0000-0000-0000-000000000000', {
        key: k,
        body,
      });
      expect(other.status).toBe(404);
      expect(other.text.replaceAll(keys.bob.id, 'ID')).toBe(
        none.text.replaceAll('00000000-0000-0000-0000-000000000000', 'ID'),
      );
    }
    expect((await cypher(server.url, keys.bob.secret, 'RETURN 1')).status).toBe(200);

    // A function-restricted ADMIN grants only a subset of its own functions and permissions.
    const narrow = await createKey(server.url, {
      user_id: 'alice',
      permissions: ['ADMIN'],
      allowed_functions: ['manage_api_keys', 'get_stats'],
    });
    const wider = await call(server.url, 'POST', '/auth/keys', {
      key: narrow.secret,
      body: { name: 'w', permissions: ['READ'], allowed_functions: ['execute_cypher'] },
    });
    expect(wider.status).toBe(403);
    const unrestricted = await call(server.url, 'POST', '/auth/keys', {
      key: narrow.secret,
      body: { name: 'w', permissions: ['READ'] },
    });
    expect(unrestricted.status).toBe(403);
    const subset = await call(server.url, 'POST', '/auth/keys', {
      key: narrow.secret,
      body: { name: 's', permissions: ['READ'], allowed_functions: ['get_stats'] },
    });
    expect(subset.status).toBe(201);
    expect((subset.body as { key: { user_id: string } }).key.user_id).toBe('alice');
    // A WRITE-only key cannot manage keys at all, and an ADMIN cannot escalate a READ key past itself.
    const writer = await createKey(server.url, { user_id: 'alice', permissions: ['WRITE'] });
    const byWriter = await call(server.url, 'POST', '/auth/keys', {
      key: writer.secret,
      body: { name: 'x', permissions: ['READ'] },
    });
    expect(byWriter.status).toBe(403);
    const escalate = await call(server.url, 'PATCH', `/auth/keys/${writer.id}`, {
      key: k,
      body: { permissions: ['SUPER'] },
    });
    expect(escalate.status).toBe(403);
  });
});

describe('the Neo4j Query API door', () => {
  const query = (key: string, path: string, body: unknown, method = 'POST') =>
    call(server.url, method, `/db/neo4j/query/v2${path}`, { key, ...(body === undefined ? {} : { body }) });

  it('shows each tenant only its own graph, implicit and in explicit transactions', async () => {
    for (const t of TENANTS) {
      const r = await query(keys[t].secret, '', {
        statement: 'MATCH (n) RETURN labels(n) AS l, properties(n) AS p',
      });
      expect(r.status).toBe(202);
      expect(r.text).not.toMatch(otherMarks(t));
      const open = await query(keys[t].secret, '/tx', { statement: 'MATCH (n) RETURN count(n) AS c' });
      expect(open.status).toBe(202);
      expect(open.text).not.toMatch(otherMarks(t));
      const id = (open.body as { transaction: { id: string } }).transaction.id;
      await query(keys[t].secret, `/tx/${id}`, undefined, 'DELETE');
    }
  });

  it("never lets one tenant run in, commit or roll back another tenant's transaction", async () => {
    const open = await query(keys.bob.secret, '/tx', {
      statement: "CREATE (:Only_bob {key_bob: 'pending'})",
    });
    const id = (open.body as { transaction: { id: string } }).transaction.id;
    const run = await query(keys.alice.secret, `/tx/${id}`, { statement: 'MATCH (n) RETURN n' });
    const commit = await query(keys.alice.secret, `/tx/${id}/commit`, undefined);
    const rollback = await query(keys.alice.secret, `/tx/${id}`, undefined, 'DELETE');
    const unknown = await query(keys.alice.secret, '/tx/00000000-0000-4000-8000-000000000000', {
      statement: 'RETURN 1',
    });
    // Another tenant's live id answers exactly like an id that never existed.
    for (const r of [run, commit, rollback]) {
      expect(r.status).toBe(unknown.status);
      expect(r.text).toBe(unknown.text);
    }
    // Bob's transaction is intact and still his to roll back.
    const mine = await query(keys.bob.secret, `/tx/${id}`, {
      statement: 'MATCH (n:Only_bob) RETURN count(n) AS c',
    });
    expect(mine.status).toBe(202);
    expect((await query(keys.bob.secret, `/tx/${id}`, undefined, 'DELETE')).status).toBe(200);
  });
});

/** A regexp matching any tenant-unique name of the other tenants. */
function otherMarks(self: Tenant, extra: string[] = []): RegExp {
  const names = TENANTS.filter((t) => t !== self).flatMap(marks);
  return new RegExp([...names, ...extra.filter((e) => !e.startsWith(self))].join('|'));
}
