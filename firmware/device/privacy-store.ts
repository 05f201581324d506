import { z } from 'zod';
import { SettingsStore } from '../../core/settings-store.js';

/**
 * The mic-off switch position survives restarts, as on an Echo: a device muted before a power cut comes
 * back muted. Kept in its own store so no feature reset can touch it.
 */
const schema = z.object({ microphonesOff: z.boolean() });
export type PrivacyState = z.infer<typeof schema>;

export function openPrivacyStore(dir: string): SettingsStore<PrivacyState> {
  return new SettingsStore(dir, 'privacy', schema, () => ({ microphonesOff: false }));
}
