import { describe, expect, it } from 'vitest';
import { buildMetadataLabel, orderLaunchLayers, renderExportDockerfile, renderExportDockerignore, type LaunchPlan } from './export.js';
import type { Layer } from './layers.js';

const layer = (bp: string, name: string, launch = true): Layer => ({ bp, name, types: { launch, build: false, cache: true }, hasDir: true });
const nodeModules = layer('devflow_nodejs', 'node_modules');

describe('renderExportDockerfile', () => {
  it('copies each launch layer (one image layer each), the app and the launcher', () => {
    expect(renderExportDockerfile([nodeModules], 'web').split('\n')).toEqual([
      'FROM devflow/stack-run:bookworm',
      'COPY layers/devflow_nodejs/node_modules /layers/devflow_nodejs/node_modules',
      'COPY --chown=1000:1000 app /workspace',
      'COPY cnb/ /cnb/',
      'USER app',
      'WORKDIR /workspace',
      'ENTRYPOINT ["/cnb/launcher"]',
      'CMD ["web"]',
      '',
    ]);
  });
});

describe('renderExportDockerignore', () => {
  it.each([
    [[], '*\n!app\n!cnb\n'],
    [[nodeModules], '*\n!app\n!cnb\n!layers/devflow_nodejs/node_modules\n'],
  ])('sends only launch layers for %j', (layers, text) => {
    expect(renderExportDockerignore(layers)).toBe(text);
  });
});

describe('orderLaunchLayers', () => {
  it('keeps group order, each buildpack by layer name, launch layers only', () => {
    const all = [layer('b', 'z'), layer('a', 'y'), layer('a', 'x'), layer('a', 'cache-only', false)];
    expect(orderLaunchLayers(all, ['b', 'a']).map((l) => `${l.bp}/${l.name}`)).toEqual(['b/z', 'a/x', 'a/y']);
  });
});

describe('buildMetadataLabel', () => {
  it('records processes and the group as io.buildpacks.build.metadata', () => {
    const plan: LaunchPlan = {
      merged: {
        processes: [{ type: 'web', command: ['node'], args: ['a.js'], direct: true, default: true, workingDir: 'srv', buildpackId: 'x/node' }],
        defaultType: 'web',
      },
      layers: [],
      group: [{ id: 'x/node', version: '1.0.0', api: '0.10', homepage: 'https://x', clearEnv: false, dir: '/bp', order: null }],
      labels: {},
    };
    expect(JSON.parse(buildMetadataLabel(plan))).toEqual({
      processes: [{ type: 'web', command: ['node'], args: ['a.js'], direct: true, 'working-dir': 'srv', buildpackID: 'x/node' }],
      buildpacks: [{ id: 'x/node', version: '1.0.0', homepage: 'https://x' }],
      launcher: { version: 'devflow-sh-1' },
    });
  });
});
