/**
 * A local HiveHub: serves the whole control-plane contract v1 over real HTTP from a users
 * file, records usage reports idempotently by `report_id`, and exposes `/__emulator/*`
 * control routes (usage received, fault injection, runtime user changes) for tests and
 * local development. Control routes need no key; bind it to 127.0.0.1 only.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { quotaCheckRequestSchema, usageReportSchema, userIdSchema } from '../hivehub-schemas.js';
import type { UsageReport, UsageUser, UserStatus, WireQuotas } from '../hivehub-schemas.js';
import { emulatorUserInputSchema, loadUsersFile, parseUsersFile } from './users-file.js';
import type { EmulatorUserInput, UsersFile, UsersFileInput } from './users-file.js';

export interface HiveHubEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Path of a YAML/JSON users file, or the document itself. */
  users: string | UsersFileInput;
}

export interface HiveHubEmulator {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface EmulatedUser {
  user_id: string;
  plan: string;
  status: UserStatus;
  email: string;
  display_name: string;
  database_id: string;
  created_at: string;
  storage_bytes: number;
  storage_updated_at: string;
  quotas: Partial<WireQuotas>;
  cache_ttl_seconds: number | null;
}

type Counters = Omit<UsageUser, 'user_id'>;

const faultSchema = z
  .object({
    delay_ms: z.number().int().nonnegative().optional(),
    status: z.union([z.literal(500), z.literal(503), z.literal(429)]).optional(),
    retry_after: z.number().int().nonnegative().optional(),
    refuse_connections: z.boolean().optional(),
    count: z.number().int().positive().optional(),
  })
  .strict();
type Fault = z.infer<typeof faultSchema>;

const COUNTER_KEYS = [
  'requests',
  'read_queries',
  'write_queries',
  'nodes_created',
  'relationships_created',
  'nodes_deleted',
  'relationships_deleted',
] as const;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The emulator's state and request handling, separate from the socket plumbing. */
class EmulatorState {
  readonly users = new Map<string, EmulatedUser>();
  readonly reports: UsageReport[] = [];
  readonly reportIds = new Set<string>();
  readonly totals = new Map<string, Counters>();
  readonly requestLog: { method: string; path: string; status: number }[] = [];
  duplicates = 0;
  fault: Fault | null = null;
  faultRemaining: number | null = null;

  constructor(readonly file: UsersFile) {
    for (const input of file.users) this.upsertUser(input);
  }

  upsertUser(input: EmulatorUserInput): EmulatedUser {
    if (input.plan !== undefined && !(input.plan in this.file.plans)) {
      throw new HttpFailure(400, 'BAD_REQUEST', `unknown plan ${input.plan}`);
    }
    const now = new Date().toISOString();
    const existing = this.users.get(input.user_id);
    const user: EmulatedUser = {
      user_id: input.user_id,
      plan: input.plan ?? existing?.plan ?? Object.keys(this.file.plans)[0] ?? 'default',
      status: input.status ?? existing?.status ?? 'active',
      email: input.email ?? existing?.email ?? `${input.user_id}@example.com`,
      display_name: input.display_name ?? existing?.display_name ?? input.user_id,
      database_id: input.database_id ?? existing?.database_id ?? `db_${input.user_id}`,
      created_at: input.created_at ?? existing?.created_at ?? now,
      storage_bytes: input.storage_bytes ?? existing?.storage_bytes ?? 0,
      storage_updated_at: input.storage_bytes !== undefined ? now : (existing?.storage_updated_at ?? now),
      quotas: { ...existing?.quotas, ...input.quotas },
      cache_ttl_seconds: input.cache_ttl_seconds ?? existing?.cache_ttl_seconds ?? null,
    };
    this.users.set(user.user_id, user);
    return user;
  }

  quotasOf(user: EmulatedUser): WireQuotas {
    const plan = this.file.plans[user.plan] ?? {
      storage_bytes: null,
      requests_per_minute: null,
      requests_per_hour: null,
    };
    return { ...plan, ...user.quotas };
  }

  requireUser(userId: string): EmulatedUser {
    const user = this.users.get(userId);
    if (user === undefined) throw new HttpFailure(404, 'USER_NOT_FOUND', 'no such user');
    return user;
  }

