/**
 * The executor's operators and plan description; the planner assembles them.
 */
export { describePlan, counted } from './operator.js';
export type { Operator } from './operator.js';
