import { z } from 'zod';
import { SECRET_FIELDS } from './network-profile.js';

/**
 * The secret leaves of a desired state (today the network profile's CurrentPassword and
 * NextPassword), taken out of it and put back. Everything that stores or sends a desired state
 * splits it: the cloud's shadow store seals the secrets at rest (cloud-link/cloud/db/shadow-store.ts),
 * shadow/get/accepted seals them to the device (sealed-secrets.ts), and the device merges them back
 * before it validates and applies the whole desired state.
 *
 * The secrets travel as a partial desired state, `{ "networkProfile": { "CurrentPassword": ... } }`,
 * so a new secret field only needs adding to SECRET_FIELDS.
 */

const SecretValueSchema = z.string().max(128);

export const DesiredSecretsSchema = z.strictObject({
  networkProfile: z.strictObject(Object.fromEntries(SECRET_FIELDS.map((f) => [f, SecretValueSchema.optional()])) as Record<(typeof SECRET_FIELDS)[number], z.ZodOptional<typeof SecretValueSchema>>).optional(),
});

export type DesiredSecrets = z.infer<typeof DesiredSecretsSchema>;

type JsonRecord = Record<string, unknown>;

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy of `desired` without its secret fields, and those fields (undefined when it has none).
 * `desired` itself is not modified.
 */
export function splitDesiredSecrets<T>(desired: T): { desired: T; secrets: DesiredSecrets | undefined } {
  if (!isRecord(desired) || !isRecord(desired.networkProfile)) return { desired, secrets: undefined };
  const profile: JsonRecord = { ...desired.networkProfile };
  const taken: JsonRecord = {};
  for (const f of SECRET_FIELDS) {
    if (profile[f] === undefined) continue;
    taken[f] = profile[f];
    delete profile[f];
  }
  if (Object.keys(taken).length === 0) return { desired, secrets: undefined };
  return { desired: { ...desired, networkProfile: profile } as T, secrets: { networkProfile: taken } as DesiredSecrets };
}

/**
 * `desired` with `secrets` put back into it (a copy). Secrets for a section the desired state does
 * not have (no network profile any more) are dropped: they belong to nothing.
 */
export function mergeDesiredSecrets<T>(desired: T, secrets: DesiredSecrets | undefined): T {
  if (!secrets?.networkProfile || !isRecord(desired) || !isRecord(desired.networkProfile)) return desired;
  return { ...desired, networkProfile: { ...desired.networkProfile, ...secrets.networkProfile } } as T;
}
