/**
 * Bolt message framing, outbound: packs messages into one buffer as chunks of at most
 * 65535 bytes, each message closed by a zero-size chunk, so a batch of responses goes out
 * in one socket write.
 */
import type { BoltStruct } from './bolt-struct.js';
import { PackStreamWriter } from './packstream-writer.js';

const MAX_CHUNK = 0xffff;

export class ChunkEncoder {
  private readonly body = new PackStreamWriter(4096);
  private readonly out = new PackStreamWriter(8192);

  /** Appends one message. */
  write(message: BoltStruct): void {
    this.body.reset();
    this.body.pack(message);
    const bytes = this.body.bytes();
    for (let at = 0; at < bytes.length; at += MAX_CHUNK) {
      const part = bytes.subarray(at, Math.min(at + MAX_CHUNK, bytes.length));
      this.out.writeUInt16(part.length);
      this.out.writeBytes(part);
    }
    this.out.writeUInt16(0);
  }

  get length(): number {
    return this.out.length;
  }

  /** The framed bytes written since the last take (a copy), and resets. */
  take(): Buffer {
    const b = Buffer.from(this.out.bytes());
    this.out.reset();
    return b;
  }
}
