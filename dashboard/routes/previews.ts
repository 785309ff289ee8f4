/** API routes for preview environments. */
import type express from 'express';
import type { ApiDeps } from '../deps.js';

export function registerPreviewRoutes(_v1: express.Router, _deps: ApiDeps): void {
  // Routes are added here as the feature lands.
}
