import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ndjsonLines } from '../../src/server/routes/ndjson-ingest.js';
import { CLUSTER_CONFIG, RecordingGate, TokenAuthenticator, userContext, useTestServer } from './support.js';

const gate = new RecordingGate();
const auth = new TokenAuthenticator({
  alice: userContext('k-alice', ['WRITE'], { userId: 'alice', cluster: true }),
  bob: userContext('k-bob', ['WRITE'], { userId: 'bob', cluster: true }),
});
const server = useTestServer({
  auth,
  gate,
  config: {
    ...CLUSTER_CONFIG,
    server: { ...(CLUSTER_CONFIG as { server?: object }).server, body_limit_bytes: 4096 },
  },
});
let base = '';
beforeAll(async () => {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  gate.imports.length = 0;
  gate.quotas = { storageBytes: null, requestsPerMinute: 100, requestsPerHour: 1000 };
});

/** POSTs a streamed NDJSON body over a real socket; resolves with status and parsed body. */
function postStream(
  token: string,
  lines: Iterable<string>,
  query = '',
): Promise<{
  status: number;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/ingest${query}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    Readable.from(
      (function* () {
        for (const l of lines) yield `${l}\n`;
      })(),
    ).pipe(req);
  });
}

async function cypher(token: string, query: string): Promise<unknown[][]> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/cypher',
    headers: { authorization: `Bearer ${token}` },
    payload: { query },
  });
  return res.json().rows;
}

describe('POST /ingest as NDJSON', () => {
  it('streams a body far over the JSON body limit in batches, refs across batches', async () => {
    function* items() {
      for (let i = 0; i < 3000; i++)
        yield JSON.stringify({ ref: `p${i}`, labels: ['P'], properties: { i, f: 1.5 } });
      for (let i = 1; i < 3000; i++) yield JSON.stringify({ src: `p${i - 1}`, dst: `p${i}`, type: 'NEXT' });
    }
    const res = await postStream('alice', items(), '?batch_size=1000');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      nodes_created: 3000,
      relationships_created: 2999,
      lines: 5999,
      batches: 6,
    });
    // One quota check per batch, each with that batch's bytes.
    expect(gate.imports).toHaveLength(6);
    expect(gate.imports.every((x) => x.userId === 'alice' && x.bytes > 0)).toBe(true);
    expect(await cypher('alice', 'MATCH (a:P)-[:NEXT]->(b:P) WHERE a.i = 0 RETURN b.i, b.f')).toEqual([
      [1, 1.5],
    ]);
    expect(await cypher('alice', 'MATCH p = (:P {i: 0})-[:NEXT*]->(:P {i: 2999}) RETURN length(p)')).toEqual([
      [2999],
    ]);
    expect(await cypher('bob', 'MATCH (n) RETURN count(n)')).toEqual([[0]]);
  });

  it('names a malformed line and reports the batches committed before it', async () => {
    const lines = [
      '{"labels": ["Q"]}',
      '{"labels": ["Q"]}',
      '{"labels": ["Q"]}',
      '{"labels": ["Q"], oops}',
      '{"labels": ["Q"]}',
    ];
    const res = await postStream('alice', lines, '?batch_size=2');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'IMPORT_INVALID_ROW',
      message: expect.stringMatching(
        /^line 4: Malformed JSON.*; 1 earlier batch\(es\) with 2 nodes and 0 relationships were committed/,
      ),
    });
    expect(await cypher('alice', 'MATCH (n:Q) RETURN count(n)')).toEqual([[2]]);
    const unknownRef = await postStream('alice', ['{"src": "nope", "dst": 0, "type": "R"}']);
    expect(unknownRef.body.error?.message).toMatch(/^line 1: unknown ref "nope"/);
    const badField = await postStream('alice', ['{"labels": ["Q"], "colour": 1}']);
    expect(badField.body.error?.message).toMatch(/^line 1: unknown field "colour" in a node/);
  });

  it('caps the line length instead of buffering it', async () => {
    const res = await postStream('alice', [`{"properties": {"s": "${'x'.repeat(5000)}"}}`]);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/line 1 is longer than the 4096-byte line limit/),
    });
  });

  it('enforces the storage quota per batch; earlier batches stay', async () => {
    gate.quotas = { storageBytes: 2000, requestsPerMinute: 100, requestsPerHour: 1000 };
    const lines = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ labels: ['Big'], properties: { s: `${i}`.padEnd(50, '.') } }),
    );
    const res = await postStream('bob', lines, '?batch_size=10');
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('STORAGE_QUOTA_EXCEEDED');
    const stored = (await cypher('bob', 'MATCH (n:Big) RETURN count(n)'))[0]![0] as number;
    expect(stored % 10).toBe(0);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(100);
  });

  it('keeps the JSON body working', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { authorization: 'Bearer alice' },
      payload: {
        nodes: [
          { ref: 'a', labels: ['J'] },
          { ref: 'b', labels: ['J'] },
        ],
        relationships: [{ src: 'a', dst: 'b', type: 'R' }],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ nodes_created: 2, relationships_created: 1 });
  });
});

describe('ndjsonLines', () => {
  it('splits across chunk boundaries, keeps multi-byte characters, numbers lines', async () => {
    const text = Buffer.from('{"a":"é"}\n\n{"b":1}\n{"c":2}', 'utf8');
    const chunks = [text.subarray(0, 7), text.subarray(7, 12), text.subarray(12)];
    const out = [];
    for await (const l of ndjsonLines(Readable.from(chunks), 100)) out.push([l.line, l.text]);
    expect(out).toEqual([
      [1, '{"a":"é"}'],
      [2, ''],
      [3, '{"b":1}'],
      [4, '{"c":2}'],
    ]);
  });
});
