/**
 * One RPC connection: reads length-prefixed frames (the length checked against
 * `rpc.max_frame_bytes` before any body buffer is allocated), keeps the connection's
 * session (HELLO, AUTH), dispatches each request without waiting for the previous one
 * (pipelining; answers go out in completion order, matched by request id), pauses reading
 * while `rpc.max_in_flight_per_conn` requests are in flight, and closes the session's
 * transactions when the connection ends.
 */
import type { Socket } from 'node:net';
import type { NexusDatabase } from '../engine/api.js';
import { NexusError } from '../errors.js';
import type { CallScope, Credentials, RequestCore, Session } from '../service/types.js';
import { DEFAULT_DATABASE_NAME } from '../service/default-database.js';
import { COMMANDS, type CommandContext, type Reply } from './rpc-commands.js';
import {
  beginResponse,
  decodeRequest,
  errorFrame,
  peekRequestId,
  PUSH_ID,
  type RpcRequest,
} from './rpc-codec.js';
import { argString, toEngineValue, writePlain, writeStr } from './nexus-value.js';

export interface RpcLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ConnectionOptions {
  readonly core: RequestCore;
  readonly db: NexusDatabase;
  readonly version: string;
  readonly authRequired: boolean;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  readonly logger: RpcLogger;
}

/** Wire prefixes of upstream's error strings (rpc-wire-format.md §4). */
function prefixOf(code: string, isAuth: boolean): string {
  if (code === 'AUTHENTICATION_REQUIRED') return 'NOAUTH';
  if (isAuth && (code === 'INVALID_TOKEN' || code === 'TOO_MANY_AUTH_FAILURES')) return 'WRONGPASS';
  return 'ERR';
}

