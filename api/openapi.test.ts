import express from 'express';
import { describe, expect, it } from 'vitest';
import { registerApiRoutes, type ApiDeps } from './api.js';
import { OPERATIONS, openApiDocument } from './openapi.js';
import { TicketBook } from './tickets.js';

/** Route paths and methods as express registered them, in OpenAPI form (/apps/{app}). */
function registeredRoutes(): string[] {
  const router = express.Router();
  registerApiRoutes(router, {} as ApiDeps, new TicketBook());
  const stack = (router as unknown as { stack: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] }).stack;
  return stack.flatMap((layer) => {
    if (!layer.route) return [];
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    return paths.flatMap((p) => Object.keys(layer.route!.methods).map((m) => `${m} ${p.replace(/:(\w+)/g, '{$1}')}`));
  });
}

describe('the OpenAPI document', () => {
  it('describes every route the server registers', () => {
    const documented = new Set(OPERATIONS.map((op) => `${op.method} ${op.path.replace(/\{\w+\}/g, (m) => m)}`));
    const normalise = (r: string) => r.replace(/\{\w+\}/g, '{}');
    const documentedShapes = new Set([...documented].map(normalise));
    const registered = registeredRoutes();
    expect(registered.length).toBeGreaterThan(20);
    const missing = registered.filter((r) => !documentedShapes.has(normalise(r)));
    expect(missing).toEqual([]);
  });

  it('is OpenAPI 3.1 with a scope and an error envelope on every authenticated operation', () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { 'x-devflow-scope': string; responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(['read', 'deploy', 'admin', 'public'], `${method} ${path}`).toContain(op['x-devflow-scope']);
        if (op['x-devflow-scope'] !== 'public') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });
});
