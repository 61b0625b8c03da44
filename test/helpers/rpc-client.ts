/**
 * A minimal native-RPC client for tests and the benchmark, written from the wire spec
 * (u32 LE length + MessagePack `{id, command, args}`; responses `{id, result: {Ok|Err}}`),
 * independent of the server's codec. `call` pipelines: many calls may be in flight on one
 * connection and each resolves by its id.
 */
import { connect, type Socket } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });

export type Wire = unknown;

/** Tagged NexusValue builders (wire form). */
export const nx = {
  Null: (): Wire => 'Null',
  Bool: (v: boolean): Wire => ({ Bool: v }),
  Int: (v: number | bigint): Wire => ({ Int: BigInt(v) }),
  Float: (v: number): Wire => ({ Float: v }),
  Str: (v: string): Wire => ({ Str: v }),
  Bytes: (v: Uint8Array): Wire => ({ Bytes: v }),
  Array: (v: Wire[]): Wire => ({ Array: v }),
  Map: (entries: Record<string, Wire>): Wire => ({
    Map: Object.entries(entries).map(([k, v]) => [{ Str: k }, v]),
  }),
};

/** A tagged NexusValue as plain JS (Int → number when safe, Map → object). */
export function plain(v: Wire): unknown {
  if (v === 'Null' || v === null) return null;
  const [tag, payload] = Object.entries(v as Record<string, unknown>)[0]!;
  switch (tag) {
    case 'Int': {
      const n = BigInt(payload as number | bigint);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'Array':
      return (payload as Wire[]).map(plain);
    case 'Map':
      return Object.fromEntries((payload as [Wire, Wire][]).map(([k, x]) => [plain(k) as string, plain(x)]));
    default:
      return payload;
  }
}

export interface RpcResult {
  id: number;
  ok: boolean;
  /** The tagged value (ok) or the error string. */
  value: Wire;
}

export function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  out.set(body, 4);
  return out;
}

export function requestBody(id: number, command: string, args: Wire[]): Buffer {
  return packr.pack({ id, command, args });
}

export class RpcTestClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (r: RpcResult) => void>();
  /** Responses that arrived for ids nobody waits for (e.g. errors to raw frames). */
  readonly unsolicited: RpcResult[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RpcTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RpcTestClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32LE(0);
      if (this.buf.length < 4 + len) return;
      const body = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      const raw = unpackr.unpack(body) as { id: number | bigint; result: Record<string, Wire> };
      const [tag, value] = Object.entries(raw.result)[0]!;
      const res: RpcResult = { id: Number(raw.id), ok: tag === 'Ok', value };
      const waiter = this.pending.get(res.id);
      if (waiter === undefined) this.unsolicited.push(res);
      else {
        this.pending.delete(res.id);
        waiter(res);
      }
    }
  }

  /** Sends one request and resolves with its response (any number may be in flight). */
  call(command: string, args: Wire[] = [], id = this.nextId++): Promise<RpcResult> {
    const result = new Promise<RpcResult>((resolve) => this.pending.set(id, resolve));
    this.socket.write(frame(requestBody(id, command, args)));
    return result;
  }

  /** Like `call`, but throws on an Err response and returns the value as plain JS. */
  async ok(command: string, args: Wire[] = []): Promise<unknown> {
    const res = await this.call(command, args);
    if (!res.ok) throw new Error(String(res.value));
    return plain(res.value);
  }

  /** Resolves with the next response that no `call` waits for. */
  async nextUnsolicited(): Promise<RpcResult> {
    while (this.unsolicited.length === 0) {
      await new Promise<void>((resolve) => this.socket.once('data', () => setImmediate(resolve)));
    }
    return this.unsolicited.shift()!;
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
