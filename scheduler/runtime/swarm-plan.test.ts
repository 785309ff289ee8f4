import { describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import { currentTasks, instanceFromTask, instanceStateFromTask, serviceLabels, serviceName, serviceSpec, swarmInstanceId, type SwarmTask } from './swarm-plan.js';
import { releaseAndSlotOf } from './naming.js';

const owner = '/home/dev/.devflow';
const artifact: Artifact = { kind: 'image', image: 'devflow/hello:abc', processes: { web: 'node server.js', worker: 'node w.js' } };
const identity = { app: parseAppName('hello'), processType: parseProcessType('web'), release: 3 };
const spec = { ...identity, slot: 2, artifact, env: { A: '1', PORT: '9' }, memoryMb: 256 };

function task(slot: number, state: string, port?: number, desired = 'running'): SwarmTask {
  return { ID: `t${slot}${state}`, Slot: slot, NodeID: 'n1', DesiredState: desired, Status: { State: state, PortStatus: port ? { Ports: [{ TargetPort: 5000, PublishedPort: port }] } : {} } };
}

describe('swarm plan', () => {
  it('names a service per app, type and release, within 63 characters, apart per owner', () => {
    expect(serviceName(owner, identity)).toMatch(/^df-hello-web-v3-[0-9a-f]{6}$/);
    const long = { ...identity, app: parseAppName(`a${'-b'.repeat(31)}`), processType: parseProcessType('w'.repeat(30)), release: 123456 };
    expect(serviceName(owner, long).length).toBeLessThanOrEqual(63);
    expect(serviceName('/other', identity)).not.toBe(serviceName(owner, identity));
  });

  it('instance ids keep the shared shape, so release and slot read back', () => {
    expect(releaseAndSlotOf(swarmInstanceId(owner, { ...identity, slot: 2 }))).toEqual({ release: 3, slot: 2 });
  });

  it('a web service: local image as is, start-first with rollback, host-mode port, no VIP, limits, PORT=5000', () => {
    const s = serviceSpec(owner, spec, 2) as any;
    expect(s.TaskTemplate.ContainerSpec.Image).toBe('devflow/hello:abc');
    expect(s.TaskTemplate.ContainerSpec.Args).toEqual(['web']);
    expect(s.TaskTemplate.ContainerSpec.Env).toEqual(['A=1', 'PORT=5000']);
    expect(s.TaskTemplate.Resources.Limits).toEqual({ MemoryBytes: 256 * 1024 * 1024 });
    expect(s.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(s.UpdateConfig).toMatchObject({ Order: 'start-first', FailureAction: 'rollback' });
    expect(s.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }] });
    expect(s.Labels).toEqual(serviceLabels(owner, identity));
    expect(s.TaskTemplate.ContainerSpec.Labels['devflow.managed']).toBeUndefined();
  });

  it('a worker publishes nothing', () => {
    const s = serviceSpec(owner, { ...spec, processType: parseProcessType('worker') }, 1) as any;
    expect(s.EndpointSpec).toEqual({ Mode: 'dnsrr' });
  });

  it.each([
    ['running', 'running'], ['preparing', 'starting'], ['pending', 'starting'], ['failed', 'exited'], ['shutdown', 'exited'],
  ])('task state %s is %s', (state, expected) => {
    expect(instanceStateFromTask(state)).toBe(expected);
  });

  it('each slot is filled by its live task, not by failed history', () => {
    const tasks = [task(1, 'failed'), task(1, 'running', 30001), task(2, 'running', 30002), task(3, 'shutdown', undefined, 'shutdown')];
    expect(currentTasks(tasks).map((t) => t.ID)).toEqual(['t1running', 't2running']);
  });

  it('an instance from a task: upstream from the published port on its node; other owners ignored', () => {
    const labels = serviceLabels(owner, identity);
    const host = () => '127.0.0.1';
    expect(instanceFromTask(owner, labels, task(2, 'running', 30002), host)).toEqual({
      id: swarmInstanceId(owner, { ...identity, slot: 2 }), app: 'hello', release: 3, processType: 'web',
      upstream: { host: '127.0.0.1', port: 30002 }, state: 'running',
    });
    expect(instanceFromTask(owner, labels, task(2, 'starting'), host)?.upstream).toBeNull();
    expect(instanceFromTask('/other', labels, task(2, 'running', 1), host)).toBeNull();
  });
});
