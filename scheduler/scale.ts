/**
 * Scaling one process type (`ps:scale web=3`, PATCH /apps/{app}/processes/{type}), pure: parse
 * the request, then plan which slots to start and which instances to drain and stop. Scaling
 * never makes a release; a size change replaces the type's instances start-first.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Instance } from '../core/types.js';
import { releaseAndSlotOf } from './runtime/naming.js';
import { parseSize, type SizeName } from './sizes.js';

export const MAX_REPLICAS = 100;

export interface ScaleRequest {
  replicas?: number;
  size?: SizeName;
}

export function parseScaleRequest(body: unknown): ScaleRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('send a JSON object like {"replicas": 2, "size": "standard"}');
  }
  const { replicas, size } = body as { replicas?: unknown; size?: unknown };
  if (replicas === undefined && size === undefined) {
    throw new InvalidInputError('give "replicas", "size" or both, e.g. {"replicas": 2}');
  }
  return {
    ...(replicas === undefined ? {} : { replicas: parseReplicas(replicas) }),
    ...(size === undefined ? {} : { size: parseSize(size) }),
  };
}

export function parseReplicas(input: unknown): number {
  const n = typeof input === 'string' && /^-?\d+$/.test(input.trim()) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new InvalidInputError(`replicas must be a whole number from 0 to ${MAX_REPLICAS}, got ${JSON.stringify(input)}`);
  }
  if (n < 0) throw new InvalidInputError(`replicas cannot be negative (got ${n}); use 0 to stop a process type`);
  if (n > MAX_REPLICAS) throw new InvalidInputError(`replicas ${n} is too many: at most ${MAX_REPLICAS} per process type`);
  return n;
}

export interface ScalePlan {
  /** Slots to start (1-based), lowest free first. */
  start: number[];
  /** Instances to drain and stop. */
  stop: string[];
}

export function slotOf(instance: Pick<Instance, 'id'>): number {
  return releaseAndSlotOf(instance.id)?.slot ?? Number.MAX_SAFE_INTEGER;
}

/**
 * `current` are the type's live instances of the current release. Growing starts the lowest
 * free slots; shrinking stops the highest slots; `replace` (a size change) starts every slot
 * anew and stops every current instance once the new ones are healthy.
 */
export function planScale(current: Array<Pick<Instance, 'id'>>, replicas: number, replace = false): ScalePlan {
  const sorted = [...current].sort((a, b) => slotOf(a) - slotOf(b) || a.id.localeCompare(b.id));
  if (replace) return { start: range(1, replicas), stop: sorted.map((i) => i.id) };
  const used = new Set<number>();
  const kept: string[] = [];
  const stop: string[] = [];
  for (const instance of sorted) {
    const slot = slotOf(instance);
    if (kept.length < replicas && !used.has(slot)) {
      kept.push(instance.id);
      used.add(slot);
    } else {
      stop.push(instance.id);
    }
  }
  const start: number[] = [];
  for (let slot = 1; start.length + kept.length < replicas; slot++) if (!used.has(slot)) start.push(slot);
  return { start, stop };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
