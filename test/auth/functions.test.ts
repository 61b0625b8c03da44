import { describe, expect, it } from 'vitest';
import {
  checkFunction,
  effectivePermissions,
  FUNCTION_NAMES,
  MCP_TOOL_FUNCTIONS,
  requirePermission,
  ROUTE_FUNCTIONS,
  routeAuth,
} from '../../src/auth/index.js';
import { NexusError } from '../../src/errors.js';
import { ctx } from './helpers.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof NexusError) return err.code;
    throw err;
  }
  return undefined;
}

describe('permissions', () => {
  it('SUPER ⊇ ADMIN ⊇ WRITE ⊇ READ', () => {
    expect([...effectivePermissions(['ADMIN'])].sort()).toEqual(['ADMIN', 'READ', 'WRITE']);
    expect([...effectivePermissions(['READ'])]).toEqual(['READ']);
    expect(codeOf(() => requirePermission(ctx(['WRITE']), 'READ'))).toBeUndefined();
    expect(codeOf(() => requirePermission(ctx(['WRITE']), 'ADMIN'))).toBe('FORBIDDEN');
    expect(codeOf(() => requirePermission(ctx(['ADMIN']), 'SUPER'))).toBe('FORBIDDEN');
    expect(codeOf(() => requirePermission(ctx(['SUPER']), 'ADMIN'))).toBeUndefined();
  });
});

describe('checkFunction', () => {
  it('null allows everything, [] nothing, a list exactly its names', () => {
    expect(codeOf(() => checkFunction({ allowedFunctions: null }, 'execute_cypher'))).toBeUndefined();
    expect(codeOf(() => checkFunction({ allowedFunctions: [] }, 'execute_cypher'))).toBe(
      'FUNCTION_NOT_ALLOWED',
    );
    expect(codeOf(() => checkFunction({ allowedFunctions: ['get_node'] }, 'get_node'))).toBeUndefined();
    expect(codeOf(() => checkFunction({ allowedFunctions: ['get_node'] }, 'get_nodes'))).toBe(
      'FUNCTION_NOT_ALLOWED',
    );
    expect(codeOf(() => checkFunction({ allowedFunctions: ['get_node'] }, 'GET_NODE'))).toBe(
      'FUNCTION_NOT_ALLOWED',
    );
  });
});

describe('ROUTE_FUNCTIONS', () => {
  it('maps routes to known functions and every function is reachable', () => {
    const used = new Set<string>(MCP_TOOL_FUNCTIONS);
    for (const [route, rule] of Object.entries(ROUTE_FUNCTIONS)) {
      expect(route).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \//);
      if (rule.function !== null) {
        expect(FUNCTION_NAMES).toContain(rule.function);
        used.add(rule.function);
      }
    }
    expect([...used].sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('looks routes up by method and pattern', () => {
    expect(routeAuth('post', '/cypher')).toEqual({
      function: 'execute_cypher',
      permission: 'READ',
      publicInStandalone: false,
      publicAlways: false,
    });
    expect(routeAuth('DELETE', '/data/nodes/:id')?.permission).toBe('WRITE');
    expect(routeAuth('GET', '/health')).toMatchObject({ function: null, publicInStandalone: true });
    expect(routeAuth('GET', '/health')?.publicAlways).toBe(false);
    // Only the console's static files are public in every mode.
    const always = Object.entries(ROUTE_FUNCTIONS).filter(([, r]) => r.publicAlways);
    expect(always.map(([k]) => k).sort()).toEqual(['GET /', 'GET /console', 'GET /console/*']);
    expect(routeAuth('GET', '/nope')).toBeUndefined();
  });

  it('is documented completely in docs/AUTHENTICATION.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/AUTHENTICATION.md', import.meta.url), 'utf8');
    for (const route of Object.keys(ROUTE_FUNCTIONS)) expect(doc).toContain(`\`${route}\``);
    for (const fn of FUNCTION_NAMES) expect(doc).toContain(`\`${fn}\``);
  });
});
