/**
 * `npm run bench`: generates the dataset, runs the in-process, HTTP and quota-load
 * benchmarks in one run, prints a markdown table and writes bench-results/latest.json.
 *
 * Flags: --nodes N --rels N --seconds S (per in-process query) --http-seconds S
 *        --rounds R --connections C --skip-http --skip-quota --skip-schema --vectors N --skip-import --skip-scan
 *        --skip-rpc --only-rpc (RPC vs HTTP alone) --skip-bolt --bolt-seconds S
 *        --skip-fulltext --fulltext-docs N
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runInProcess } from './in-process.js';
import { runHttp } from './http.js';
import { runQuotaLoad } from './quota-load.js';
import { runRpcVsHttp } from './rpc.js';
import { runSchemaBench } from './schema.js';
import { runFulltextBench } from './fulltext.js';
import { runImportBench } from './import.js';
import { runScanAb } from './ab-scan.js';
import { runBolt } from './bolt.js';
import { fmt } from './lib/stats.js';
import { buildDist } from './lib/processes.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100000' },
    rels: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '3' },
    'http-seconds': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    people: { type: 'string', default: '10000' },
    'skip-http': { type: 'boolean', default: false },
    'skip-quota': { type: 'boolean', default: false },
    'skip-rpc': { type: 'boolean', default: false },
    /** Only the RPC vs HTTP comparison (no dataset, in-process, HTTP or quota runs). */
    'only-rpc': { type: 'boolean', default: false },
    'skip-schema': { type: 'boolean', default: false },
    'skip-fulltext': { type: 'boolean', default: false },
    'fulltext-docs': { type: 'string', default: '100000' },
    vectors: { type: 'string', default: '100000' },
    'skip-import': { type: 'boolean', default: false },
    'skip-scan': { type: 'boolean', default: false },
    'skip-bolt': { type: 'boolean', default: false },
    'bolt-seconds': { type: 'string', default: '5' },
    out: { type: 'string', default: 'bench-results/latest.json' },
  },
});

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};

const startedAt = new Date().toISOString();
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

if (values['only-rpc']) {
  values['skip-http'] = true;
  values['skip-quota'] = true;
  values['skip-schema'] = true;
  values['skip-fulltext'] = true;
  values['skip-import'] = true;
  values['skip-scan'] = true;
  values['skip-bolt'] = true;
}

const inProcess = values['only-rpc']
  ? undefined
  : await runInProcess(
      { nodes: Number(values.nodes), relationships: Number(values.rels) },
      Number(values.seconds),
    );
if (inProcess !== undefined) {
  say(
    `\n## In-process engine (${fmt(inProcess.dataset.nodes)} nodes, ${fmt(inProcess.dataset.relationships)} relationships)\n`,
  );
  say('| operation | ops/s | p50 (µs) | p99 (µs) |');
  say('|---|---:|---:|---:|');
  for (const [name, q] of Object.entries(inProcess.queries))
    say(`| ${name} | ${fmt(q.opsPerSec)} | ${fmt(q.p50Us)} | ${fmt(q.p99Us)} |`);
  say(
    `| bulk ingest | ${fmt(inProcess.ingest.nodesPerSec)} nodes/s, ${fmt(inProcess.ingest.relationshipsPerSec)} rels/s | | |`,
  );
  say(`\nPeak RSS: ${fmt(inProcess.peakRssMb)} MiB`);
}

let bulkImport: Awaited<ReturnType<typeof runImportBench>> | undefined;
if (!values['skip-import']) {
  bulkImport = await runImportBench(
    { nodes: Number(values.nodes), relationships: Number(values.rels) },
    { nodes: 10_000, relationships: 50_000 },
  );
  say(`\n## Bulk import (nexus import path: CSV → storage bulk loader, one synced commit)\n`);
  say('| path | records | seconds | records/s |');
  say('|---|---:|---:|---:|');
  say(
    `| nexus import (CSV) | ${fmt(bulkImport.nodes + bulkImport.relationships)} | ${fmt(bulkImport.seconds, 2)} | ${fmt(bulkImport.recordsPerSec)} |`,
  );
  say(
    `| Cypher UNWIND batches of 10k | ${fmt(bulkImport.cypher.records)} | | ${fmt(bulkImport.cypher.recordsPerSec)} |`,
  );
}

