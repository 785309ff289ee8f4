/**
 * Which change an API request made, as an audit action and target (issue 19): a pure function
 * of the method, the path and the body, so the whole vocabulary is one table with tests. Config
 * changes name their variables and never their values; routes added later are recorded too,
 * under their method and path template.
 */
export interface AuditChange {
  action: string;
  target: string | null;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Body = Record<string, unknown>;
type Rule = (parts: string[], body: Body) => AuditChange | undefined;

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

/** `{A: "x", B: null}` → "set A; unset B": names only. */
export function configNames(body: Body): string {
  const set = Object.keys(body).filter((k) => body[k] !== null).sort();
  const unset = Object.keys(body).filter((k) => body[k] === null).sort();
  return [set.length ? `set ${set.join(', ')}` : '', unset.length ? `unset ${unset.join(', ')}` : ''].filter(Boolean).join('; ');
}

/** Keyed by "METHOD template", the template with {app}, {id}, {team}, … in place of values. */
const RULES: Record<string, Rule> = {
  'POST /apps': (_p, b) => ({ action: 'app.create', target: str(b.name) }),
  'DELETE /apps/{app}': () => ({ action: 'app.destroy', target: null }),
  'POST /apps/{app}/deployments': (_p, b) => ({ action: 'deploy', target: str(b.ref) }),
  'POST /apps/{app}/rollback': (_p, b) => ({ action: 'rollback', target: str(b.version) }),
  'PATCH /apps/{app}/config': (_p, b) => ({ action: 'config.change', target: configNames(b) }),
  'PATCH /apps/{app}/previews/config': (_p, b) => ({ action: 'preview-config.change', target: configNames(b) }),
  'PATCH /apps/{app}/processes/{type}': (p, b) => ({ action: 'scale', target: `${p[3]}=${str(b.replicas) ?? ''}${b.size ? `:${str(b.size)}` : ''}` }),
  'POST /apps/{app}/domains': (_p, b) => ({ action: 'domain.add', target: str(b.name) }),
  'DELETE /apps/{app}/domains/{domain}': (p) => ({ action: 'domain.remove', target: p[3]! }),
  'PUT /apps/{app}/https-redirect': (_p, b) => ({ action: 'https-redirect.set', target: String(b.enabled === true) }),
  'DELETE /apps/{app}/previews/{slug}': (p) => ({ action: 'preview.remove', target: p[3]! }),
  'POST /apps/{app}/previews/webhook': () => ({ action: 'preview-webhook.rotate', target: null }),
  'POST /apps/{app}/backend': () => ({ action: 'backend.enable', target: null }),
  'PATCH /apps/{app}/backend': (_p, b) => ({ action: 'backend.change', target: Object.keys(b).sort().join(', ') }),
  'POST /tokens': (_p, b) => ({ action: 'token.create', target: str(b.name) }),
  'DELETE /tokens/{id}': (p) => ({ action: 'token.revoke', target: p[1]! }),
  'POST /teams': (_p, b) => ({ action: 'team.create', target: str(b.name) }),
  'POST /teams/{team}/invitations': (_p, b) => ({ action: 'member.invite', target: `${str(b.email)} as ${str(b.role) ?? 'developer'}` }),
  'PATCH /teams/{team}/members/{email}': (p, b) => ({ action: 'member.role', target: `${p[3]} as ${str(b.role)}` }),
  'DELETE /teams/{team}/members/{email}': (p) => ({ action: 'member.remove', target: p[3]! }),
  'POST /teams/{team}/apps': (_p, b) => ({ action: 'app.move', target: str(b.app) }),
};

/** Sign-in, refresh and sign-out change no resource; they are not audit rows. */
const NOT_CHANGES = new Set(['auth', 'events']);

export function auditChange(method: string, path: string, body: unknown): AuditChange | undefined {
  const verb = method.toUpperCase();
  if (!MUTATING.has(verb)) return undefined;
  const parts = path.split('?')[0]!.split('/').filter(Boolean).map((s) => safeDecode(s));
  if (parts[0] === 'projects') parts[0] = 'apps';
  if (NOT_CHANGES.has(parts[0] ?? '')) return undefined;
  const template = `${verb} /${templateOf(parts).join('/')}`;
  const rule = RULES[template];
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : {};
  return rule?.(parts, fields) ?? { action: template, target: null };
}

/** Values in a path become placeholders: /apps/shop/domains/x → /apps/{app}/domains/{domain}. */
function templateOf(parts: string[]): string[] {
  const names: Record<string, string> = { apps: 'app', teams: 'team', tokens: 'id', deployments: 'id', domains: 'domain', previews: 'slug', processes: 'type', members: 'email' };
  return parts.map((part, i) => {
    const previous = parts[i - 1];
    if (i % 2 === 1 && previous && names[previous] && !(previous === 'previews' && (part === 'webhook' || part === 'config'))) return `{${names[previous]}}`;
    return part;
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
