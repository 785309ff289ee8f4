/** API routes for process formation (ps, ps:scale). */
import type express from 'express';
import type { ApiDeps } from '../deps.js';

export function registerPsRoutes(_v1: express.Router, _deps: ApiDeps): void {
  // Routes are added here as the feature lands.
}
