/** Deploys from a git host (issue 22): connections, push webhooks, statuses and preview comments. */
export { GitHostService, type GitHostDeps, type GitInfo, type PullRequestPreviews } from './service.js';
export { HostReporter, type ReporterDeps } from './report.js';
