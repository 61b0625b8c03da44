/**
 * Bolt message framing, inbound: a message is a run of chunks (u16 big-endian size, then
 * that many bytes) closed by a zero-size chunk. A zero-size chunk outside a message is a
 * NOOP (keep-alive) and ignored. A message larger than `maxMessageBytes` is refused as
 * soon as its chunk headers say so, before its bytes are buffered.
 */
import { boltError } from './bolt-error.js';

export class ChunkDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Chunks of the message being assembled. */
  private parts: Buffer[] = [];
  private messageBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Feeds received bytes; returns the complete messages they finish. Throws PROTOCOL_ERROR. */
  push(data: Buffer): Buffer[] {
    this.pending.push(data);
    this.pendingBytes += data.length;
    const out: Buffer[] = [];
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 2) break;
      const size = buf.readUInt16BE(pos);
      if (size === 0) {
        pos += 2;
        if (this.parts.length > 0) {
          out.push(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.messageBytes));
          this.parts = [];
          this.messageBytes = 0;
        }
        continue;
      }
      if (this.messageBytes + size > this.maxMessageBytes) {
        throw boltError(`message larger than ${this.maxMessageBytes} bytes`);
      }
      if (buf.length - pos - 2 < size) break;
      // Copy: the message may outlive the socket's buffer.
      this.parts.push(Buffer.from(buf.subarray(pos + 2, pos + 2 + size)));
      this.messageBytes += size;
      pos += 2 + size;
    }
    buf = buf.subarray(pos);
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingBytes = buf.length;
    return out;
  }
}
