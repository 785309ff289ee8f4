/**
 * The body of `POST /api/v1/apps/{app}/deployments`, validated once at the edge: which ref of the
 * app's repository to deploy, and which builder to use (`auto` lets the builder choose).
 */
import { InvalidInputError } from '../core/errors.js';
import { BUILDER_CHOICES, type BuilderChoice, type DeployRequest } from '../deploys/index.js';

const REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/** Validates the request body once, at the edge. */
export function parseDeployRequest(body: unknown): DeployRequest {
  const input = (body ?? {}) as { ref?: unknown; builder?: unknown };
  const ref = input.ref ?? 'main';
  if (typeof ref !== 'string' || !REF.test(ref)) {
    throw new InvalidInputError('ref must be a branch, tag or commit, e.g. {"ref": "main"}');
  }
  const builder = input.builder ?? 'auto';
  if (!(BUILDER_CHOICES as readonly unknown[]).includes(builder)) {
    throw new InvalidInputError(`builder must be one of ${BUILDER_CHOICES.join(', ')}`);
  }
  return { ref, builder: builder as BuilderChoice };
}

