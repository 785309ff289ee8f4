/**
 * Process sizes (Heroku's dyno sizes, smaller): memory and CPU limits per process type, handed
 * to the runtime through InstanceSpec. The docker runtime enforces them (cgroups); the process
 * runtime cannot and ignores them.
 */
import { InvalidInputError } from '../core/errors.js';

export type SizeName = 'eco' | 'standard' | 'performance';

export interface SizeLimits {
  memoryMb: number;
  cpus: number;
}

export const SIZES: Readonly<Record<SizeName, SizeLimits>> = {
  eco: { memoryMb: 256, cpus: 0.25 },
  standard: { memoryMb: 512, cpus: 0.5 },
  performance: { memoryMb: 2048, cpus: 2 },
};

export const DEFAULT_SIZE: SizeName = 'standard';

export function parseSize(input: unknown): SizeName {
  if (typeof input === 'string' && Object.hasOwn(SIZES, input)) return input as SizeName;
  throw new InvalidInputError(`size "${String(input)}" is unknown: use one of ${Object.keys(SIZES).join(', ')}`);
}

/** Limits for a stored size; a row written by an older DevFlow falls back to the default. */
export function limitsOf(size: string | undefined): SizeLimits {
  return SIZES[(size !== undefined && Object.hasOwn(SIZES, size) ? size : DEFAULT_SIZE) as SizeName];
}
