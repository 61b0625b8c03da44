/**
 * Builds the MCP server for one caller. Stateless: a fresh `McpServer` per HTTP request,
 * so no state can leak between tenants. Every tool is registered, but `tools/list`
 * shows only the functions the key may call, and calling another one answers a tool
 * error FUNCTION_NOT_ALLOWED (not "unknown tool") so the client learns why.
 */
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { isNexusError, type NexusError } from '../errors.js';
import { asResourceError } from '../engine/index.js';
import { isFunctionAllowed, checkFunction } from '../auth/functions.js';
import { runTool, TOOLS, type ToolDefinition, type ToolEnv } from './tools.js';

export interface McpServerInfo {
  name: string;
  version: string;
}

/** Called with errors that are not `NexusError`s (bugs); the client sees INTERNAL_ERROR only. */
export type UnexpectedErrorHandler = (err: unknown, tool: string) => void;

/** Tool errors carry the same `{error: {code, message, details?}}` body as REST errors. */
function errorResult(err: NexusError): CallToolResult {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.details !== undefined) error.details = err.details;
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error }) }] };
}

function toolListing(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }) as Tool['inputSchema'],
    annotations: { title: tool.title, readOnlyHint: tool.readOnly, openWorldHint: false },
  };
}

/** Listing JSON is the same for every request; computed once. */
let listingCache: Map<string, Tool> | undefined;
function listings(): Map<string, Tool> {
  listingCache ??= new Map(TOOLS.map((t) => [t.name, toolListing(t)]));
  return listingCache;
}

/** Permissive schema for tools the key may not call: argument validation must not mask the refusal. */
const ANY_ARGS = z.looseObject({});

export function createMcpServer(
  env: ToolEnv,
  info: McpServerInfo,
  onUnexpected?: UnexpectedErrorHandler,
): McpServer {
  const server = new McpServer(info, {
    instructions:
      'Nexus is a property-graph database. Use get_schema to see labels, relationship types and property keys, ' +
      'then execute_cypher to query. Errors come back as {"error": {"code", "message"}}.',
  });
  for (const tool of TOOLS) {
    const allowed = isFunctionAllowed(env.ctx, tool.name);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: allowed ? tool.inputSchema : ANY_ARGS,
        annotations: { readOnlyHint: tool.readOnly },
      },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          checkFunction(env.ctx, tool.name);
          const text = await runTool(tool, env, args);
          return { content: [{ type: 'text', text }] };
        } catch (caught) {
          // A result too large to serialise (V8 string limit) is the query's fault.
          const err = asResourceError(caught);
          if (isNexusError(err)) return errorResult(err);
          onUnexpected?.(err, tool.name);
          return {
            isError: true,
            content: [
              {
                type: 'text',
                text: JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' } }),
              },
            ],
          };
        }
      },
    );
  }
  // Replaces the SDK's listing (which would show every registered tool) with the key's own.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.filter((t) => isFunctionAllowed(env.ctx, t.name)).map((t) => listings().get(t.name) as Tool),
  }));
  return server;
}
