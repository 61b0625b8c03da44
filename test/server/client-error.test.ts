// HTTP parser errors (no request exists yet) in the documented error shape, over a raw TCP socket.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorResponse, makeClientErrorHandler } from '../../src/server/client-error.js';
import type { NexusServer } from '../../src/server/index.js';
import { buildServer, openTestDb, type TestDb } from './support.js';

let t: TestDb;
let server: NexusServer;
let port: number;

beforeAll(async () => {
  t = await openTestDb();
  server = await buildServer({ db: t.db });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  port = address.port;
});
afterAll(async () => {
  await server.app.close();
  await t.close();
});

/** Sends raw bytes and reads until the server closes the connection. */
function exchange(raw: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: false });
    }, 3000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: true });
    });
    socket.write(raw);
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits a byte stream of HTTP/1.1 responses with Content-Length bodies. */
function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`incomplete response: ${rest}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length']);
    const body = Buffer.from(rest.slice(end + 4), 'utf8')
      .subarray(0, length)
      .toString('utf8');
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = rest.slice(end + 4 + body.length);
  }
  return out;
}

async function single(raw: string): Promise<RawResponse & { json: { error: Record<string, unknown> } }> {
  const { text, closed } = await exchange(raw);
  expect(closed).toBe(true);
  const responses = parseResponses(text);
  expect(responses).toHaveLength(1);
  const res = responses[0]!;
  return { ...res, json: JSON.parse(res.body) as { error: Record<string, unknown> } };
}

describe('client errors over a raw socket', () => {
  it('answers an invalid header with 400 INVALID_BODY, Connection: close, and closes', async () => {
    const res = await single('GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers['connection']).toBe('close');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual({
      error: { code: 'INVALID_BODY', message: 'Malformed HTTP request (HPE_INVALID_HEADER_TOKEN)' },
    });
  });

  it('answers a garbage request line with 400 in the error shape', async () => {
    const res = await single('HELLO THERE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('INVALID_BODY');
    expect(String(res.json.error.message)).toMatch(/^Malformed HTTP request/);
  });

  it('answers conflicting framing (Content-Length with chunked) with 400', async () => {
    const res = await single(
      'POST /cypher HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('INVALID_BODY');
  });

  it('answers headers over the limit with 431 REQUEST_HEADERS_TOO_LARGE', async () => {
    const res = await single(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers['connection']).toBe('close');
    expect(res.json.error.code).toBe('REQUEST_HEADERS_TOO_LARGE');
    expect(typeof res.json.error.message).toBe('string');
  });

  it('answers a valid request normally, then the malformed one after it on the same connection', async () => {
    const { text, closed } = await exchange(
      'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
    );
    expect(closed).toBe(true);
    const [ok, bad] = parseResponses(text);
    expect(ok!.status).toBe(200);
    expect(JSON.parse(ok!.body)).toMatchObject({ status: 'ok' });
    expect(bad!.status).toBe(400);
    expect(JSON.parse(bad!.body).error.code).toBe('INVALID_BODY');
  });

  it('counts the answers in nexus_errors_total', async () => {
    await single('HELLO THERE\r\n\r\n');
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/nexus_errors_total\{code="INVALID_BODY"\} [1-9]/);
    expect(metrics.body).toMatch(/nexus_errors_total\{code="REQUEST_HEADERS_TOO_LARGE"\} [1-9]/);
  });
});

/** A socket stand-in that records what the handler does to it. */
function fakeSocket(state: { writable: boolean; destroyed?: boolean; inFlight?: EventEmitter }) {
  const written: string[] = [];
  let destroyed = state.destroyed ?? false;
  const socket = {
    get writable() {
      return state.writable;
    },
    get destroyed() {
      return destroyed;
    },
    _httpMessage: state.inFlight ?? null,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
    destroy() {
      destroyed = true;
    },
  };
  return { socket: socket as unknown as Socket, written, isDestroyed: () => destroyed };
}

function parserError(code: string): Error & { code: string } {
  return Object.assign(new Error(code), { code });
}

describe('makeClientErrorHandler', () => {
  it('writes nothing to a socket that is not writable, and closes it', () => {
    const answered: string[] = [];
    const handler = makeClientErrorHandler((code) => answered.push(code));
    const f = fakeSocket({ writable: false });
    handler(parserError('HPE_INVALID_METHOD'), f.socket);
    expect(f.written).toEqual([]);
    expect(f.isDestroyed()).toBe(true);
    expect(answered).toEqual([]);
  });

  it('writes nothing after a reset or on a destroyed socket', () => {
    const handler = makeClientErrorHandler();
    const reset = fakeSocket({ writable: true });
    handler(parserError('ECONNRESET'), reset.socket);
    expect(reset.written).toEqual([]);
    const gone = fakeSocket({ writable: true, destroyed: true });
    handler(parserError('HPE_INVALID_METHOD'), gone.socket);
    expect(gone.written).toEqual([]);
  });

  it('answers after a response in flight has finished, never after an aborted one', () => {
    const handler = makeClientErrorHandler();
    const finishing = new EventEmitter();
    const busy = fakeSocket({ writable: true, inFlight: finishing });
    handler(parserError('HPE_INVALID_METHOD'), busy.socket);
    expect(busy.written).toEqual([]);
    expect(busy.isDestroyed()).toBe(false);
    finishing.emit('finish');
    finishing.emit('close');
    expect(busy.written).toHaveLength(1);
    expect(busy.isDestroyed()).toBe(true);

    const aborting = new EventEmitter();
    const aborted = fakeSocket({ writable: true, inFlight: aborting });
    handler(parserError('HPE_INVALID_METHOD'), aborted.socket);
    aborting.emit('close');
    expect(aborted.written).toEqual([]);
    expect(aborted.isDestroyed()).toBe(true);
  });

  it('answers a request timeout with 408 REQUEST_TIMEOUT', () => {
    const { code, response } = clientErrorResponse(parserError('ERR_HTTP_REQUEST_TIMEOUT'));
    expect(code).toBe('REQUEST_TIMEOUT');
    const [res] = parseResponses(response);
    expect(res!.status).toBe(408);
    expect(res!.headers['connection']).toBe('close');
    expect(JSON.parse(res!.body).error.code).toBe('REQUEST_TIMEOUT');
  });
});
