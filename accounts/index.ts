/**
 * accounts/: people, teams, roles and the audit log (issue 19; README.md beside). The face the
 * API and the composition root use: resolve a credential to an `Access`, decide a request with
 * the one permission table, manage people, sessions, teams and invitations, append to and read
 * the audit log. Depends on core/ only.
 */
export { ROLES, PERMISSIONS, actionsOf, decide, parseRole, roleIn, scopeAllows, type Access, type Action, type Decision, type Role } from './permissions.js';
export { accessFromSecret, instanceMayRead } from './credentials.js';
export { authorize, maySeeApp, visibleTeams, type Target, type Verdict } from './authorize.js';
export { checkPassword, createPerson, findPerson, parseEmail, parsePassword, type Person } from './people.js';
export { ACCESS_TTL_MS, endAllSessions, endSession, refreshSession, startSession, type SessionTokens } from './sessions.js';
export {
  addMember, appTeam, assertMayGrant, createTeam, listMembers, listTeams, moveAppToTeam, parseTeamName, removeMember, teamForNewApp, teamId,
  type Member, type Team,
} from './teams.js';
export { acceptInvitation, createInvitation, invitationMail } from './invitations.js';
export { accountMailer, MAIL_PROJECT, type AccountMailer } from './mail.js';
export { auditChange, type AuditChange } from './audit-entry.js';
export { dropAuditPartitionsBefore, ensureAuditPartitions, listAudit, prepareAuditLog, recordAudit, type AuditRecord, type AuditRow } from './audit.js';
export { gitActor, gitDecision } from './git-access.js';
export { finishPasswordReset, startPasswordReset } from './password-reset.js';
export { recordFailedSignIn, signInBlocked, type SignInLimits } from './sign-in-limits.js';
export { checkSecondFactor, confirmTotp, disableTotp, startTotp, totpEnabled, type TotpEnrolment } from './two-factor.js';
export { AUDIT_PARTITIONS_EVERY_MS, keepAuditPartitions, startAuditPartitionLoop } from './audit-partitions.js';
