/**
 * DevFlow's git smart-HTTP endpoint (gitprotocol-http(5)), on Heroku's model: git's own
 * receive-pack accepts the push, and the deploy runs inside the pre-receive hook, so a failed
 * deploy rejects the push natively (`! [remote rejected] main -> main (pre-receive hook
 * declined)`) and no ref moves. The hook's output reaches the pusher as `remote:` lines.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { DevflowError, errorMessage } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import {
  DEFAULT_DEPLOY_BRANCHES,
  DEFAULT_MAX_PUSH_BYTES,
  isDeployRef,
  isZeroId,
  type AppRepositories,
  type GitRequestOrigin,
  type PushOutcome,
  type ReceiverOptions,
} from './contract.js';
import { fetchBranch, fetchFromHost, type HostFetch, type HostRemote, type RemoteBranch } from './fetch-branch.js';
import { advertiseRefs, byteLimit, decodeBody, gitEnv, runRpc } from './git-service.js';
import { HookChannel, type Pusher, type RefUpdate } from './hook-channel.js';
import { BareRepos, bashHookBeside, defaultHookProgram, renderPreReceiveHook } from './repos.js';
import { parseBasicAuth, parseGitProtocol, parseGitRoute, type GitRoute, type GitService } from './routes.js';
import { exportTree, hasFile, resolveRef, type ExportOptions } from './trees.js';
import type { LogSink } from '../core/types.js';

/** Room for the ref-update commands that precede the pack in a receive-pack body. */
const COMMAND_ALLOWANCE = 16 * 1024 * 1024;

export class GitReceiver implements AppRepositories {
  private readonly repos: BareRepos;
  private readonly channel: HookChannel;
  private readonly maxPushBytes: number;
  /** The git requests being served, so a stopping DevFlow can let them finish (settled()). */
  private readonly serving = new Set<Promise<void>>();

  constructor(private readonly options: ReceiverOptions) {
    const hookProgram = options.hookProgram ?? defaultHookProgram();
    this.repos = new BareRepos(options.reposDir, renderPreReceiveHook(options.nodeBinary ?? process.execPath, hookProgram, bashHookBeside(hookProgram)));
    this.channel = new HookChannel((pusher, update, log, signal) => this.runPush(pusher, update, log, signal));
    this.maxPushBytes = options.maxPushBytes ?? DEFAULT_MAX_PUSH_BYTES;
  }

