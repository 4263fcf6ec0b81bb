export {
  type ConfigResult,
  type IngestConfig,
  loadConfig,
  loadConfigOrExit,
  type MigrateConfig,
  type OpsConfig,
  type WorkerConfig,
} from './load-config.ts';
export {
  type IngestSettings,
  ingestSettingsFrom,
  type WorkerSettings,
  workerSettingsFrom,
} from './process-settings.ts';
export { type Environment, resolveSecretFiles, SECRET_VARIABLES } from './read-environment.ts';
export { type ClusterNode, hashTagOf, redisTargetOf } from './redis-settings.ts';
export { parseDuration } from './settings.ts';
