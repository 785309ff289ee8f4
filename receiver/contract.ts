/**
 * The receiver's contract with the rest of DevFlow: what it asks of the server (auth, app
 * lookup, the deploy itself) and what it hands over for each pushed ref.
 */
import type { AppName } from '../core/names.js';
import type { LogSink } from '../core/types.js';
import type { HostFetch, HostRemote, RemoteBranch } from './fetch-branch.js';
import type { ExportOptions } from './trees.js';

/** The object id git gives the missing side of a ref update (created or deleted ref). */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** True for git's all-zeros id, in any hash length (SHA-1, SHA-256). */
export function isZeroId(sha: string): boolean {
  return /^0+$/.test(sha);
}

export interface PushRequest {
  app: AppName;
  /** Full ref name, e.g. `refs/heads/main`, `refs/tags/v1`. */
  ref: string;
  /** ZERO_SHA when the ref is created by this push. */
  oldSha: string;
  /** ZERO_SHA when the ref is deleted by this push (then there is no tree to export). */
  newSha: string;
  /**
   * Writes the tree at newSha as a tar (`git archive` format) to `dest`, straight from the push
   * (its objects are in git's quarantine until the push is accepted): call it before onPush resolves.
   */
  exportTree(dest: string): Promise<void>;
  /** True when ref is `refs/heads/<b>` for one of deployBranches(app): the one place that rule is applied. */
  deploy: boolean;
  /** Who pushed: the name authenticate() gave for the pusher's token. */
  actor: string;
  /** When the push's upload reached DevFlow (git's receive-pack request arrived): the `receive` phase starts here. */
  receivedAt?: Date;
}

/** Where a git request came from: the client's address, and the request id echoed in `X-Request-Id`. */
export interface GitRequestOrigin {
  sourceIp: string | null;
  requestId: string;
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
   * Whether these credentials may fetch from or push to this app (issue 19: another team's app
   * is refused as if it did not exist). Absent: every authenticated caller may. `request` says
   * where the request came from, for the audit row of a push.
   */
  authorize?(
    password: string, app: AppName, service: 'upload-pack' | 'receive-pack', rpc: boolean, request: GitRequestOrigin,
  ): Promise<'allowed' | 'not_found' | 'forbidden'>;
  /**
   * Called once per ref update during pre-receive, in push order; the first failure rejects the
   * whole push (git applies all refs or none). Lines written to log reach the client as
   * `remote:` lines live. signal aborts when the pusher disconnects.
   */
  onPush(push: PushRequest, log: LogSink, signal: AbortSignal): Promise<PushOutcome>;
  /**
   * The branches whose pushes deploy, per app (the app's deploy branch; DEFAULT_DEPLOY_BRANCHES
   * when not given). Other refs are accepted and reach onPush too (deploy: false).
   */
  deployBranches?: (app: AppName) => string[] | Promise<string[]>;
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

/**
 * What the rest of DevFlow may do with an app's repository, besides pushing to it: the receiver
 * owns the repositories, so nobody else builds their paths or runs git on them.
 */
export interface AppRepositories {
  /** Writes the tree at a commit of the app's repository as a tar to `dest`. */
  exportTree(app: AppName, sha: string, dest: string, options?: Pick<ExportOptions, 'exclude' | 'root'>): Promise<void>;
  /** A branch, tag or commit of the app's repository → its commit and full ref name. */
  resolveRef(app: AppName, ref: string): Promise<{ sha: string; ref: string }>;
  hasFile(app: AppName, sha: string, file: string): Promise<boolean>;
  /** Fetches another repository's branch head (over http(s) only) into the app's repository. */
  fetchBranch(app: AppName, remote: RemoteBranch): Promise<void>;
  /** Fetches the connected repository's branch or tag (http(s) or ssh, with credentials; issue 22). */
  fetchFromHost(app: AppName, remote: HostRemote): Promise<HostFetch>;
}