  /** Serves a git URL and returns true; returns false for any other URL. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const route = parseGitRoute(req.method, req.url);
    if (!route) return false;
    const served = this.serve(req, res, route).catch((err: unknown) => {
      if (!res.headersSent) plain(res, 500, `internal error: ${errorMessage(err)}`);
      else res.destroy();
    }).finally(() => this.serving.delete(served));
    this.serving.add(served);
    return true;
  }

  /**
   * Waits until the git requests being served have ended, for at most `ms`: when DevFlow stops,
   * a push whose deployment has just ended still gets its `remote:` lines and its verdict
   * before the API's connections are closed.
   */
  async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...this.serving]), waited]);
    clearTimeout(timer);
  }

  async ensureRepo(app: AppName): Promise<void> {
    await this.repos.ensure(app);
  }

  async removeRepo(app: AppName): Promise<void> {
    await this.repos.remove(app);
  }

  exportTree(app: AppName, sha: string, dest: string, options: Pick<ExportOptions, 'exclude' | 'root'> = {}): Promise<void> {
    return exportTree(this.repos.path(app), sha, dest, options);
  }

  resolveRef(app: AppName, ref: string): Promise<{ sha: string; ref: string }> {
    return resolveRef(this.repos.path(app), ref);
  }

  hasFile(app: AppName, sha: string, file: string): Promise<boolean> {
    return hasFile(this.repos.path(app), sha, file);
  }

  fetchBranch(app: AppName, remote: RemoteBranch): Promise<void> {
    return fetchBranch(this.repos.path(app), remote);
  }

  async fetchFromHost(app: AppName, remote: HostRemote): Promise<HostFetch> {
    return fetchFromHost(await this.repos.ensure(app), remote);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, route: GitRoute): Promise<void> {
    if (route.kind === 'invalid') return plain(res, route.status, route.message);
    const receivedAt = new Date();
    const credentials = parseBasicAuth(req.headers.authorization);
    const actor = credentials ? await this.options.authenticate(credentials.username, credentials.password) : undefined;
    if (actor === undefined) {
      res.setHeader('WWW-Authenticate', 'Basic realm="DevFlow"');
      return plain(res, 401, 'authentication required: use your DevFlow token as the password');
    }
    const origin = requestOrigin(req);
    res.setHeader('X-Request-Id', origin.requestId);
    const verdict = (await this.options.appExists(route.app))
      ? (await this.options.authorize?.(credentials!.password, route.app, route.service, route.kind === 'rpc', origin)) ?? 'allowed'
      : 'not_found';
    if (verdict === 'not_found') {
      return plain(res, 404, `app '${route.app}' does not exist: create it with devflow apps:create ${route.app}`);
    }
    if (verdict === 'forbidden') return plain(res, 403, `your role in the team of '${route.app}' may not ${route.service === 'receive-pack' ? 'push to' : 'fetch from'} it`);
    // Lazily, so apps created before the receiver existed (or whose repo was lost) still work.
    const dir = await this.repos.ensure(route.app);
    const protocol = parseGitProtocol(req.headers['git-protocol']);
    const protocolEnv: Record<string, string> = protocol ? { GIT_PROTOCOL: protocol } : {};
    if (route.kind === 'advertise') return advertiseRefs(res, route.service, dir, gitEnv(protocolEnv));
    if (route.service === 'upload-pack') return this.serveRpc(req, res, route.service, dir, protocolEnv);
    return this.serveReceivePack(req, res, route.app, actor, dir, protocolEnv, receivedAt);
  }

  private async serveReceivePack(
    req: http.IncomingMessage, res: http.ServerResponse, app: AppName, actor: string, dir: string, env: Record<string, string>, receivedAt: Date,
  ): Promise<void> {
    const session = await this.channel.open(app, actor, receivedAt);
    try {
      await this.serveRpc(req, res, 'receive-pack', dir, { ...env, ...session.env }, () => session.abort('the pusher disconnected'));
    } finally {
      await session.dispose();
    }
  }

  private async serveRpc(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    service: GitService,
    dir: string,
    env: Record<string, string>,
    onDisconnect: () => void = () => undefined,
  ): Promise<void> {
    const expected = `application/x-git-${service}-request`;
    if (req.headers['content-type'] !== expected) return plain(res, 415, `expected Content-Type ${expected}`);
    const decoded = decodeBody(req);
    if (!decoded) return plain(res, 415, `unsupported Content-Encoding ${req.headers['content-encoding']}`);
    const limit = this.maxPushBytes + COMMAND_ALLOWANCE;
    const tooLarge = `push too large: more than ${this.maxPushBytes} bytes (the receiver's maxPushBytes)`;
    const body = decoded.pipe(byteLimit(limit, tooLarge));
    decoded.on('error', (err) => body.destroy(err));
    // receive.maxInputSize makes git itself refuse an oversized pack, with a message the pusher sees.
    const config = service === 'receive-pack' ? [`receive.maxInputSize=${this.maxPushBytes}`] : [];
    await runRpc(res, { service, dir, env: gitEnv(env), body, config, onDisconnect });
  }

  private async runPush({ app, actor, receivedAt }: Pusher, update: RefUpdate, log: LogSink, signal: AbortSignal): Promise<PushOutcome> {
    const branches = (await this.options.deployBranches?.(app)) ?? DEFAULT_DEPLOY_BRANCHES;
    const { ref, oldSha, newSha, quarantine } = update;
    const gitDir = this.repos.path(app);
    const exportPushedTree = async (dest: string) => {
      if (isZeroId(newSha)) throw new DevflowError('internal', `${ref} was deleted: there is no tree to export`);
      await exportTree(gitDir, newSha, dest, { quarantine });
    };
    const push = { app, ref, oldSha, newSha, actor, deploy: isDeployRef(ref, branches), exportTree: exportPushedTree, receivedAt };
    return this.options.onPush(push, log, signal);
  }
}

/** A plain-text answer; git prints text/plain bodies of failed requests as `remote:` lines. */
function plain(res: http.ServerResponse, status: number, message: string): void {
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' };
  // An unread request body (a refused push) is not worth draining: close the connection instead.
  if (status >= 400) headers.Connection = 'close';
  res.writeHead(status, headers).end(`${message}\n`);
}

/** The client's address and a request id: the one the client sent (as the API accepts it) or a new one. */
function requestOrigin(req: http.IncomingMessage): GitRequestOrigin {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
  return { sourceIp: req.socket.remoteAddress ?? null, requestId };
}
