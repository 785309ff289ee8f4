import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSupportedApi, parseBuildpackToml } from './buildpacks.js';

describe('isSupportedApi', () => {
  it.each([
    ['0.10', true], ['0.9', true], ['0.8', true], ['0.7', true],
    ['0.6', false], ['0.2', false], ['0.11', false], ['1', false], ['1.0', false], ['0', false],
  ])('api %s → %s', (api, supported) => expect(isSupportedApi(api)).toBe(supported));
});

describe('parseBuildpackToml', () => {
  const toml = (api: string) => `api = "${api}"\n[buildpack]\nid = "acme/meta"\nversion = "1.0.0"\n[[order]]\n[[order.group]]\nid = "acme/x"\nversion = "1.0.0"\n`;

  it('refuses a Buildpack API DevFlow does not run, naming the file and the range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devflow-bp-'));
    try {
      expect(() => parseBuildpackToml(toml('0.12'), dir, 'bps/meta/buildpack.toml')).toThrow(
        'detect: bps/meta/buildpack.toml: Buildpack API 0.12 is not supported: DevFlow runs buildpacks written for API 0.7 to 0.10',
      );
      expect(parseBuildpackToml(toml('0.9'), dir).api).toBe('0.9');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