let scan: Awaited<ReturnType<typeof runScanAb>> | undefined;
if (!values['skip-scan']) {
  scan = await runScanAb(Number(values.nodes), Number(values.nodes));
  say(
    `\n## Scans A/B (${fmt(scan.nodes)} Person nodes; A = whole-record decode per property, B = single-property read; ${scan.rounds} alternating rounds)\n`,
  );
  say('| query | A ops/s | B ops/s | B/A | A CPU ms/op | B CPU ms/op |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const [name, q] of Object.entries(scan.queries))
    say(
      `| ${name} | ${fmt(q.a, 1)} | ${fmt(q.b, 1)} | ${fmt(q.ratio, 2)} | ${fmt(q.aCpuMs, 2)} | ${fmt(q.bCpuMs, 2)} |`,
    );
}

// The HTTP and quota benchmarks run the compiled server, as `npm start` does.
if (!values['skip-http'] || !values['skip-quota'] || !values['skip-rpc'] || !values['skip-bolt']) buildDist();

let http: Awaited<ReturnType<typeof runHttp>> | undefined;
if (!values['skip-http']) {
  http = await runHttp({
    connections: Number(values.connections),
    seconds: Number(values['http-seconds']),
    rounds: Number(values.rounds),
    people: Number(values.people),
  });
  say(
    `\n## HTTP (autocannon, ${http.connections} connections, ${http.rounds} interleaved rounds × ${http.secondsPerRound} s)\n`,
  );
  say(
    'Req/s and latencies are means over the rounds; B/A is the median of the per-round ratios (each round runs A and B back to back).\n',
  );
  say('| comparison | A req/s | A p50/p99 ms | B req/s | B p50/p99 ms | B/A throughput | B/A per round |');
  say('|---|---:|---:|---:|---:|---:|---|');
  const row = (
    name: string,
    c: {
      a: { requestsPerSec: number; p50Ms: number; p99Ms: number };
      b: { requestsPerSec: number; p50Ms: number; p99Ms: number };
      throughputRatio: number;
      roundRatios: number[];
    },
  ) =>
    say(
      `| ${name} | ${fmt(c.a.requestsPerSec)} | ${c.a.p50Ms}/${c.a.p99Ms} | ${fmt(c.b.requestsPerSec)} | ${c.b.p50Ms}/${c.b.p99Ms} | ${fmt(c.throughputRatio, 3)} | ${c.roundRatios.map((r) => fmt(r, 2)).join(', ')} |`,
    );
  row('read: standalone (A) vs cluster (B)', http.readQuery);
  row('write: standalone (A) vs cluster (B)', http.writeQuery);
  row('RETURN 1: bare Fastify (A) vs Nexus default config, auth off (B)', http.ceiling);
  row('RETURN 1: bare Fastify (A) vs Nexus with auth on (B)', http.ceilingAuth);
  say(
    `\nCluster overhead: read ${fmt(http.readQuery.overheadPct, 1)}%, write ${fmt(http.writeQuery.overheadPct, 1)}%`,
  );
  const nb = http.noisyNeighbour;
  say(
    `Noisy neighbour: tenant B p99 alone ${nb.alone.p99Ms} ms, with neighbour ${nb.withNeighbour.p99Ms} ms (means over the rounds); median per-round ratio ${fmt(nb.p99Ratio, 2)} (rounds: ${nb.roundP99Ratios.map((r) => fmt(r, 2)).join(', ')})`,
  );
}

let bolt: Awaited<ReturnType<typeof runBolt>> | undefined;
if (!values['skip-bolt']) {
  bolt = await runBolt({
    connections: Number(values.connections),
    seconds: Number(values['bolt-seconds']),
    people: Number(values.people),
  });
  say(`\n## Bolt vs HTTP (${bolt.connections} persistent connections, ${bolt.seconds} s each, one run)\n`);
  say('| query | HTTP req/s | Bolt req/s (raw client) | Bolt/HTTP | Bolt req/s (neo4j-driver) |');
  say('|---|---:|---:|---:|---:|');
  for (const r of bolt.rows)
    say(
      `| ${r.query} | ${fmt(r.httpReqPerSec)} | ${fmt(r.boltReqPerSec)} | ${fmt(r.ratio, 2)} | ${fmt(r.driverReqPerSec)} |`,
    );
}

let quota: Awaited<ReturnType<typeof runQuotaLoad>> | undefined;
if (!values['skip-quota']) {
  quota = await runQuotaLoad({ tenants: 8, clientsPerTenant: 6, seconds: 8 });
  say(
    `\n## Quota enforcement load (${quota.tenants} tenants × ${quota.clientsPerTenant} clients, ${quota.seconds} s, ${fmt(quota.totalRequests)} requests)\n`,
  );
  say('| tenant | limit/min | windows | admitted | allowed | 429 | other | over-admission |');
  say('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of quota.perTenant)
    say(
      `| ${t.tenant} | ${t.limitPerMinute} | ${t.windows} | ${t.admitted} | ${t.allowed} | ${t.rejected429} | ${t.otherErrors} | ${t.overAdmission} |`,
    );
}

let rpc: Awaited<ReturnType<typeof runRpcVsHttp>> | undefined;
if (!values['skip-rpc']) {
  rpc = await runRpcVsHttp({
    connections: Number(values.connections),
    seconds: Number(values['http-seconds']),
    rounds: Number(values.rounds),
    people: Number(values.people),
  });
  say(
    `\n## Native RPC vs HTTP (same server, auth on, ${rpc.connections} connections, ${rpc.rounds} interleaved rounds × ${rpc.secondsPerRound} s)\n`,
  );
  say('| query | HTTP req/s | HTTP p50/p99 ms | RPC req/s | RPC p50/p99 ms | RPC/HTTP | per round |');
  say('|---|---:|---:|---:|---:|---:|---|');
  for (const [name, r] of [
    ['RETURN 1', rpc.return1],
    ['indexed point read', rpc.pointRead],
  ] as const)
    say(
      `| ${name} | ${fmt(r.http.requestsPerSec)} | ${fmt(r.http.p50Ms, 2)}/${fmt(r.http.p99Ms, 2)} | ${fmt(r.rpc.requestsPerSec)} | ${fmt(r.rpc.p50Ms, 2)}/${fmt(r.rpc.p99Ms, 2)} | ${fmt(r.ratio, 2)} | ${r.roundRatios.map((x) => fmt(x, 2)).join(', ')} |`,
    );
}

let schema: Awaited<ReturnType<typeof runSchemaBench>> | undefined;
if (!values['skip-schema']) {
  schema = await runSchemaBench({
    vectors: Number(values.vectors),
    dimensions: 128,
    queries: 200,
    merges: 4000,
  });
  const v = schema.vectors;
  say(`\n## Schema features (in-process)\n`);
  say('| measure | value |');
  say('|---|---:|');
  say(
    `| vector index build (${fmt(v.count)} × ${v.dimensions}-d, clustered) | ${fmt(v.buildVectorsPerSec)} vectors/s (${fmt(v.buildVectorsPerCpuSec)} per CPU s) |`,
  );
  say(`| recall@10 (approximate vs exact) | ${fmt(v.recallAt10, 3)} |`);
  say(`| approximate queries/s (p99 ms) | ${fmt(v.approxQueriesPerSec)} (${fmt(v.approxP99Ms, 2)}) |`);
  say(`| exact brute-force queries/s (p99 ms) | ${fmt(v.exactQueriesPerSec)} (${fmt(v.exactP99Ms, 2)}) |`);
  say(`| speed-up over brute force (wall / CPU time) | ${fmt(v.speedup, 1)}× / ${fmt(v.cpuSpeedup, 1)}× |`);
  say(
    `| CPU ms per query: approximate / exact | ${fmt(v.approxCpuMsPerQuery, 2)} / ${fmt(v.exactCpuMsPerQuery, 2)} |`,
  );
  say(
    `| MERGE on unique-constraint key vs plain index | ${fmt(schema.merge.uniqueOpsPerSec)} vs ${fmt(schema.merge.plainIndexOpsPerSec)} ops/s (${fmt(schema.merge.ratio, 2)}×; CPU time ${fmt(schema.merge.cpuRatio, 2)}×) |`,
  );
}

let fulltext: Awaited<ReturnType<typeof runFulltextBench>> | undefined;
if (!values['skip-fulltext']) {
  fulltext = await runFulltextBench({ docs: Number(values['fulltext-docs']), queries: 500 });
  const f = fulltext;
  say(`\n## Full-text index (in-process, ${fmt(f.docs)} short documents)\n`);
  say('| measure | value |');
  say('|---|---:|');
  say(`| CREATE FULLTEXT INDEX over existing documents | ${fmt(f.populateDocsPerSec)} docs/s |`);
  say(
    `| CREATE with the index in place (without it) | ${fmt(f.ingestWithIndexDocsPerSec)} (${fmt(f.ingestWithoutIndexDocsPerSec)}) docs/s |`,
  );
  say(
    `| single-term queryNodes top 10: p50 / p95 ms | ${fmt(f.termQueryP50Ms, 2)} / ${fmt(f.termQueryP95Ms, 2)} |`,
  );
}

const targets = {
  rpcReturn1AtLeast2xHttp: rpc ? rpc.return1.ratio >= 2 : null,
  rpcPointReadAtLeast2xHttp: rpc ? rpc.pointRead.ratio >= 2 : null,
  clusterOverheadReadPctMax5: http ? http.readQuery.overheadPct <= 5 : null,
  clusterOverheadWritePctMax5: http ? http.writeQuery.overheadPct <= 5 : null,
  return1AtLeastHalfOfBareFastify: http ? http.ceiling.throughputRatio >= 0.5 : null,
  return1WithAuthAtLeastHalfOfBareFastify: http ? http.ceilingAuth.throughputRatio >= 0.5 : null,
  bulkIngestAtLeast50kNodesPerSec: inProcess ? inProcess.ingest.nodesPerSec >= 50_000 : null,
  importAtLeast500kRecordsPerSec: bulkImport ? bulkImport.recordsPerSec >= 500_000 : null,
  labelAvgAtLeast150PerSec: scan ? scan.queries['avg over a label']!.b >= 150 : null,
  noisyNeighbourP99AtMost3x: http ? http.noisyNeighbour.p99Ratio <= 3 : null,
  noQuotaOverAdmission: quota ? quota.totalOverAdmission === 0 : null,
  vectorRecallAt10AtLeast095: schema ? schema.vectors.recallAt10 >= 0.95 : null,
  vectorSpeedupAtLeast20x: schema ? schema.vectors.speedup >= 20 : null,
  vectorCpuSpeedupAtLeast20x: schema ? schema.vectors.cpuSpeedup >= 20 : null,
  uniqueMergeAtLeast08xPlainIndex: schema ? schema.merge.ratio >= 0.8 : null,
  uniqueMergeCpuAtLeast08xPlainIndex: schema ? schema.merge.cpuRatio >= 0.8 : null,
  fulltextIndexAtLeast20kDocsPerSec: fulltext ? fulltext.populateDocsPerSec >= 20_000 : null,
  fulltextTermQueryP95AtMost5ms: fulltext ? fulltext.termQueryP95Ms <= 5 : null,
  boltAtLeast2xHttp: bolt ? bolt.rows.every((r) => r.ratio >= 2) : null,
};
say(`\n## Targets\n`);
for (const [k, v] of Object.entries(targets))
  say(`- ${k}: ${v === null ? 'not measured' : v ? 'met' : 'MISSED'}`);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  values.out!,
  JSON.stringify(
    {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      inProcess,
      http,
      bolt,
      quota,
      rpc,
      schema,
      fulltext,
      bulkImport,
      scan,
      targets,
    },
    null,
    2,
  ),
);
say(`\nWrote ${values.out}`);
