/**
 * receiver/: the git smart-HTTP endpoint (`/<app>.git`). Accepts pushes, runs the deploy in the
 * pre-receive hook through ReceiverOptions.onPush, and streams its log back as `remote:` lines.
 */
export { GitReceiver } from './receiver.js';
export { ZERO_SHA, isZeroId, DEFAULT_DEPLOY_BRANCHES, DEFAULT_MAX_PUSH_BYTES } from './contract.js';
export type { AppRepositories, PushRequest, PushOutcome, ReceiverOptions } from './contract.js';
export type { GitCredentials, HostFetch, HostRemote, RemoteBranch } from './fetch-branch.js';
export { assertFetchableHost, parseApiUrl, parseRepositoryUrl, type RepositoryUrl } from './remote-url.js';
