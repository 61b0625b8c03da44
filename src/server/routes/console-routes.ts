/**
 * The web console's static files (built from console/ into dist/console by `npm run build`):
 * GET /console and /console/<file>, and GET / — the console for browsers (Accept: text/html),
 * a small JSON discovery document for other clients. Public routes (the files hold no data;
 * the page sends the user's key with each data call), served with a strict CSP: scripts,
 * styles and connections from this origin only, no inline code, no framing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { NexusError } from '../../errors.js';
import { JSON_TYPE, type RouteServices } from '../route-services.js';

/** dist/console, from src/server/routes (tsx) and dist/server/routes (compiled) alike. */
const CONSOLE_DIR = new URL('../../../dist/console/', import.meta.url);

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': JSON_TYPE,
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/** The built files by name, read once (a few hundred KB); empty when the console is not built. */
function loadFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(CONSOLE_DIR)) return files;
  for (const name of readdirSync(CONSOLE_DIR)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(name, { type, body: readFileSync(new URL(name, CONSOLE_DIR)) });
  }
  return files;
}

export const consoleRoutes: FastifyPluginAsync<RouteServices> = async (app) => {
  const files = loadFiles();
  const send = (reply: FastifyReply, name: string): Buffer => {
    const file = files.get(name);
    if (file === undefined) {
      throw new NexusError(
        'NOT_FOUND',
        name === 'index.html'
          ? 'The web console is not built (run `npm run build`)'
          : `No console file ${name}`,
      );
    }
    reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type(file.type);
    return file.body;
  };
  const tags = ['console'];

  app.get(
    '/',
    { schema: { summary: 'The web console (Accept: text/html) or a discovery document', tags } },
    async (req, reply) => {
      reply.header('vary', 'Accept');
      if ((req.headers.accept ?? '').includes('text/html')) return send(reply, 'index.html');
      reply.type(JSON_TYPE);
      return { name: 'Nexus', console: '/console', openapi: '/openapi.json', health: '/health' };
    },
  );
  app.get('/console', { schema: { summary: 'The web console', tags } }, async (_req, reply) =>
    send(reply, 'index.html'),
  );
  app.get(
    '/console/*',
    { schema: { summary: 'The web console’s static files', tags } },
    async (req, reply) => {
      const name = (req.params as { '*': string })['*'];
      return send(reply, name === '' ? 'index.html' : name);
    },
  );
};
