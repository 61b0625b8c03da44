/**
 * A minimal Bolt client over a raw socket, built on the server's own codec pieces: the
 * raw-protocol tests drive handshake edge cases and garbage through it, and the benchmark
 * uses it as a persistent-connection load generator without a driver's overhead.
 *
 *   const c = await RawBoltClient.connect(port);           // handshake 5.8 → 4.4
 *   await c.request(MSG.HELLO, { user_agent: 'x/1', scheme: 'none' }) ...
 */
import { connect, type Socket } from 'node:net';
import {
  BoltStruct,
  ChunkDecoder,
  ChunkEncoder,
  PackStreamReader,
  type PackValue,
} from '../../src/bolt/index.js';

export class RawBoltClient {
  private readonly decoder = new ChunkDecoder(1 << 30);
  private readonly encoder = new ChunkEncoder();
  private readonly inbox: BoltStruct[] = [];
  private waiters: (() => void)[] = [];
  private raw = Buffer.alloc(0);
  private handshaken = false;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      if (!this.handshaken) {
        this.raw = Buffer.concat([this.raw, d]);
      } else {
        for (const m of this.decoder.push(d)) this.inbox.push(new PackStreamReader(m).unpack() as BoltStruct);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Opens a socket without any handshake. */
  static open(port: number, host = '127.0.0.1'): Promise<RawBoltClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.setNoDelay(true);
        resolve(new RawBoltClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Opens a socket and negotiates with the classic proposal [5.8..5.0, 4.4]. */
  static async connect(port: number, host = '127.0.0.1'): Promise<RawBoltClient> {
    const c = await RawBoltClient.open(port, host);
    c.writeRaw(Buffer.from('6060b017' + '00080805' + '00000404' + '00000000' + '00000000', 'hex'));
    const reply = await c.readRaw(4);
    if (reply.readUInt32BE(0) === 0) throw new Error('no version agreed');
    c.startMessages();
    return c;
  }

  writeRaw(b: Buffer): void {
    this.socket.write(b);
  }

  /** The next `n` bytes before messages start (handshake replies); rejects if the socket closes first. */
  async readRaw(n: number): Promise<Buffer> {
    while (this.raw.length < n) {
      if (this.closed) throw new Error(`socket closed after ${this.raw.length} of ${n} bytes`);
      await this.wait();
    }
    const out = this.raw.subarray(0, n);
    this.raw = this.raw.subarray(n);
    return out;
  }

  /** Switches to chunked messages (after the handshake). */
  startMessages(): void {
    this.handshaken = true;
    const rest = this.raw;
    this.raw = Buffer.alloc(0);
    if (rest.length > 0)
      for (const m of this.decoder.push(rest))
        this.inbox.push(new PackStreamReader(m).unpack() as BoltStruct);
  }

  /** Queues one message (sent on `flush`). */
  send(tag: number, ...fields: PackValue[]): this {
    this.encoder.write(new BoltStruct(tag, fields));
    return this;
  }

  flush(): void {
    this.socket.write(this.encoder.take());
  }

  /** The next message from the server; null once the socket closed with nothing pending. */
  async next(): Promise<BoltStruct | null> {
    while (this.inbox.length === 0) {
      if (this.closed) return null;
      await this.wait();
    }
    return this.inbox.shift()!;
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await this.wait();
  }

  close(): void {
    this.socket.destroy();
  }
}
