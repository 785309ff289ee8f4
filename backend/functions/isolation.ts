/**
 * What a worker is started with to keep it apart from the host (README.md, "Isolation"): under a
 * root DevFlow, its own uid (worker-user.ts) and the firewall for that uid (firewall.ts), made
 * once per set of allowed endpoints; always, the network guard's endpoints (network-policy.ts).
 * When the firewall cannot be set (no iptables, no right to change it), workers still run, with
 * the guard and the uid only, and DevFlow's log says so once.
 */
import { applyFirewall, type Firewall } from './firewall.js';
import type { AllowedEndpoint } from './network-policy.js';
import { stageWorkerFiles, workerUser, type WorkerFiles, type WorkerUser } from './worker-user.js';

export interface PreparedWorker {
  files: WorkerFiles;
  user?: WorkerUser;
}

export class WorkerIsolation {
  private readonly firewalls = new Map<string, Promise<Firewall | undefined>>();
  private warned = false;

  /** `uid`: DEVFLOW_FUNCTIONS_UID, undefined when set to `off`. */
  constructor(private readonly uid: number | undefined, private readonly log: (line: string) => void) {}

  async prepare(files: WorkerFiles, allowed: AllowedEndpoint[]): Promise<PreparedWorker> {
    const user = workerUser(this.uid);
    if (!user) {
      this.warnOnce(this.uid === undefined
        ? 'backend functions: DEVFLOW_FUNCTIONS_UID is off: workers run as DevFlow\'s user, without the firewall; only their network guard keeps them from internal addresses'
        : 'backend functions: DevFlow is not root, so workers run as its user, without the firewall; only their network guard keeps them from internal addresses');
      return { files };
    }
    await this.firewall(user, allowed);
    return { files: await stageWorkerFiles(user, files), user };
  }

  async close(): Promise<void> {
    const all = await Promise.all(this.firewalls.values());
    this.firewalls.clear();
    for (const firewall of all) await firewall?.close();
  }

  private firewall(user: WorkerUser, allowed: AllowedEndpoint[]): Promise<Firewall | undefined> {
    const key = JSON.stringify(allowed);
    let entry = this.firewalls.get(key);
    if (entry === undefined) {
      entry = applyFirewall(user.uid, allowed).catch((err: unknown) => {
        this.warnOnce(`backend functions: the firewall for workers (uid ${user.uid}) could not be set, so only their network guard keeps them from internal addresses: ${String(err).split('\n')[0]}`);
        return undefined;
      });
      this.firewalls.set(key, entry);
    }
    return entry;
  }

  private warnOnce(line: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log(line);
  }
}
