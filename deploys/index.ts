/**
 * deploys/: what a push, an API deploy, a pull-request webhook and an app's creation or removal
 * mean across the roles. Each is a named function or service here that calls the roles' faces
 * (receiver, scheduler); the API and the receiver's onPush reach them through this module.
 */
export { deployBranchesOf, handlePush, type PushDeps } from './push.js';
export { deployRef, BUILDER_CHOICES, type BuilderChoice, type DeployRefDeps, type DeployRequest } from './deploy-ref.js';
export { PreviewService, type PreviewStarted, type PreviewView } from './previews.js';
export { AppService } from './apps.js';
export { GitHostService, HostReporter } from './githost/index.js';
