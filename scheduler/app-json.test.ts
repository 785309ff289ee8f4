import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../core/types.js';
import { parseAppJsonHealthchecks, withAppJsonHealthchecks } from './app-json.js';

const doc = (web: unknown) => JSON.stringify({ name: 'x', healthchecks: { web } });

describe('parseAppJsonHealthchecks', () => {
  it.each([
    ['no healthchecks', '{"name":"x"}', undefined],
    ['empty list', doc([]), undefined],
    ['defaults', doc([{ path: '/health' }]), [{ path: '/health', attempts: 5, timeout: 5, wait: 2, initialDelay: 0 }]],
    ['all fields', doc([{ type: 'startup', path: '/ready', attempts: 3, timeout: 2, wait: 1, initialDelay: 4, content: 'ok' }]),
      [{ path: '/ready', attempts: 3, timeout: 2, wait: 1, initialDelay: 4, content: 'ok' }]],
    ['path defaults to /', doc([{ attempts: 2 }]), [{ path: '/', attempts: 2, timeout: 5, wait: 2, initialDelay: 0 }]],
  ])('%s', (_name, text, expected) => {
    expect(parseAppJsonHealthchecks(text)).toEqual(expected);
  });

  it.each([
    ['not JSON', '{', 'app.json is not valid JSON'],
    ['web not a list', doc({ path: '/' }), 'healthchecks.web must be a list'],
    ['relative path', doc([{ path: 'health' }]), 'healthchecks.web[0].path must be a URL path starting with "/"'],
    ['zero attempts', doc([{ attempts: 0 }]), 'healthchecks.web[0].attempts must be a number from 1 to 100'],
    ['string timeout', doc([{ timeout: '5' }]), 'healthchecks.web[0].timeout must be a number'],
    ['content not a string', doc([{ content: 1 }]), 'healthchecks.web[0].content must be a string'],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseAppJsonHealthchecks(text)).toThrow(message);
  });
});

describe('withAppJsonHealthchecks', () => {
  const artifact: Artifact = { kind: 'image', image: 'i', processes: { web: '' } };
  const lines: string[] = [];
  const log = { line: (l: string) => void lines.push(l) };

  it('attaches checks from the source tree, leaves the artifact alone without app.json, fails the build on a bad one', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-appjson-'));
    try {
      expect(await withAppJsonHealthchecks(artifact, dir, log)).toEqual(artifact);
      await fs.writeFile(path.join(dir, 'app.json'), doc([{ path: '/health' }]));
      expect((await withAppJsonHealthchecks(artifact, dir, log)).healthchecks?.[0]?.path).toBe('/health');
      expect(lines).toContain('-----> Using 1 health check(s) from app.json (/health)');
      await fs.writeFile(path.join(dir, 'app.json'), doc([{ path: 'x' }]));
      await expect(withAppJsonHealthchecks(artifact, dir, log)).rejects.toThrow('app.json: healthchecks.web[0].path must be');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