  /** Records a usage report once; a known report_id changes nothing. */
  recordUsage(report: UsageReport): { accepted: true; report_id: string; duplicate: boolean } {
    if (this.reportIds.has(report.report_id)) {
      this.duplicates += 1;
      return { accepted: true, report_id: report.report_id, duplicate: true };
    }
    this.reportIds.add(report.report_id);
    this.reports.push(report);
    for (const entry of report.users) {
      const total = this.totals.get(entry.user_id) ?? {
        requests: 0,
        read_queries: 0,
        write_queries: 0,
        nodes_created: 0,
        relationships_created: 0,
        nodes_deleted: 0,
        relationships_deleted: 0,
        storage_bytes: 0,
      };
      for (const key of COUNTER_KEYS) total[key] += entry[key];
      total.storage_bytes = entry.storage_bytes;
      this.totals.set(entry.user_id, total);
      const user = this.users.get(entry.user_id);
      if (user !== undefined) {
        user.storage_bytes = entry.storage_bytes;
        user.storage_updated_at = report.period_end;
      }
    }
    return { accepted: true, report_id: report.report_id, duplicate: false };
  }

  /** The active fault for this request, consuming one of its `count`. */
  takeFault(): Fault | null {
    const fault = this.fault;
    if (fault === null) return null;
    if (this.faultRemaining !== null) {
      this.faultRemaining -= 1;
      if (this.faultRemaining <= 0) {
        this.fault = null;
        this.faultRemaining = null;
      }
    }
    return fault;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function errorBody(code: string, message: string): unknown {
  return { error: { code, message } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpFailure(400, 'BAD_REQUEST', 'body is not JSON');
  }
}

function parseBody<T>(schema: z.ZodType<T>, doc: unknown): T {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    throw new HttpFailure(400, 'BAD_REQUEST', `invalid body: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function pathUserId(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new HttpFailure(400, 'BAD_REQUEST', 'malformed user_id');
  }
  if (!userIdSchema.safeParse(decoded).success)
    throw new HttpFailure(400, 'BAD_REQUEST', 'malformed user_id');
  return decoded;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function handleControl(
  state: EmulatorState,
  req: IncomingMessage,
  path: string,
): Promise<[number, unknown]> {
  const method = String(req.method);
  if (path === '/__emulator/usage' && method === 'GET') {
    return [
      200,
      {
        reports: state.reports,
        duplicates: state.duplicates,
        totals: Object.fromEntries(state.totals),
      },
    ];
  }
  if (path === '/__emulator/requests' && method === 'GET') return [200, { requests: state.requestLog }];
  if (path === '/__emulator/requests' && method === 'DELETE') {
    state.requestLog.length = 0;
    return [200, { cleared: true }];
  }
  if (path === '/__emulator/faults' && method === 'POST') {
    const fault = parseBody(faultSchema, await readJson(req));
    state.fault = fault;
    state.faultRemaining = fault.count ?? null;
    return [200, { fault }];
  }
  if (path === '/__emulator/faults' && method === 'DELETE') {
    state.fault = null;
    state.faultRemaining = null;
    return [200, { cleared: true }];
  }
  if (path === '/__emulator/users' && method === 'POST') {
    const user = state.upsertUser(parseBody(emulatorUserInputSchema, await readJson(req)));
    return [200, { user: { ...user, quotas: state.quotasOf(user) } }];
  }
  throw new HttpFailure(404, 'NOT_FOUND', `no route ${method} ${path}`);
}

async function handleApi(
  state: EmulatorState,
  req: IncomingMessage,
  path: string,
): Promise<[number, unknown]> {
  if (req.headers.authorization !== `Bearer ${state.file.service_api_key}`) {
    throw new HttpFailure(401, 'INVALID_SERVICE_KEY', 'the service key is missing, wrong or revoked');
  }
  if (req.headers['x-hivehub-service'] !== 'nexus') {
    throw new HttpFailure(400, 'BAD_REQUEST', 'X-HiveHub-Service: nexus is required');
  }
  const method = String(req.method);
  // Contract: bodies are JSON with `Content-Type: application/json`; a lenient emulator
  // would hide a client that forgot it from the tests.
  if (method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpFailure(400, 'BAD_REQUEST', 'Content-Type: application/json is required');
  }
  let match = /^\/api\/v1\/nexus\/users\/([^/]+)\/database$/.exec(path);
  if (match !== null && method === 'GET') {
    const user = state.requireUser(pathUserId(match[1] as string));
    return [
      200,
      {
        user_id: user.user_id,
        database_id: user.database_id,
        status: user.status,
        plan: user.plan,
        quotas: state.quotasOf(user),
        usage: { storage_bytes: user.storage_bytes, updated_at: user.storage_updated_at },
        cache_ttl_seconds: user.cache_ttl_seconds ?? state.file.cache_ttl_seconds,
      },
    ];
  }
  match = /^\/api\/v1\/users\/([^/]+)$/.exec(path);
  if (match !== null && method === 'GET') {
    const user = state.requireUser(pathUserId(match[1] as string));
    return [
      200,
      {
        user_id: user.user_id,
        email: user.email,
        display_name: user.display_name,
        plan: user.plan,
        status: user.status,
        created_at: user.created_at,
      },
    ];
  }
  if (path === '/api/v1/nexus/quota/check' && method === 'POST') {
    const request = parseBody(quotaCheckRequestSchema, await readJson(req));
    const user = state.requireUser(request.user_id);
    const limit = state.quotasOf(user).storage_bytes;
    const used = user.storage_bytes;
    const fits = limit === null || used + request.estimated_bytes <= limit;
    const allowed = user.status === 'active' && fits;
    return [
      200,
      {
        allowed,
        reason: allowed ? null : user.status !== 'active' ? 'user suspended' : 'storage quota exceeded',
        storage_bytes_limit: limit,
        storage_bytes_used: used,
        storage_bytes_remaining: limit === null ? null : Math.max(0, limit - used),
      },
    ];
  }
  if (path === '/api/v1/nexus/usage' && method === 'POST') {
    return [200, state.recordUsage(parseBody(usageReportSchema, await readJson(req)))];
  }
  throw new HttpFailure(404, 'NOT_FOUND', `no route ${method} ${path}`);
}

async function handle(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(String(req.url), 'http://emulator').pathname;
  if (path.startsWith('/__emulator/')) {
    try {
      const [status, body] = await handleControl(state, req, path);
      sendJson(res, status, body);
    } catch (err) {
      const failure = err instanceof HttpFailure ? err : new HttpFailure(500, 'INTERNAL', 'emulator failure');
      sendJson(res, failure.status, errorBody(failure.code, failure.message));
    }
    return;
  }

  const logEntry = { method: String(req.method), path, status: 0 };
  state.requestLog.push(logEntry);
  const fault = state.takeFault();
  if (fault?.refuse_connections === true) {
    logEntry.status = -1;
    req.socket.destroy();
    return;
  }
  if (fault?.status !== undefined) {
    if (fault.delay_ms !== undefined) await sleep(fault.delay_ms);
    logEntry.status = fault.status;
    const headers: Record<string, string> =
      fault.retry_after !== undefined ? { 'Retry-After': String(fault.retry_after) } : {};
    const code = fault.status === 429 ? 'THROTTLED' : fault.status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
    sendJson(res, fault.status, errorBody(code, 'injected fault'), headers);
    return;
  }

  let status: number;
  let body: unknown;
  try {
    [status, body] = await handleApi(state, req, path);
  } catch (err) {
    const failure = err instanceof HttpFailure ? err : new HttpFailure(500, 'INTERNAL', 'emulator failure');
    [status, body] = [failure.status, errorBody(failure.code, failure.message)];
  }
  // A delay-only fault holds the answer after processing: the call took effect but its
  // response may arrive after the client gave up (the case idempotency keys exist for).
  if (fault?.delay_ms !== undefined) await sleep(fault.delay_ms);
  logEntry.status = status;
  if (!res.destroyed) sendJson(res, status, body);
}

/** Starts an emulator; resolves once it listens. */
export async function startHiveHubEmulator(options: HiveHubEmulatorOptions): Promise<HiveHubEmulator> {
  const file =
    typeof options.users === 'string' ? await loadUsersFile(options.users) : parseUsersFile(options.users);
  const state = new EmulatorState(file);
  const server = createServer((req, res) => {
    void handle(state, req, res);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
