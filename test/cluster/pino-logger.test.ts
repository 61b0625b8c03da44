/** The server hands its pino logger to cluster mode: it must fit `ClusterLogger` and never see the key. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClusterLogger } from '../../src/cluster/cluster-logger.js';
import { HiveHubClient } from '../../src/cluster/hivehub-client.js';
import { errorResponse, response, scriptedFetch, sequence, userDatabase } from './fakes.js';

describe('pino as the cluster logger', () => {
  it('logs retries as structured lines without the service key', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger: ClusterLogger = pino({ level: 'debug' }, sink);
    const key = 'pino-secret-key';
    const client = new HiveHubClient({
      baseUrl: 'http://hub.test',
      serviceApiKey: key,
      retryDelayMs: 1,
      logger,
      fetch: scriptedFetch(
        sequence(errorResponse(503, 'DOWN', `bad ${key}`), response(200, userDatabase('u'))),
      ),
    });
    await client.getUserDatabase('u');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      component: 'hivehub',
      attempt: 1,
      msg: 'HiveHub call failed, retrying',
    });
    expect(line.error).toContain('[REDACTED]');
    expect(lines.join('')).not.toContain(key);
  });
});
