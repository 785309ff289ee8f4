import { describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import {
  configReferences, instanceFromTask, instanceStateFromTask, replicasForSlot, restartPolicy, serviceLabels, serviceName, serviceSpec,
  shippedFileName, slotTasks, swarmInstanceId,
  type SwarmTask,
} from './swarm-plan.js';
import { releaseAndSlotOf } from './naming.js';

const owner = '/home/dev/.devflow';
const artifact: Artifact = { kind: 'image', image: 'devflow/hello:abc', processes: { web: 'node server.js', worker: 'node w.js' } };
const identity = { app: parseAppName('hello'), processType: parseProcessType('web'), release: 3 };
const spec = { ...identity, slot: 2, artifact, env: { A: '1', PORT: '9' }, memoryMb: 256 };

let created = 0;
/** A task of `slot`; each call is created a second after the previous one. */
function task(slot: number, state: string, port?: number, desired = 'running', ran = state !== 'pending'): SwarmTask {
  created += 1;
  return {
    ID: `t${slot}${state}${created}`, Slot: slot, NodeID: 'n1', DesiredState: desired, CreatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, created)).toISOString(),
    Status: { State: state, ...(ran ? { ContainerStatus: { ContainerID: `c${created}` } } : {}), PortStatus: port ? { Ports: [{ TargetPort: 5000, PublishedPort: port }] } : {} },
  };
}
const summary = (tasks: SwarmTask[]) => slotTasks(tasks).map((s) => [s.slot, s.state, s.task.ID, s.output?.ID ?? null]);

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

  it('each slot is filled by its live task, not by failed history; scaled-away slots are gone', () => {
    const failed = task(1, 'failed', undefined, 'shutdown');
    const live = task(1, 'running', 30001);
    const two = task(2, 'running', 30002);
    const scaled = task(3, 'shutdown', undefined, 'shutdown');
    expect(summary([live, failed, two, scaled])).toEqual([[1, 'running', live.ID, live.ID], [2, 'running', two.ID, two.ID]]);
  });

  it('a slot waiting out the restart delay is starting, and its output is the failed task\'s', () => {
    const failed = task(1, 'failed', undefined, 'shutdown');
    const waiting = task(1, 'pending', undefined, 'ready');
    expect(summary([failed, waiting])).toEqual([[1, 'starting', waiting.ID, failed.ID]]);
  });

  it('a task that just failed, before Swarm replaces it, is starting', () => {
    const failed = task(1, 'failed');
    expect(summary([failed])).toEqual([[1, 'starting', failed.ID, failed.ID]]);
  });

  it.each(['failed', 'rejected', 'complete'])('a slot Swarm gave up restarting (newest task %s) is exited, with that task\'s output', (state) => {
    const history = [task(1, 'failed', undefined, 'shutdown'), task(1, 'failed', undefined, 'shutdown')];
    const last = task(1, state, undefined, 'shutdown');
    expect(summary([last, ...history])).toEqual([[1, 'exited', last.ID, last.ID]]);
  });

  it('a slot whose newest task was shut down after failures is gone', () => {
    expect(summary([task(1, 'failed', undefined, 'shutdown'), task(1, 'shutdown', undefined, 'shutdown')])).toEqual([]);
  });

  it.each([
    ['a live slot keeps the count', 2, 1, [1, 2], 2],
    ['scaling up to a new slot', 1, 2, [1], 2],
    ['a slot removed after Swarm gave up comes back', 1, 1, [2], 2],
    ['a new service', 0, 1, [], 1],
    ['replicas asked for but not yet listed are kept', 3, 2, [1], 3],
  ])('replicas for a slot: %s', (_name, current, slot, live, expected) => {
    expect(replicasForSlot(current, slot, live)).toBe(expected);
  });

  it('Swarm restarts any exit, a few times a second apart within the crash window, then gives up', () => {
    expect(restartPolicy()).toEqual({ Condition: 'any', MaxAttempts: 5, Delay: 1e9, Window: 600e9 });
    expect((serviceSpec(owner, spec, 1) as any).TaskTemplate.RestartPolicy).toEqual(restartPolicy());
  });

  // DEVFLOW_MAX_RESTARTS: Swarm's attempts are the setting, as the docker engine's retries are.
  it.each([[1, 1], [2, 2], [5, 5], [20, 20]])('with DEVFLOW_MAX_RESTARTS=%d Swarm restarts a slot at most %d times', (maxRestarts, expected) => {
    expect(restartPolicy(maxRestarts)).toEqual({ Condition: 'any', MaxAttempts: expected, Delay: 1e9, Window: 600e9 });
    expect((serviceSpec(owner, spec, 1, [], maxRestarts) as any).TaskTemplate.RestartPolicy.MaxAttempts).toBe(expected);
  });

  it('an instance from a task: upstream from the published port on its node; other owners ignored', () => {
    const labels = serviceLabels(owner, identity);
    const host = () => '127.0.0.1';
    const [running] = slotTasks([task(2, 'running', 30002)]);
    expect(instanceFromTask(owner, labels, running!, host)).toEqual({
      id: swarmInstanceId(owner, { ...identity, slot: 2 }), app: 'hello', release: 3, processType: 'web',
      upstream: { host: '127.0.0.1', port: 30002 }, state: 'running',
    });
    expect(instanceFromTask(owner, labels, slotTasks([task(2, 'starting')])[0]!, host)?.upstream).toBeNull();
    const [dead] = slotTasks([task(2, 'failed', 30002, 'shutdown')]);
    expect(instanceFromTask(owner, labels, dead!, host)).toMatchObject({ state: 'exited', upstream: null });
    expect(instanceFromTask('/other', labels, running!, host)).toBeNull();
  });
});

describe('files shipped as configs', () => {
  it('names a config by its content: the same bytes, the same name; other bytes, another', () => {
    const name = shippedFileName(Buffer.from('agent'));
    expect(name).toMatch(/^devflow-file-[0-9a-f]{24}$/);
    expect(shippedFileName(Buffer.from('agent'))).toBe(name);
    expect(shippedFileName(Buffer.from('agent2'))).not.toBe(name);
  });

  it('mounts each config read-only at its path in the container, and only services with files get Configs', () => {
    const files = [{ containerPath: '/opt/devflow/otel/k1/agent.cjs', configName: 'devflow-file-aa' }];
    const refs = configReferences(files, (n) => `id-of-${n}`);
    expect(refs).toEqual([{ ConfigID: 'id-of-devflow-file-aa', ConfigName: 'devflow-file-aa', File: { Name: '/opt/devflow/otel/k1/agent.cjs', UID: '0', GID: '0', Mode: 0o444 } }]);
    expect((serviceSpec('/home', spec, 1, refs).TaskTemplate as { ContainerSpec: { Configs?: unknown } }).ContainerSpec.Configs).toEqual(refs);
    expect((serviceSpec('/home', spec, 1).TaskTemplate as { ContainerSpec: object }).ContainerSpec).not.toHaveProperty('Configs');
  });
});
