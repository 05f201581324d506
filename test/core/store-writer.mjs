// Child process for the kill -9 test: saves ever-growing counters as fast as it can until killed.
// Uses the built store (npm test builds dist/ first).
import { z } from 'zod';
import { SettingsStore } from '../../dist/core/settings-store.js';

const schema = z.object({ counter: z.number().int(), blob: z.string() });
const store = new SettingsStore(process.argv[2], 'settings', schema, () => ({ counter: 0, blob: '' }));
let { value } = store.load();
let first = true;
for (;;) {
  const counter = value.counter + 1;
  // Sizes vary so writes take different times and the kill lands at different points.
  value = { counter, blob: 'x'.repeat((counter * 7919) % 40000) };
  await store.save(value);
  if (first) {
    process.stdout.write(`ready ${counter}\n`);
    first = false;
  }
}
