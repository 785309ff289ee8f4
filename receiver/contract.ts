/**
 * The receiver's contract with the rest of DevFlow: what it asks of the server (auth, app
 * lookup, the deploy itself) and what it hands over for each pushed ref.
 */
import type { AppName } from '../core/names.js';
import type { LogSink } from '../core/types.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface PushRequest {
  app: AppName;
  /** Full ref name, e.g. `refs/heads/main`, `refs/tags/v1`. */
  ref: string;
  /** ZERO_SHA when the ref is created by this push. */
  oldSha: string;
  /** ZERO_SHA when the ref is deleted by this push (then sourceTar is ''). */
  newSha: string;
  /**
   * Path to a tar of the tree at newSha (`git archive` format). It lives in a per-push temp
   * folder that is deleted when the push ends: copy or extract it before onPush resolves.
   */
  sourceTar: string;
  /** True when ref is `refs/heads/<b>` for one of deployBranches(app). */
  deploy: boolean;
  /** Who pushed: the name authenticate() gave for the pusher's token. */
  actor: string;
}

export interface PushOutcome {
  ok: boolean;
  /** Last line shown to the pusher; on failure the reason. */
  message: string;
}

export interface ReceiverOptions {
  /** Bare repos live at <reposDir>/<app>.git. */
  reposDir: string;
  /**
   * Token check; the username is free (e.g. 'devflow'). Returns the name the push is recorded
   * under (the token's), or undefined to refuse.
   */
  authenticate(username: string, password: string): Promise<string | undefined>;
  appExists(app: AppName): Promise<boolean>;
  /**
   * Called once per ref update during pre-receive, in push order; the first failure rejects the
   * whole push (git applies all refs or none). Lines written to log reach the client as
   * `remote:` lines live. signal aborts when the pusher disconnects.
   */
  onPush(push: PushRequest, log: LogSink, signal: AbortSignal): Promise<PushOutcome>;
  /** Default ['main', 'master']. Other refs are accepted and reach onPush too (deploy: false). */
  deployBranches?: (app: AppName) => string[];
  /** Path to the plain-JS hook program; default receiver/hook.mjs. */
  hookProgram?: string;
  /** Node binary that runs the hook; default process.execPath. */
  nodeBinary?: string;
  /** Largest pack a push may send, in bytes; default 1 GiB. */
  maxPushBytes?: number;
}

export const DEFAULT_DEPLOY_BRANCHES = ['main', 'master'];
export const DEFAULT_MAX_PUSH_BYTES = 1024 * 1024 * 1024;

export function isDeployRef(ref: string, branches: readonly string[]): boolean {
  return ref.startsWith('refs/heads/') && branches.includes(ref.slice('refs/heads/'.length));
}
