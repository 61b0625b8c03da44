/**
 * The Bolt door at the byte level, against a real server process: handshake variants and
 * edge cases, the FAILURE / IGNORED / RESET state machine, and garbage — malformed
 * frames, invalid UTF-8, oversize messages, messages in the wrong state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MSG } from '../../src/bolt/index.js';
import { RawBoltClient } from '../helpers/raw-bolt-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess;
let port: number;
const clients: RawBoltClient[] = [];

beforeAll(async () => {
  server = await startServerProcess({
    env: { NEXUS_BOLT_PORT: '0', NEXUS_SERVER_BOLT_MAX_MESSAGE_BYTES: '100000' },
  });
  port = Number(new URL(server.boltUrl!.replace('bolt', 'http')).port);
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

async function open(): Promise<RawBoltClient> {
  const c = await RawBoltClient.open(port);
  clients.push(c);
  return c;
}
async function ready(): Promise<RawBoltClient> {
  const c = await RawBoltClient.connect(port);
  clients.push(c);
  c.send(MSG.HELLO, { user_agent: 'raw/1' }).send(MSG.LOGON, { scheme: 'none' }).flush();
  expect((await c.next())?.tag).toBe(MSG.SUCCESS);
  expect((await c.next())?.tag).toBe(MSG.SUCCESS);
  return c;
}
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('handshake', () => {
  it('negotiates 5.8 from a classic range proposal and 4.4 when only that is offered', async () => {
    const a = await open();
    a.writeRaw(hex('6060b017 00080805 00020404 00000000 00000000'));
    expect((await a.readRaw(4)).toString('hex')).toBe('00000805');
    const b = await open();
    b.writeRaw(hex('6060b017 00000106 00020404 00000003 00000000'));
    expect((await b.readRaw(4)).toString('hex')).toBe('00000404');
  });

  it('speaks the v1 manifest and serves the version the client picks from it', async () => {
    const c = await open();
    c.writeRaw(hex('6060b017 000001ff 00080805 00020404 00000003'));
    expect((await c.readRaw(14)).toString('hex')).toBe('000001ff 02 00080805 00000404 00'.replace(/\s/g, ''));
    c.writeRaw(hex('00000305 00'));
    c.startMessages();
    c.send(MSG.HELLO, { user_agent: 'raw/1' }).send(MSG.LOGON, { scheme: 'none' });
    c.send(MSG.RUN, 'RETURN 40 + 2 AS x', {}, {}).send(MSG.PULL, { n: -1n }).flush();
    const tags = [];
    for (let i = 0; i < 5; i++) tags.push((await c.next())!);
    expect(tags.map((m) => m.tag)).toEqual([MSG.SUCCESS, MSG.SUCCESS, MSG.SUCCESS, MSG.RECORD, MSG.SUCCESS]);
    expect(tags[3]!.fields[0]).toEqual([42n]);
  });

  it('accepts the preamble split across many packets', async () => {
    const c = await open();
    for (const byte of hex('6060b017 00080805 00000000 00000000 00000000')) c.writeRaw(Buffer.from([byte]));
    expect((await c.readRaw(4)).toString('hex')).toBe('00000805');
  });

  it('answers zero and closes when no proposal is supported', async () => {
    const c = await open();
    c.writeRaw(hex('6060b017 00000003 00000002 00000001 00000106'));
    expect((await c.readRaw(4)).toString('hex')).toBe('00000000');
    await c.closedByServer();
  });

  it('closes on a wrong preamble (e.g. an HTTP request) without answering', async () => {
    const c = await open();
    c.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await c.closedByServer();
    await expect(c.readRaw(1)).rejects.toThrow(/closed/);
  });

  it('closes when the manifest choice names a version that was not offered', async () => {
    const c = await open();
    c.writeRaw(hex('6060b017 000001ff 00000000 00000000 00000000'));
    await c.readRaw(14);
    c.writeRaw(hex('00000003 00'));
    await c.closedByServer();
  });
});

describe('state machine', () => {
  it('answers FAILURE, then IGNORED until RESET, then serves again', async () => {
    const c = await ready();
    c.send(MSG.RUN, 'RETURN $x +', { x: 1n }, {})
      .send(MSG.PULL, { n: -1n })
      .send(MSG.RUN, 'RETURN 1', {}, {});
    c.flush();
    const failure = (await c.next())!;
    expect(failure.tag).toBe(MSG.FAILURE);
    const meta = failure.fields[0] as Map<string, unknown>;
    expect(meta.get('code')).toBe('Neo.ClientError.Statement.SyntaxError');
    expect(meta.get('neo4j_code')).toBe('Neo.ClientError.Statement.SyntaxError');
    expect(String(meta.get('message'))).toContain('CYPHER_SYNTAX_ERROR');
    expect((await c.next())!.tag).toBe(MSG.IGNORED);
    expect((await c.next())!.tag).toBe(MSG.IGNORED);
    c.send(MSG.RESET).send(MSG.RUN, 'RETURN 7 AS y', {}, {}).send(MSG.PULL, { n: 10n }).flush();
    expect((await c.next())!.tag).toBe(MSG.SUCCESS); // RESET
    expect((await c.next())!.tag).toBe(MSG.SUCCESS); // RUN
    expect((await c.next())!.fields[0]).toEqual([7n]);
    expect((await c.next())!.tag).toBe(MSG.SUCCESS);
  });

  it('RESET interrupts: queued requests are IGNORED, an open transaction rolls back', async () => {
    const c = await ready();
    c.send(MSG.BEGIN, {}).send(MSG.RUN, 'CREATE (:ResetProbe)', {}, {}).send(MSG.PULL, { n: -1n }).flush();
    for (let i = 0; i < 3; i++) expect((await c.next())!.tag).toBe(MSG.SUCCESS);
    c.send(MSG.RUN, 'RETURN 1', {}, {}).send(MSG.PULL, { n: -1n }).send(MSG.RESET).flush();
    const tags = [];
    for (let i = 0; i < 3; i++) tags.push((await c.next())!.tag);
    expect(tags).toEqual([MSG.IGNORED, MSG.IGNORED, MSG.SUCCESS]);
    c.send(MSG.RUN, 'MATCH (n:ResetProbe) RETURN count(n)', {}, {}).send(MSG.PULL, { n: -1n }).flush();
    expect((await c.next())!.tag).toBe(MSG.SUCCESS);
    expect((await c.next())!.fields[0]).toEqual([0n]);
  });

  it('RESET interrupts: requests queued before it are IGNORED', async () => {
    const c = await ready();
    c.send(MSG.RUN, 'RETURN 1', {}, {}).send(MSG.PULL, { n: -1n }).send(MSG.RESET);
    c.send(MSG.RUN, 'RETURN 2', {}, {}).flush();
    const tags = [];
    for (let i = 0; i < 4; i++) tags.push((await c.next())!.tag);
    expect(tags).toEqual([MSG.IGNORED, MSG.IGNORED, MSG.SUCCESS, MSG.SUCCESS]);
  });

  it('streams PULL n in batches with has_more, and DISCARD ends the result', async () => {
    const c = await ready();
    c.send(MSG.RUN, 'UNWIND range(1, 5) AS i RETURN i', {}, {}).send(MSG.PULL, { n: 2n }).flush();
    expect((await c.next())!.tag).toBe(MSG.SUCCESS);
    expect((await c.next())!.fields[0]).toEqual([1n]);
    expect((await c.next())!.fields[0]).toEqual([2n]);
    const more = (await c.next())!;
    expect((more.fields[0] as Map<string, unknown>).get('has_more')).toBe(true);
    c.send(MSG.DISCARD, { n: -1n }).send(MSG.RUN, 'RETURN 1', {}, {}).flush();
    const discarded = (await c.next())!;
    expect(discarded.tag).toBe(MSG.SUCCESS);
    expect((discarded.fields[0] as Map<string, unknown>).get('has_more')).toBeUndefined();
    expect((await c.next())!.tag).toBe(MSG.SUCCESS); // RUN accepted: back in READY
  });

  it('answers ROUTE with this instance for every role, and TELEMETRY with SUCCESS', async () => {
    const c = await ready();
    c.send(MSG.ROUTE, { address: 'db.example:7687' }, [], {}).send(MSG.TELEMETRY, { api: 1n }).flush();
    const rt = ((await c.next())!.fields[0] as Map<string, Map<string, unknown>>).get('rt')!;
    const servers = rt.get('servers') as Map<string, unknown>[];
    expect(servers.map((s) => s.get('role')).sort()).toEqual(['READ', 'ROUTE', 'WRITE']);
    expect(servers.every((s) => (s.get('addresses') as string[])[0] === 'db.example:7687')).toBe(true);
    expect((await c.next())!.tag).toBe(MSG.SUCCESS);
  });

  it('refuses a message out of state (RUN before HELLO) with FAILURE and closes', async () => {
    const c = await RawBoltClient.connect(port);
    clients.push(c);
    c.send(MSG.RUN, 'RETURN 1', {}, {}).flush();
    const f = (await c.next())!;
    expect(f.tag).toBe(MSG.FAILURE);
    expect((f.fields[0] as Map<string, unknown>).get('code')).toBe('Neo.ClientError.Request.Invalid');
    await c.closedByServer();
  });

  it('logs off and back on (5.1+), and GOODBYE closes', async () => {
    const c = await ready();
    c.send(MSG.LOGOFF).send(MSG.LOGON, { scheme: 'none' }).send(MSG.RUN, 'RETURN 1', {}, {}).flush();
    for (let i = 0; i < 3; i++) expect((await c.next())!.tag).toBe(MSG.SUCCESS);
    c.send(MSG.GOODBYE).flush();
    await c.closedByServer();
  });
});

describe('garbage', () => {
  const afterHello = async (bytes: Buffer): Promise<Map<string, unknown> | null> => {
    const c = await ready();
    c.writeRaw(bytes);
    const m = await c.next();
    await c.closedByServer();
    return m === null ? null : (m.fields[0] as Map<string, unknown>);
  };

  it('invalid UTF-8 in a string is a protocol error, not U+FFFD', async () => {
    // RUN with the query string 0xC3 0x28 (a broken two-byte sequence).
    const f = await afterHello(hex('0007 b3 10 82 c328 a0 a0 0000'));
    expect(f?.get('code')).toBe('Neo.ClientError.Request.Invalid');
    expect(String(f?.get('message'))).toMatch(/UTF-8/);
  });

  it('an unknown marker, a non-structure message and an unknown message tag are refused', async () => {
    expect((await afterHello(hex('0001 c7 0000')))?.get('code')).toBe('Neo.ClientError.Request.Invalid');
    expect((await afterHello(hex('0001 01 0000')))?.get('code')).toBe('Neo.ClientError.Request.Invalid');
    expect(String((await afterHello(hex('0002 b0 55 0000')))?.get('message'))).toMatch(/unknown message/);
  });

  it('a length prefix beyond the message is refused before allocating', async () => {
    const f = await afterHello(hex('0008 b1 10 d2 7fffffff 00 0000'));
    expect(f?.get('code')).toBe('Neo.ClientError.Request.Invalid');
  });

  it('an oversize message is refused from its chunk headers', async () => {
    const c = await ready();
    // Two full chunks announce 131070 bytes > bolt_max_message_bytes (100000).
    const chunk = Buffer.alloc(2 + 0xffff, 0x90);
    chunk.writeUInt16BE(0xffff, 0);
    c.writeRaw(Buffer.concat([chunk, chunk]));
    const f = (await c.next())!;
    expect(String((f.fields[0] as Map<string, unknown>).get('message'))).toMatch(/larger than 100000/);
    await c.closedByServer();
  });

  it('the server keeps serving other connections after all that', async () => {
    const c = await ready();
    c.send(MSG.RUN, 'RETURN 1 AS one', {}, {}).send(MSG.PULL, { n: -1n }).flush();
    expect((await c.next())!.tag).toBe(MSG.SUCCESS);
    expect((await c.next())!.fields[0]).toEqual([1n]);
  });
});
