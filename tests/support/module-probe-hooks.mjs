// Module customization hooks (Node.js "Customization Hooks"): runs on the loader's thread and
// records each module URL as it loads. A package imported from ES modules shows up with its
// entry file, CommonJS or not, which is what a test of "was X loaded" needs.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
