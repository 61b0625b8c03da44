import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/index.js';
import { startHiveHubEmulator, type HiveHubEmulator } from '../../src/cluster/emulator/index.js';
import { Nexus } from '../../src/engine/nexus.js';
import { GraphStore } from '../../src/storage/index.js';
import { namespacePrefix } from '../../src/storage/key-layout.js';
import { recount } from '../../src/storage/namespace-audit.js';

const root = mkdtempSync(join(tmpdir(), 'nexus-import-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

/** A fresh directory holding `files` (name → content; Buffer for binary). */
function inputs(files: Record<string, string | Buffer>): {
  dir: string;
  data: string;
  f: (n: string) => string;
} {
  const dir = join(root, `case-${++seq}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, data: join(dir, 'data'), f: (n) => join(dir, n) };
}

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  await main(['node', 'nexus', 'import', ...args], io);
  return { out, err };
}

async function query(data: string, cypher: string): Promise<unknown[][]> {
  const db = await Nexus.open({ path: data });
  try {
    const r = await db.execute(cypher);
    return r.rows.map((row) => [...row]);
  } finally {
    await db.close();
  }
}

const PEOPLE = [
  'personId:ID(Person),name,age:int,score:float,tags:string[],active:boolean,:LABEL',
  'p1,Ada,36,1.5,math;code,true,Admin',
  'p2,"Grace, Rear Admiral",85,,navy,false,',
  'p3,"multi',
  'line ""quoted""",7,2,,TRUE,Admin;Staff',
].join('\n');
const COMPANIES = ['companyId:ID(Company),name', 'p1,Initech'].join('\n');
const WORKS = [
  ':START_ID(Person),:END_ID(Company),since:int,:TYPE',
  'p1,p1,2001,WORKS_AT',
  'p2,p1,1999,',
].join('\n');

describe('nexus import', () => {
  it('loads CSV with neo4j-admin headers: id spaces, typed and array columns, labels, types, quoting', async () => {
    const t = inputs({ 'people.csv': PEOPLE, 'companies.csv': COMPANIES, 'works.csv': WORKS });
    const { out } = await run(
      '--data',
      t.data,
      '--nodes',
      `Person=${t.f('people.csv')}`,
      '--nodes',
      `Company:Org=${t.f('companies.csv')}`,
      '--relationships',
      `EMPLOYED_BY=${t.f('works.csv')}`,
      '--verify',
    );
    expect(out).toMatch(/imported 4 nodes and 2 relationships into database default/);
    expect(out).toMatch(/accounting audit: counters match a recount/);
    const rows = await query(
      t.data,
      'MATCH (p:Person) RETURN p.personId, p.name, p.age, p.score, p.tags, p.active, labels(p) ORDER BY p.personId',
    );
    expect(rows).toEqual([
      ['p1', 'Ada', 36n, 1.5, ['math', 'code'], true, ['Person', 'Admin']],
      ['p2', 'Grace, Rear Admiral', 85n, null, ['navy'], false, ['Person']],
      ['p3', 'multi\nline "quoted"', 7n, 2, null, true, ['Person', 'Admin', 'Staff']],
    ]);
    // Same external id in two spaces: two nodes; the row's :TYPE wins over the file's type.
    expect(
      await query(
        t.data,
        'MATCH (p:Person)-[r]->(c:Company:Org) RETURN p.name, type(r), r.since, c.name ORDER BY r.since',
      ),
    ).toEqual([
      ['Grace, Rear Admiral', 'EMPLOYED_BY', 1999n, 'Initech'],
      ['Ada', 'WORKS_AT', 2001n, 'Initech'],
    ]);
  });

  it('reads gzip and JSONL inputs (JSON numbers follow the lossless scheme)', async () => {
    const t = inputs({
      'a.csv.gz': gzipSync('id:ID,n:int\n1,10\n2,20\n'),
      'b.jsonl': [
        '{"id": "x", "labels": ["J"], "properties": {"i": 1, "f": 1.0, "big": 9007199254740993, "l": [1, 2]}}',
        '',
        '{"id": 7, "properties": {"s": "seven"}}',
      ].join('\n'),
      'r.ndjson.gz': gzipSync(
        '{"start": "1", "end": "x", "type": "R", "properties": {"w": 0.5}}\n{"start": "x", "end": 7}\n',
      ),
    });
    const { out } = await run(
      '--data',
      t.data,
      '--nodes',
      `G=${t.f('a.csv.gz')}`,
      '--nodes',
      t.f('b.jsonl'),
      '--relationships',
      `DEFAULT=${t.f('r.ndjson.gz')}`,
    );
    expect(out).toMatch(/imported 4 nodes and 2 relationships/);
    expect(await query(t.data, 'MATCH (g:G) RETURN g.id, g.n ORDER BY g.n')).toEqual([
      ['1', 10n],
      ['2', 20n],
    ]);
    expect(await query(t.data, 'MATCH (j:J) RETURN j.i, j.f, j.big, j.l')).toEqual([
      [1n, 1.0, 9007199254740993n, [1n, 2n]],
    ]);
    expect(
      await query(
        t.data,
        'MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.i), type(r), r.w, coalesce(b.s, b.i) ORDER BY type(r)',
      ),
    ).toEqual([
      [1n, 'DEFAULT', null, 'seven'], // a JSONL id is a reference only, not a property
      ['1', 'R', 0.5, 1n],
    ]);
  });

  it('stops at the first bad row, naming file and line, and imports nothing', async () => {
    const t = inputs({
      'n.csv': 'id:ID,age:int\na,1\nb,old\nc,3\n',
      'r.csv': ':START_ID,:END_ID,:TYPE\na,c,R\na,zz,R\n',
    });
    await expect(run('--data', t.data, '--nodes', t.f('n.csv'))).rejects.toMatchObject({
      code: 'IMPORT_INVALID_ROW',
      message: expect.stringMatching(/n\.csv:3: 'old' is not an integer; nothing was imported/),
    });
    await expect(
      run(
        '--data',
        t.data,
        '--nodes',
        `X=${t.f('n.csv')}`,
        '--relationships',
        t.f('r.csv'),
        '--skip-bad-rows',
        '--max-bad-rows',
        '1',
      ),
    ).rejects.toThrow(
      /more than 1 bad rows \(the last: .*r\.csv:3: unknown end node id 'zz'\); nothing was imported/,
    );
    const store = await GraphStore.open({ path: t.data });
    try {
      expect(store.namespace('default').stats()).toEqual({ nodes: 0, relationships: 0, bytes: 0 });
    } finally {
      await store.close();
    }
  });

  it('--skip-bad-rows skips and reports each bad row up to the limit', async () => {
    const t = inputs({
      'n.csv': 'id:ID,age:int\na,1\nb,old\na,2\nc,3,extra\nd,4\n',
      'r.csv': ':START_ID,:END_ID,:TYPE\na,d,R\na,zz,R\nd,a,\n',
    });
    const { out, err } = await run(
      '--data',
      t.data,
      '--nodes',
      t.f('n.csv'),
      '--relationships',
      t.f('r.csv'),
      '--skip-bad-rows',
      '--max-bad-rows',
      '5',
    );
    expect(out).toMatch(/imported 2 nodes and 1 relationships .*; 5 bad rows skipped/);
    expect(err.trim().split('\n')).toEqual([
      `bad row skipped: ${t.f('n.csv')}:3: 'old' is not an integer`,
      `bad row skipped: ${t.f('n.csv')}:4: duplicate node id 'a'`,
      `bad row skipped: ${t.f('n.csv')}:5: expected 2 fields, found 3`,
      `bad row skipped: ${t.f('r.csv')}:3: unknown end node id 'zz'`,
      `bad row skipped: ${t.f('r.csv')}:4: no relationship type (give a :TYPE column or TYPE=FILE)`,
    ]);
  });

  it('refuses a non-empty target, bad headers and unknown databases', async () => {
    const t = inputs({ 'n.csv': 'id:ID\na\n', 'bad.csv': 'id:ID,when:date\na,2020-01-01\n' });
    await run('--data', t.data, '--nodes', t.f('n.csv'));
    await expect(run('--data', t.data, '--nodes', t.f('n.csv'))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/not empty/),
    });
    await expect(run('--data', `${t.data}2`, '--nodes', t.f('bad.csv'))).rejects.toThrow(
      /bad\.csv:1: header field 'when:date': type 'date' is not supported/,
    );
    await expect(run('--data', t.data, '--database', 'other', '--nodes', t.f('n.csv'))).rejects.toMatchObject(
      {
        code: 'DATABASE_NOT_FOUND',
      },
    );
  });

  describe('into a tenant', () => {
    let hub: HiveHubEmulator;
    beforeAll(async () => {
      hub = await startHiveHubEmulator({
        port: 0,
        host: '127.0.0.1',
        users: {
          users: [
            { user_id: 'alice', plan: 'pro' },
            { user_id: 'tiny', plan: 'free', quotas: { storage_bytes: 300 } },
          ],
        },
      });
    });
    afterAll(async () => {
      await hub.close();
    });

    function config(dir: string): string {
      const file = join(dir, 'nexus.yml');
      writeFileSync(
        file,
        `cluster:\n  enabled: true\n  hivehub:\n    base_url: ${hub.url}\n    service_api_key: nexus-emulator-key\n`,
      );
      return file;
    }

    it('checks the quota, loads into the tenant namespace only, with exact byte accounting', async () => {
      const t = inputs({ 'n.csv': 'id:ID,name\n1,a\n2,b\n', 'r.csv': ':START_ID,:END_ID\n1,2\n' });
      const { out } = await run(
        '--data',
        t.data,
        '--config',
        config(t.dir),
        '--tenant',
        'alice',
        '--nodes',
        `P=${t.f('n.csv')}`,
        '--relationships',
        `K=${t.f('r.csv')}`,
      );
      expect(out).toMatch(/imported 2 nodes and 1 relationships into tenant alice/);
      const store = await GraphStore.open({ path: t.data });
      try {
        const stats = store.namespace('tenant:alice').stats();
        expect(stats.nodes).toBe(2);
        expect(out).toContain(`; ${stats.bytes} bytes`);
        const prefix = namespacePrefix(store.internals.lookupNamespace('tenant:alice')!);
        expect(recount(store.internals.data, prefix)).toEqual(stats);
        expect(store.namespace('default').stats().bytes).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('refuses an import over the quota with the exact size, writing nothing', async () => {
      const rows = Array.from({ length: 20 }, (_, i) => `${i},name-${i}`).join('\n');
      const t = inputs({ 'n.csv': `id:ID,name\n${rows}\n` });
      await expect(
        run('--data', t.data, '--config', config(t.dir), '--tenant', 'tiny', '--nodes', t.f('n.csv')),
      ).rejects.toMatchObject({
        code: 'STORAGE_QUOTA_EXCEEDED',
        message: expect.stringMatching(/nothing was imported/),
      });
      const store = await GraphStore.open({ path: t.data });
      try {
        expect(store.namespace('tenant:tiny').stats().bytes).toBe(0);
      } finally {
        await store.close();
      }
    });
  });
});
