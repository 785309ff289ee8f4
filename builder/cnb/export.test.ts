import { describe, expect, it } from 'vitest';
import { buildMetadataLabel, exportLayers, orderLaunchLayers, type LaunchPlan } from './export.js';
import type { Layer } from './layers.js';

const layer = (bp: string, name: string, launch = true): Layer => ({ bp, name, types: { launch, build: false, cache: true }, hasDir: true });
const nodeModules = layer('devflow_nodejs', 'node_modules');

describe('exportLayers', () => {
  it('makes one image layer per launch layer, then the launcher, then the app (owned by the app user)', () => {
    expect(exportLayers({ layersDir: '/w/layers', appDir: '/w/app', cnbDir: '/w/cnb', layers: [nodeModules] })).toEqual([
      { name: 'devflow_nodejs/node_modules', hostDir: '/w/layers/devflow_nodejs/node_modules', imagePath: '/layers/devflow_nodejs/node_modules', owner: 0 },
      { name: 'launcher', hostDir: '/w/cnb', imagePath: '/cnb', owner: 0 },
      { name: 'app', hostDir: '/w/app', imagePath: '/workspace', owner: 1000 },
    ]);
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
