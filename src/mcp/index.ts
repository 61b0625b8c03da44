/**
 * Public surface of the MCP layer: `registerMcp(app, deps)` mounts the Streamable HTTP
 * endpoint at /mcp; the tool table is exported for docs and tests.
 */
export { registerMcp, mcpPlugin, MCP_PATH, type McpDeps } from './register-mcp.js';
export { createMcpServer, type McpServerInfo, type UnexpectedErrorHandler } from './mcp-server.js';
export { TOOLS, runTool, type ToolDefinition, type ToolEnv } from './tools.js';
