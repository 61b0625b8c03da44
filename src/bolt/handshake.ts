/**
 * The Bolt handshake, before any message: the magic preamble 0x6060B017 and four version
 * proposals (u32 each: reserved, range, minor, major). A proposal of 255.1 asks for the
 * version manifest (v1): the server answers 0x000001FF, a varint count of version ranges,
 * the ranges, and a varint capability mask; the client then names the version it chose
 * (u32) and its capabilities (varint). Otherwise the server answers the first proposal it
 * supports. Nexus speaks Bolt 5.0–5.8 and 4.4.
 */
import { boltError } from './bolt-error.js';

export interface BoltVersion {
  readonly major: number;
  readonly minor: number;
}

export const BOLT_MAGIC = 0x6060b017;
const MANIFEST_V1 = 0x000001ff;
const SUPPORTED: readonly BoltVersion[] = [
  ...[8, 7, 6, 5, 4, 3, 2, 1, 0].map((minor) => ({ major: 5, minor })),
  { major: 4, minor: 4 },
];
/** The manifest's ranges: 5.8 down to 5.0, and 4.4. */
const MANIFEST_RANGES = [0x00080805, 0x00000404];

export function isSupported(v: BoltVersion): boolean {
  return SUPPORTED.some((s) => s.major === v.major && s.minor === v.minor);
}

/** The highest supported version one proposal (`major.minor` down `range` minors) admits. */
function pick(proposal: number): BoltVersion | null {
  const major = proposal & 0xff;
  const minor = (proposal >> 8) & 0xff;
  const range = (proposal >> 16) & 0xff;
  for (const s of SUPPORTED) {
    if (s.major === major && s.minor <= minor && s.minor >= minor - range) return s;
  }
  return null;
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export type HandshakeStep =
  | { readonly kind: 'more'; readonly reply?: Buffer }
  | { readonly kind: 'done'; readonly version: BoltVersion; readonly reply?: Buffer; readonly rest: Buffer }
  | { readonly kind: 'refuse'; readonly reply?: Buffer; readonly reason: string };

/** Feed it the connection's first bytes until it says `done` (or `refuse`: close). */
export class Handshake {
  private buf: Buffer = Buffer.alloc(0);
  private awaitingManifestChoice = false;

  feed(data: Buffer): HandshakeStep {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    if (this.awaitingManifestChoice) return this.manifestChoice();
    if (this.buf.length < 4) return { kind: 'more' };
    if (this.buf.readUInt32BE(0) !== BOLT_MAGIC)
      return { kind: 'refuse', reason: 'not a Bolt client (bad preamble)' };
    if (this.buf.length < 20) return { kind: 'more' };
    const proposals = [4, 8, 12, 16].map((at) => this.buf.readUInt32BE(at));
    this.buf = this.buf.subarray(20);
    if (proposals.includes(MANIFEST_V1)) {
      this.awaitingManifestChoice = true;
      const reply = Buffer.from([
        0,
        0,
        1,
        0xff,
        ...varint(MANIFEST_RANGES.length),
        ...MANIFEST_RANGES.flatMap((r) => [(r >>> 24) & 0xff, (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff]),
        ...varint(0),
      ]);
      const next = this.buf.length > 0 ? this.manifestChoice() : ({ kind: 'more' } as const);
      return { ...next, reply: next.reply ? Buffer.concat([reply, next.reply]) : reply } as HandshakeStep;
    }
    for (const p of proposals) {
      const v = pick(p);
      if (v !== null) {
        return { kind: 'done', version: v, reply: Buffer.from([0, 0, v.minor, v.major]), rest: this.buf };
      }
    }
    return { kind: 'refuse', reply: Buffer.alloc(4), reason: 'no supported Bolt version proposed' };
  }

  /** After the manifest: the client's chosen version (u32) and capability varint. */
  private manifestChoice(): HandshakeStep {
    if (this.buf.length < 5) return { kind: 'more' };
    const chosen = this.buf.readUInt32BE(0);
    let at = 4;
    for (;;) {
      if (at >= this.buf.length) return { kind: 'more' };
      if (at - 4 >= 10) throw boltError('capability mask too long');
      if ((this.buf[at++]! & 0x80) === 0) break;
    }
    const version = { major: chosen & 0xff, minor: (chosen >> 8) & 0xff };
    if (!isSupported(version)) {
      return { kind: 'refuse', reason: `client chose unsupported Bolt ${version.major}.${version.minor}` };
    }
    return { kind: 'done', version, rest: this.buf.subarray(at) };
  }
}
