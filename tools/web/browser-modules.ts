import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';

/** Where the pages import echosim's own compiled modules from: `/lib/firmware/leds/ring-scene.js` is dist/firmware/leds/ring-scene.js. */
export const MODULES_URL = '/lib/';

/** The compiled firmware code the device page runs itself: the ring's frames from its scene (firmware/leds/ring-scene.ts). */
export const PAGE_MODULES: readonly string[] = ['firmware/leds/ring-scene.js', 'hal/leds/types.js'];

/** `import ... from './x.js'`, `export ... from '../y.js'` and `import './z.js'` in tsc's output. */
const IMPORT = /(?:^|[;\n])\s*(?:import|export)\s+(?:[^'";]*?\s*from\s*)?['"]([^'"]+)['"]/g;

export const compiledRoot = (): string => path.join(packageRoot(), 'dist');

/**
 * The modules `entries` name (paths under dist/) and every module they import, read once at start,
 * as URL path -> source: the page runs the firmware's own code as tsc compiled it, so the ring it
 * draws is the one the device computes, with no second renderer to keep in step. Only relative imports
 * are followed; a module that imports anything else (a Node API, a package) cannot run in a browser
 * and is refused here, at start, rather than failing in the page.
 */
export function browserModules(entries: readonly string[], root: string = compiledRoot()): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const todo = [...entries];
  for (let rel = todo.pop(); rel !== undefined; rel = todo.pop()) {
    const url = `${MODULES_URL}${rel}`;
    if (out.has(url)) continue;
    const file = path.join(root, rel);
    if (!existsSync(file)) {
      throw new EchosimError('WEB_PAGE_MODULE_INVALID', `the page's module ${rel} is not built (${file})`, { hint: 'run `npm run build` first' });
    }
    const source = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
    for (const [, spec = ''] of source.matchAll(IMPORT)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) {
        throw new EchosimError('WEB_PAGE_MODULE_INVALID', `${rel} imports ${spec}, which a browser cannot load`, {
          hint: 'the code the page runs may import only other echosim modules that use no Node API',
        });
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
      if (target.startsWith('../')) throw new EchosimError('WEB_PAGE_MODULE_INVALID', `${rel} imports ${spec}, outside the compiled code`);
      todo.push(target);
    }
    out.set(url, Buffer.from(source));
  }
  return out;
}
