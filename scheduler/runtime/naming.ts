/**
 * Instance names shared by the drivers: `<app>-<type>-v<release>-<slot>-<random>`. The name says
 * what runs (readable in `docker ps` and `ps`), the random tail keeps two starts of the same
 * slot (a restart during a rolling deploy) apart.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../core/errors.js';
import type { InstanceSpec } from './types.js';

export type InstanceIdentity = Pick<InstanceSpec, 'app' | 'release' | 'processType' | 'slot'>;

/** Four hex characters: enough to tell apart the few instances of one slot that coexist. */
export function randomSuffix(): string {
  return randomBytes(2).toString('hex');
}

export function instanceName(identity: InstanceIdentity, suffix: string): string {
  const { app, processType, release, slot } = identity;
  return `${app}-${processType}-v${release}-${slot}-${suffix}`;
}

const INSTANCE_ID = /^[a-z0-9][a-z0-9_-]{0,200}$/;

/**
 * Instance ids reach us from callers (API, CLI) and become file names and Docker names, so
 * anything that is not a plain name is refused before it touches a path.
 */
export function assertInstanceId(id: string): string {
  if (!INSTANCE_ID.test(id)) {
    throw new InvalidInputError(`instance id "${id.slice(0, 80)}" is invalid`);
  }
  return id;
}

export function assertSlotAndRelease(identity: InstanceIdentity): void {
  if (!Number.isInteger(identity.release) || identity.release < 1) {
    throw new InvalidInputError(`release must be a positive integer, got ${identity.release}`);
  }
  if (!Number.isInteger(identity.slot) || identity.slot < 1) {
    throw new InvalidInputError(`slot must be a positive integer (1-based), got ${identity.slot}`);
  }
}

const ID_TAIL = /-v(\d+)-(\d+)-[0-9a-f]+$/;

/**
 * Release and slot read back from an instance id (both drivers end ids with
 * `-v<release>-<slot>-<random>`); null for ids DevFlow did not make. The app/type boundary is
 * not recoverable from the id (both may contain dashes), so those come from labels/state.
 */
export function releaseAndSlotOf(id: string): { release: number; slot: number } | null {
  const match = ID_TAIL.exec(id);
  if (match === null) return null;
  return { release: Number(match[1]), slot: Number(match[2]) };
}
