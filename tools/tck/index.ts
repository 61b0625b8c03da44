/**
 * Public surface of the openCypher TCK runner (the CLI is `run.ts`).
 */
export {
  runTck,
  selectScenarios,
  summarize,
  formatFailure,
  DEFAULT_FEATURES_DIR,
  REPO_ROOT,
  type TckRunOptions,
  type TckSummary,
  type DirSummary,
  type ScenarioReport,
} from './tck-runner.js';
export {
  runScenario,
  parseProcedureSignature,
  type OpenDatabase,
  type ScenarioResult,
} from './scenario-runner.js';
export {
  compileFeature,
  findFeatureFiles,
  loadScenarios,
  type TckScenario,
  type TckStep,
} from './feature-loader.js';
export { parseTckValue, TckFormatError, type TckValue } from './tck-value.js';
export { canonicalTck, canonicalValue, renderValue, tckToValue } from './value-compare.js';
export { diffSnapshots, takeSnapshot, type SideEffects, type GraphSnapshot } from './side-effects.js';