export class RpcConnection {
  private readonly header = Buffer.alloc(4);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private inFlight = 0;
  private paused = false;
  private quitting = false;
  private open = true;
  private session: Session | null = null;
  private context: CommandContext | null = null;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly options: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined); // 'close' follows
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Stops reading new requests; resolves when in-flight ones have been answered. */
  drain(): Promise<void> {
    this.quitting = true;
    this.socket.pause();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }

  private clientAddress(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && this.open && !this.quitting) {
      if (this.body === null) {
        const n = Math.min(4 - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < 4) return;
        this.headerFill = 0;
        const len = this.header.readUInt32LE(0);
        if (len > this.options.maxFrameBytes) {
          // Refused before allocating: the stream cannot be resynchronised, so it ends here.
          this.write(
            errorFrame(
              0,
              `ERR PROTOCOL_ERROR: frame of ${len} bytes exceeds rpc.max_frame_bytes (${this.options.maxFrameBytes})`,
            ),
          );
          this.quitting = true;
          this.socket.end();
          return;
        }
        if (chunk.length - off >= len) {
          // The whole body is in this chunk: no copy.
          this.onFrame(chunk.subarray(off, off + len));
          off += len;
          continue;
        }
        this.body = Buffer.allocUnsafe(len);
        this.bodyFill = 0;
      }
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - off);
      chunk.copy(this.body, this.bodyFill, off, off + n);
      this.bodyFill += n;
      off += n;
      if (this.bodyFill === this.body.length) {
        const body = this.body;
        this.body = null;
        this.onFrame(body);
      }
    }
  }

  private onFrame(body: Buffer): void {
    let req: RpcRequest;
    try {
      req = decodeRequest(body);
    } catch (err) {
      this.write(errorFrame(peekRequestId(body), this.errorText(err, false)));
      return;
    }
    if (req.id === PUSH_ID) {
      this.write(errorFrame(req.id, 'ERR request id u32::MAX is reserved for server push frames'));
      return;
    }
    this.inFlight++;
    if (this.inFlight >= this.options.maxInFlight && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    let outcome: Reply | Promise<Reply>;
    try {
      outcome = this.dispatch(req);
    } catch (err) {
      this.finish(req, err, null);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (reply) => this.finish(req, undefined, reply),
        (err: unknown) => this.finish(req, err, null),
      );
    } else this.finish(req, undefined, outcome);
  }

  private finish(req: RpcRequest, err: unknown, reply: Reply | null): void {
    this.inFlight--;
    if (this.open) {
      if (reply !== null) {
        let frame: Buffer;
        try {
          const w = beginResponse(req.id, 'Ok');
          reply(w);
          frame = w.frame();
        } catch (encodeErr) {
          frame = errorFrame(req.id, this.errorText(encodeErr, false));
        }
        this.write(frame);
      } else {
        this.write(errorFrame(req.id, this.errorText(err, req.command === 'AUTH')));
      }
      if (req.command === 'QUIT') {
        this.quitting = true;
        this.socket.end();
      }
    }
    if (this.paused && this.inFlight < this.options.maxInFlight && !this.quitting) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.inFlight === 0 && this.drainWaiters.length > 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  private write(frame: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(frame);
  }

  private errorText(err: unknown, isAuth: boolean): string {
    const mapped = this.options.core.mapError(err);
    if (mapped.code === 'INTERNAL_ERROR')
      this.options.logger.error({ err, conn: this.id }, 'rpc command failed');
    const prefix =
      err instanceof NexusError && err.details?.prefix === 'NOPROTO'
        ? 'NOPROTO'
        : prefixOf(mapped.code, isAuth);
    return `${prefix} ${mapped.code}: ${mapped.message}`;
  }

  /** The session when auth is off: the anonymous caller, opened on first use. */
  private currentSession(): Session | null {
    if (this.session === null && !this.options.authRequired) {
      const ctx = this.options.core.authenticate(this.credentials('none'));
      this.session = this.options.core.openSession(ctx, { protocol: 'rpc' });
    }
    return this.session;
  }

  private credentials(scheme: Credentials['scheme'], secret?: string, principal?: string): Credentials {
    return {
      scheme,
      clientAddress: this.clientAddress(),
      ...(secret === undefined ? {} : { secret }),
      ...(principal === undefined ? {} : { principal }),
    };
  }

  private dispatch(req: RpcRequest): Reply | Promise<Reply> {
    const { args } = req;
    switch (req.command) {
      case 'PING': {
        if (args.length === 0) return (w) => writeStr(w, 'PONG');
        const echo = args[0];
        if (echo !== null && typeof echo === 'object' && 'Bytes' in echo) {
          const bytes = (echo as { Bytes: Uint8Array }).Bytes;
          return (w) => writePlain(w, bytes);
        }
        const text = argString(args, 0, 'payload');
        return (w) => writeStr(w, text);
      }
      case 'HELLO': {
        if (args.length > 0) {
          const proto = toEngineValue(args[0], 'protocol version');
          if (proto !== 1n) {
            throw new NexusError(
              'PROTOCOL_ERROR',
              `protocol version ${String(proto)} is not supported (1 is)`,
              {
                details: { prefix: 'NOPROTO' },
              },
            );
          }
        }
        const authenticated = this.session !== null && this.options.authRequired;
        return (w) =>
          writePlain(w, {
            server: 'nexus',
            version: this.options.version,
            proto: 1,
            id: this.id,
            authenticated,
            auth_required: this.options.authRequired,
          });
      }
      case 'QUIT':
        return (w) => writeStr(w, 'OK');
      case 'AUTH':
        return this.auth(args);
      default:
        return this.command(req);
    }
  }

  /**
   * `AUTH [api_key]`, `AUTH [user, password]` (the password is the key, as HTTP Basic), each
   * optionally followed by `Map {tenant}`: a SUPER key's tenant in cluster mode, as HTTP's
   * X-Nexus-Tenant header.
   */
  private auth(args: readonly unknown[]): Reply {
    if (!this.options.authRequired) return (w) => writeStr(w, 'OK');
    let positional = args;
    let tenant: string | undefined;
    const last = args.length > 1 ? toEngineValue(args[args.length - 1], 'options') : undefined;
    if (last instanceof Map) {
      positional = args.slice(0, -1);
      const t = last.get('tenant');
      if (t !== undefined && t !== null) {
        if (typeof t !== 'string') throw new NexusError('INVALID_PARAMETER', 'options.tenant must be a Str');
        tenant = t;
      }
    }
    const first = argString(positional, 0, 'api_key');
    const credentials =
      positional.length >= 2
        ? this.credentials('basic', argString(positional, 1, 'password'), first)
        : this.credentials('bearer', first);
    const ctx = this.options.core.authenticate(credentials);
    const session = this.options.core.openSession(ctx, {
      protocol: 'rpc',
      ...(tenant === undefined ? {} : { tenant }),
      logContext: { connection: this.id },
    });
    const previous = this.session;
    this.session = session;
    if (previous !== null) void this.options.core.closeSession(previous).catch(() => undefined);
    return (w) => writeStr(w, 'OK');
  }

  private command(req: RpcRequest): Reply | Promise<Reply> {
    const spec = COMMANDS[req.command];
    if (spec === undefined) {
      throw new NexusError('PROTOCOL_ERROR', `unknown command '${req.command}'`, {
        details: { command: req.command },
      });
    }
    const session = this.currentSession();
    if (session === null) {
      throw new NexusError('AUTHENTICATION_REQUIRED', 'Authentication required: send AUTH <api_key> first');
    }
    if (this.context === null || this.context.session !== session) {
      this.context = {
        core: this.options.core,
        db: this.options.db,
        session,
        database: this.context?.database ?? DEFAULT_DATABASE_NAME,
        isOpen: () => this.open,
      };
    }
    const context = this.context;
    const admitted = this.options.core.admit(session, spec.fn, spec.permission ?? null);
    const runIn = (scope: CallScope): Reply | Promise<Reply> => {
      let out: Reply | Promise<Reply>;
      try {
        out = spec.run(context, scope, req.args);
      } catch (err) {
        this.options.core.finish(scope);
        throw err;
      }
      if (!(out instanceof Promise)) {
        this.options.core.finish(scope);
        return out;
      }
      return out.finally(() => this.options.core.finish(scope));
    };
    return admitted instanceof Promise ? admitted.then(runIn) : runIn(admitted);
  }

  private onClose(): void {
    this.open = false;
    this.body = null;
    const session = this.session;
    this.session = null;
    if (session !== null) {
      this.options.core.closeSession(session).catch((err: unknown) => {
        this.options.logger.warn({ err, conn: this.id }, 'rpc: closing the session failed');
      });
    }
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
