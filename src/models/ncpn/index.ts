export { NCPN, type NcpnInput } from './ncpn.js';
export {
  type NcpnConfig,
  type PresetName,
  PRESETS,
  ConfigError,
  parseConfig,
  presetConfig,
  NcpnConfigSchema,
} from './config.js';
export { AxialAttention } from './axial-attention.js';
export { GatedResnet } from './gated-resnet.js';
export * from './shifted-conv.js';
