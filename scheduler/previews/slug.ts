/**
 * Preview URLs: `http://<slug>.<app>.<domain>`. A slug is a DNS label (RFC 1123: a-z, 0-9 and
 * inner dashes, at most 63 characters) derived from a branch name. Readable where it can be,
 * and always unique per branch: when the readable part loses information (case, slashes,
 * unicode, length), a short hash of the exact branch name is appended, so two branches whose
 * names differ only in such characters never share a URL.
 */
import { createHash } from 'node:crypto';

const MAX_LABEL = 63;
const HASH_LENGTH = 6;

export function branchSlug(branch: string): string {
  const readable = branch
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const exact = readable === branch && readable.length <= MAX_LABEL && /^[a-z]/.test(readable) && !/^pr-\d+$/.test(readable);
  if (exact) return readable;
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_LABEL - HASH_LENGTH - 1;
  const head = readable.slice(0, room).replace(/-+$/, '');
  // A slug must start with a letter so it never looks like `pr-<n>` or a number.
  const prefix = /^[a-z]/.test(head) ? head : `b-${head}`.slice(0, room).replace(/-+$/, '');
  return `${prefix === 'b-' || prefix === 'b' ? 'b' : prefix}-${hash}`;
}

/** Pull request previews live at `pr-<number>.<app>.<domain>`. */
export function pullRequestSlug(number: number): string {
  return `pr-${number}`;
}
