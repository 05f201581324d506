import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserModules, PAGE_MODULES } from '../../../tools/web/browser-modules.js';

/** The compiled firmware code the device page imports (tools/web/browser-modules.ts): followed import by import, nothing a browser cannot load. */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-modules-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

test("the page's modules are the ring's scene code and everything it imports, from the build", () => {
  const modules = browserModules(PAGE_MODULES);
  expect([...modules.keys()].sort()).toEqual(
    ['core/errors.js', 'firmware/leds/colors.js', 'firmware/leds/overlays.js', 'firmware/leds/patterns.js', 'firmware/leds/ring-geometry.js', 'firmware/leds/ring-scene.js', 'hal/leds/types.js'].map((m) => `/lib/${m}`),
  );
  expect(String(modules.get('/lib/firmware/leds/ring-scene.js'))).toContain('export function sceneFrame');
  for (const body of modules.values()) expect(String(body)).not.toContain('sourceMappingURL');
});

test('relative imports are followed, once each, however they are written', () => {
  write('a/entry.js', "import { x } from './b.js';\nexport { y } from '../c/c.js';\nimport './b.js';\nexport const z = 1;\n//# sourceMappingURL=entry.js.map\n");
  write('a/b.js', "import {\n  w,\n} from '../c/c.js';\nexport const x = w;\n");
  write('c/c.js', 'export const w = 2, y = 3;\n');
  const modules = browserModules(['a/entry.js'], dir);
  expect([...modules.keys()].sort()).toEqual(['/lib/a/b.js', '/lib/a/entry.js', '/lib/c/c.js']);
  expect(String(modules.get('/lib/a/entry.js'))).not.toContain('sourceMappingURL');
});

test('a module importing a Node API or a package, or outside the build, or not built, is refused at start', () => {
  write('a.js', "import { readFileSync } from 'node:fs';\n");
  write('b.js', "import { z } from 'zod';\n");
  write('c.js', "import '../../etc/passwd.js';\n");
  expect(() => browserModules(['a.js'], dir)).toThrow(expect.objectContaining({ code: 'WEB_PAGE_MODULE_INVALID', message: expect.stringContaining('node:fs') }));
  expect(() => browserModules(['b.js'], dir)).toThrow(expect.objectContaining({ code: 'WEB_PAGE_MODULE_INVALID' }));
  expect(() => browserModules(['c.js'], dir)).toThrow(expect.objectContaining({ code: 'WEB_PAGE_MODULE_INVALID', message: expect.stringContaining('outside') }));
  expect(() => browserModules(['missing.js'], dir)).toThrow(expect.objectContaining({ code: 'WEB_PAGE_MODULE_INVALID', hint: expect.stringContaining('npm run build') }));
});
