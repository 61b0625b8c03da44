/**
 * Lines of an import input file, read in large chunks: plain or gzip (by the `.gz`
 * suffix or the gzip magic bytes), UTF-8 with an optional BOM, `\n` or `\r\n` line ends.
 * Lines come in batches (one per chunk) so the per-line cost is a string split, not a
 * promise; the caller learns how many file bytes (compressed, for gzip) were consumed.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

const CHUNK_BYTES = 1 << 20;

function isGzip(path: string): boolean {
  if (path.endsWith('.gz')) return true;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Batches of complete lines (without their line ends). `onBytes` is told the number of
 * file bytes read so far. The last line is yielded even without a final newline; a
 * trailing empty line is not.
 */
export async function* readLineBatches(
  path: string,
  onBytes: (bytesRead: number) => void = () => undefined,
): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let bytesRead = 0;
  raw.on('data', (chunk: Buffer | string) => {
    bytesRead += chunk.length;
  });
  const source: Readable = isGzip(path) ? pipeline(raw, createGunzip(), () => undefined) : raw;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let first = true;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let text = carry + decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(cut + 1);
    const lines = text.slice(0, cut).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    onBytes(bytesRead);
    yield lines;
  }
  const rest = carry + decoder.end();
  onBytes(bytesRead);
  if (rest.length > 0) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
