/**
 * What the engine under test offers: explicit transactions (`db.beginTransaction`) and
 * cursors (`db.stream`) are optional in the engine contract (src/engine/api.ts). Bolt tests
 * that need explicit transactions run only when the engine has them (they are skipped —
 * and reported as skipped — otherwise).
 */
import { Nexus } from '../../src/engine/nexus.js';

const proto = Nexus.prototype as unknown as Record<string, unknown>;
export const ENGINE_HAS_TRANSACTIONS = typeof proto['beginTransaction'] === 'function';
export const ENGINE_HAS_CURSORS = typeof proto['stream'] === 'function';
