import { describe, expect, it } from 'vitest';
import type { AppName, ProcessType } from '../core/names.js';
import type { Instance } from '../core/types.js';
import { desiredFormation, planReconcile, webReplicas } from './plan.js';

function instance(id: string, release: number, processType = 'web', state: Instance['state'] = 'running'): Instance {
  return { id, app: 'a' as AppName, release, processType: processType as ProcessType, upstream: null, state };
}

describe('desiredFormation', () => {
  it.each([
    ['web defaults to 1', [], { web: 'npm start' }, [{ processType: 'web', replicas: 1 }]],
    ['other types default to 0', [], { web: 'a', worker: 'b' }, [{ processType: 'web', replicas: 1 }]],
    ['formation scales', [{ processType: 'web', replicas: 3 }, { processType: 'worker', replicas: 2 }], { web: 'a', worker: 'b' },
      [{ processType: 'web', replicas: 3 }, { processType: 'worker', replicas: 2 }]],
    ['types the release lacks are ignored', [{ processType: 'clock', replicas: 1 }], { web: '' }, [{ processType: 'web', replicas: 1 }]],
    ['web scaled to zero', [{ processType: 'web', replicas: 0 }], { web: '' }, []],
    ['release is never a long-running type', [{ processType: 'release', replicas: 1 }], { web: '', release: 'migrate' },
      [{ processType: 'web', replicas: 1 }]],
  ])('%s', (_name, formation, processes, expected) => {
    expect(desiredFormation(formation, processes)).toEqual(expected);
  });
});

describe('webReplicas', () => {
  it.each([
    ['no formation: one web', [], 1],
    ['web scaled to 3', [{ processType: 'web', replicas: 3 }, { processType: 'worker', replicas: 2 }], 3],
    ['web scaled to zero', [{ processType: 'web', replicas: 0 }], 0],
    ['only other types in the formation', [{ processType: 'worker', replicas: 4 }], 1],
  ])('%s', (_name, formation, expected) => {
    expect(webReplicas(formation)).toBe(expected);
  });
});

describe('planReconcile', () => {
  const web2 = [{ processType: 'web', replicas: 2 }];
  it.each([
    ['nothing running: start all', web2, 3, [], { start: [{ processType: 'web', slot: 1 }, { processType: 'web', slot: 2 }], stop: [] }],
    ['all there: nothing to do', web2, 3, [instance('a', 3), instance('b', 3)], { start: [], stop: [] }],
    ['old release instances are stopped, replaced', web2, 3, [instance('a', 2), instance('b', 3)],
      { start: [{ processType: 'web', slot: 2 }], stop: ['a'] }],
    ['extras are stopped', [{ processType: 'web', replicas: 1 }], 3, [instance('a', 3), instance('b', 3)], { start: [], stop: ['b'] }],
    ['exited instances are replaced', [{ processType: 'web', replicas: 1 }], 3, [instance('a', 3, 'web', 'exited')],
      { start: [{ processType: 'web', slot: 1 }], stop: ['a'] }],
    ['undesired types are stopped', [{ processType: 'web', replicas: 1 }], 1, [instance('a', 1), instance('w', 1, 'worker')],
      { start: [], stop: ['w'] }],
  ])('%s', (_name, desired, release, actual, expected) => {
    expect(planReconcile(desired, release, actual)).toEqual(expected);
  });
});
