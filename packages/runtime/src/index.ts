export { openMailTransport } from './mail-transport.ts';
export {
  type Infrastructure,
  type InfrastructureConfig,
  type InfrastructureOptions,
  openInfrastructure,
} from './open-infrastructure.ts';
