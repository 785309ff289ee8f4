/**
 * Which of the app's add-ons a preview gets, and how (issue 21 with issue 6; Heroku review apps
 * provision their own add-ons, Render previews get their own instances). Pure, with table tests
 * beside it. The rule: a preview never reaches production's data unless the user said so for
 * that add-on (`--share-with-previews`):
 * - an add-on DevFlow runs (`own`, redis) is made afresh, empty, for the preview, and the app's
 *   variables for it are replaced by the preview's own;
 * - an add-on on a server the user named (`external`, neo4j, vespa) cannot be copied: its
 *   variables are withheld, and the deploy log says which and how to opt in;
 * - an add-on of the app's database (`database`) stays with the parent's database (the preview
 *   has a copy of it): its variables (the pool's DATABASE_POOL_URL) are withheld, without a note.
 */
import type { PreviewPolicy } from '../provider.js';

export interface ParentAddonFacts {
  name: string;
  kind: string;
  /** The config vars it bound on the app. */
  env: string[];
  policy: PreviewPolicy;
  shareWithPreviews: boolean;
}

export interface WithheldAddon {
  name: string;
  kind: string;
  env: string[];
}

export interface PreviewAddonPlan {
  /** Kinds to provision for the preview now (it has none of that kind yet). */
  provision: string[];
  /** The app's variables the preview does not inherit. */
  withhold: string[];
  /** External add-ons withheld, for the deploy log. */
  withheld: WithheldAddon[];
  /** Add-ons the preview uses as the app does, by the user's choice. */
  shared: string[];
}

export function planPreviewAddons(parent: readonly ParentAddonFacts[], previewKinds: readonly string[]): PreviewAddonPlan {
  const plan: PreviewAddonPlan = { provision: [], withhold: [], withheld: [], shared: [] };
  for (const addon of parent) {
    if (addon.shareWithPreviews) {
      plan.shared.push(addon.name);
      continue;
    }
    plan.withhold.push(...addon.env);
    if (addon.policy === 'own' && !previewKinds.includes(addon.kind)) plan.provision.push(addon.kind);
    if (addon.policy === 'external' && addon.env.length > 0) plan.withheld.push({ name: addon.name, kind: addon.kind, env: addon.env });
  }
  return plan;
}

/**
 * The deploy log's lines about the app's add-ons that the preview does not reach, with the two
 * ways to give it one: share the app's (the preview then writes into it), or set a value for
 * previews only (a staging server).
 */
export function withheldLines(parent: string, withheld: readonly WithheldAddon[]): string[] {
  return withheld.flatMap((addon) => [
    ` !     Not passed to the preview: ${addon.env.join(', ')} of ${addon.name} (${addon.kind}, a server you run), so the preview cannot write to production's data`,
    `       To let previews use it as ${parent} does: devflow addons:share ${parent} ${addon.name}; or give previews their own: devflow previews:config:set ${parent} ${addon.env[0]}=…`,
  ]);
}
