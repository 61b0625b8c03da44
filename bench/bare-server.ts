/**
 * The HTTP ceiling for the benchmarks: a bare Fastify server whose `POST /cypher`
 * returns a constant JSON answer shaped like Nexus's `RETURN 1`. Prints its port.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const answer = { columns: ['1'], rows: [[1]], execution_time_ms: 0, stats: {} };
app.post('/cypher', async () => answer);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
