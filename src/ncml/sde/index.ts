// The noise processes: build one by kind (with optional parameters) or from a
// saved config.
import type { Sde, SdeConfig, SdeKind } from './sde.js';
import { SUBVP_DEFAULTS, SubVpSde, type SubVpParams } from './subvp.js';
import { VE_DEFAULTS, VeSde, type VeParams } from './ve.js';
import { VP_DEFAULTS, VpSde, type VpParams } from './vp.js';

export type { Perturbed, Sde, SdeConfig, SdeKind, SubVpConfig, Time, VeConfig, VpConfig } from './sde.js';
export { perExample } from './per-example.js';
export { SUBVP_DEFAULTS, SubVpSde, type SubVpParams } from './subvp.js';
export { VE_DEFAULTS, VeSde, type VeParams } from './ve.js';
export { VP_DEFAULTS, VpSde, type VpParams } from './vp.js';

export interface SdeParams {
  ve: VeParams;
  vp: VpParams;
  subvp: SubVpParams;
}

const DEFAULTS: { [K in SdeKind]: Readonly<SdeParams[K]> } = {
  ve: VE_DEFAULTS,
  vp: VP_DEFAULTS,
  subvp: SUBVP_DEFAULTS,
};

/**
 * An SDE of the given kind with the paper's defaults overridden by params, or
 * rebuilt from a config (e.g. one read back from a checkpoint's JSON).
 */
export function createSde<K extends SdeKind>(kind: K, params?: Partial<SdeParams[K]>): Sde;
export function createSde(config: SdeConfig): Sde;
export function createSde(kindOrConfig: SdeKind | SdeConfig, params: object = {}): Sde {
  const { kind, ...given } = typeof kindOrConfig === 'string' ? { kind: kindOrConfig, ...params } : kindOrConfig;
  // An undefined value (e.g. an unset CLI option) means "the default".
  const rest = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const defaults: object | undefined = Object.hasOwn(DEFAULTS, kind) ? DEFAULTS[kind] : undefined;
  if (defaults === undefined) {
    throw new TypeError(
      `createSde: unknown SDE kind '${String(kind)}'; expected one of ${Object.keys(DEFAULTS).join(', ')}`,
    );
  }
  // A misspelled key would otherwise silently fall back to its default.
  const unknown = Object.keys(rest).filter((k) => !Object.hasOwn(defaults, k));
  if (unknown.length > 0) {
    throw new TypeError(
      `createSde: unknown ${kind} parameter(s) ${unknown.join(', ')}; expected ${Object.keys(defaults).join(', ')}`,
    );
  }
  switch (kind) {
    case 've':
      return new VeSde(rest);
    case 'vp':
      return new VpSde(rest);
    case 'subvp':
      return new SubVpSde(rest);
  }
}
export { SdeConfigSchema, SDE_KINDS, defaultSdeConfig } from './config.js';
