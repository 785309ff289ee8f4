/**
 * A running web instance of an app on the real process runtime, for tests that must show a
 * failure elsewhere (a backup, a cron job) leaves the app serving: a tiny Node HTTP server in a
 * slug, started as the scheduler starts web instances, asked over HTTP as the router would.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseProcessType, type AppName } from '../../core/names.js';
import { ProcessRuntime } from '../../scheduler/index.js';

export interface ServingInstance {
  id: string;
  /** The instance's HTTP answer to GET / (status and body), waiting for it to listen first. */
  answer(): Promise<{ status: number; body: string }>;
  /** Whether the runtime still lists this very instance as running (not restarted, not stopped). */
  stillRunning(): Promise<boolean>;
  stop(): Promise<void>;
}

const SERVER = `require('node:http').createServer((req, res) => res.end('serving ' + process.env.WHO)).listen(process.env.PORT);\n`;

/** `home` is the process runtime's: give the one the code under test uses, so it sees this instance. */
export async function startServingInstance(home: string, app: AppName, who: string): Promise<ServingInstance> {
  const runtime = new ProcessRuntime({ home });
  const slug = path.join(home, `serving-${app}`);
  await fs.mkdir(slug, { recursive: true });
  await fs.writeFile(path.join(slug, 'server.js'), SERVER);
  const instance = await runtime.start({
    app, release: 1, processType: parseProcessType('web'), slot: 1,
    artifact: { kind: 'slug', dir: slug, processes: { web: `${process.execPath} server.js` }, env: {} },
    env: { WHO: who },
  });
  const url = `http://${instance.upstream!.host}:${instance.upstream!.port}/`;
  return {
    id: instance.id,
    async answer() {
      for (let tries = 0; ; tries += 1) {
        try {
          const res = await fetch(url);
          return { status: res.status, body: await res.text() };
        } catch (err) {
          if (tries >= 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async stillRunning() {
      return (await runtime.list(app)).some((i) => i.id === instance.id && i.state === 'running');
    },
    stop: () => runtime.stop(instance.id, { graceMs: 1000 }),
  };
}
