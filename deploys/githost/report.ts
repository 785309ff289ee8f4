/**
 * Back to the host (issue 22): the `devflow/deploy` commit status of a deploy that came from a
 * webhook (pending while it runs, success with the app URL, failure with the log's URL), and the
 * preview comment of a pull request. Reporting never fails a deploy: each failure is written to
 * the deployment's log (after it ended, so its lines stay in order) and to the server log.
 */
import { appUrl, type Config } from '../../core/config.js';
import { errorMessage } from '../../core/errors.js';
import { openSecret, type SecretKey } from '../../core/secrets.js';
import type { AppRecord } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { appendLogLine, findPrComment, savePrComment, type GitConnectionRecord } from '../../core/store/git-connections.js';
import type { Deployment } from '../../core/types.js';
import { assertFetchableHost, parseRepositoryUrl } from '../../receiver/index.js';
import { followDeployment, type EnqueueDeps } from '../../scheduler/index.js';
import { defaultApiUrl, hostApi, PREVIEW_CONTEXT, type HostRepository, type StatusReport } from './host-api.js';

export interface ReporterDeps {
  sql: Sql;
  bus: EnqueueDeps['bus'];
  secretKey: SecretKey;
  config: Pick<Config, 'domain' | 'httpPort'>;
  /** Base URL of DevFlow's dashboard, for the log link. */
  publicUrl: string;
  allowHosts: readonly string[];
  /** Server log, for reports that have no deployment log to go to. */
  log: (line: string) => void;
}

/** The status a deployment's state becomes on the host. */
export function statusFor(deployment: Pick<Deployment, 'state' | 'reason' | 'releaseVersion'>, urls: { app: string; log: string }): StatusReport {
  switch (deployment.state) {
    case 'queued': case 'building': case 'releasing':
      return { state: 'pending', targetUrl: urls.log, description: 'DevFlow is deploying this commit' };
    case 'succeeded':
      return { state: 'success', targetUrl: urls.app, description: `Deployed as v${deployment.releaseVersion}` };
    case 'superseded':
      return { state: 'error', targetUrl: urls.log, description: 'Superseded by a newer push' };
    case 'failed':
      return { state: 'failure', targetUrl: urls.log, description: clip(`Deploy failed: ${deployment.reason ?? 'see the log'}`) };
  }
}

export class HostReporter {
  constructor(private readonly deps: ReporterDeps) {}

  /**
   * Reports pending, follows the deployment to its end, reports the result; resolves with the
   * final deployment. A preview's deployment (`preview`) reports as devflow/preview, its success
   * linking the preview's URL.
   */
  async follow(app: AppRecord, connection: GitConnectionRecord, deployment: Deployment, preview?: { name: string; url: string }): Promise<Deployment> {
    const problems: string[] = [];
    const name = preview?.name ?? app.name;
    const urls = { app: preview?.url ?? appUrl(this.deps.config, app.name), log: `${this.deps.publicUrl}/#/apps/${name}/deployments` };
    const report = (d: Deployment): StatusReport => ({ ...statusFor(d, urls), ...(preview ? { context: PREVIEW_CONTEXT } : {}) });
    await this.status(connection, deployment.sha, report(deployment), problems);
    const final = await followDeployment({ sql: this.deps.sql, bus: this.deps.bus }, deployment.id, { line: () => {} });
    await this.status(connection, deployment.sha, report(final), problems);
    for (const problem of problems) await appendLogLine(this.deps.sql, deployment.id, `-----> ${problem}`);
    return final;
  }

  async fetchFailed(app: AppRecord, connection: GitConnectionRecord, sha: string, reason: string): Promise<void> {
    const problems: string[] = [];
    await this.status(connection, sha, { state: 'error', targetUrl: `${this.deps.publicUrl}/#/apps/${app.name}`, description: clip(reason) }, problems);
    problems.forEach((p) => this.deps.log(`${app.name}: ${p}`));
  }

  /** The pull request's one preview comment: made the first time, edited on each later push. */
  async previewComment(app: AppRecord, connection: GitConnectionRecord, pullRequest: number, sha: string, result: string): Promise<void> {
    const problems: string[] = [];
    const repo = this.repository(connection, problems);
    if (repo && connection.provider) {
      const body = `**DevFlow preview** for ${sha.slice(0, 7)}: ${result.replace(/^deploying \S+ at /, '')}\n\n_Updated on each push to this pull request._`;
      try {
        await this.assertPublicApi(repo);
        const previous = await findPrComment(this.deps.sql, app.id, pullRequest);
        const id = await hostApi(connection.provider).upsertComment(repo, pullRequest, previous, body);
        if (id !== previous) await savePrComment(this.deps.sql, app.id, pullRequest, id);
      } catch (err) {
        problems.push(`the preview comment could not be posted to the host: ${errorMessage(err)}`);
      }
    }
    problems.forEach((p) => this.deps.log(`${app.name}: ${p}`));
  }

  private async status(connection: GitConnectionRecord, sha: string, status: StatusReport, problems: string[]): Promise<void> {
    const repo = this.repository(connection, problems);
    if (!repo || !connection.provider) return;
    try {
      await this.assertPublicApi(repo);
      await hostApi(connection.provider).setStatus(repo, sha, status);
    } catch (err) {
      problems.push(`the ${status.state} status could not be sent to the host: ${errorMessage(err)}`);
    }
  }

  /** The API's host name must still resolve to public addresses when called, as a repository's must when fetched. */
  private assertPublicApi(repo: HostRepository): Promise<void> {
    const host = new URL(repo.apiUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return assertFetchableHost({ url: repo.apiUrl, transport: 'http', host, path: '' }, this.deps.allowHosts);
  }

  /** Where to report, or undefined (with the reason in `problems`, once) when there is no token or host. */
  private repository(connection: GitConnectionRecord, problems: string[]): HostRepository | undefined {
    const say = (p: string) => { if (!problems.includes(p)) problems.push(p); };
    if (!connection.sealedToken) return say('no access token: commit statuses are not sent (git:connect … --token-from-env VAR)'), undefined;
    if (!connection.provider) return say('the host is not known yet: statuses are sent once a webhook names it'), undefined;
    const parsed = parseRepositoryUrl(connection.url, this.deps.allowHosts);
    return {
      apiUrl: connection.apiUrl ?? defaultApiUrl(connection.provider, parsed.host), path: parsed.path,
      token: openSecret(this.deps.secretKey, connection.sealedToken),
    };
  }
}

function clip(text: string): string {
  // GitHub refuses descriptions past 140 characters.
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
