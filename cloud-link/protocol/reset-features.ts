import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';

/**
 * The feature names of Alexa for Business StartDeviceSync, as far as they concern state kept on the
 * device. SKILLS and NETWORK_PROFILE are part of the same API but belong to the cloud link (skill
 * enablement, Wi-Fi credentials): they are accepted and handed back as not applicable.
 */
export const LOCAL_RESET_FEATURES = ['NOTIFICATIONS', 'LISTS', 'BLUETOOTH', 'VOLUME', 'SETTINGS'] as const;
export type LocalResetFeature = (typeof LOCAL_RESET_FEATURES)[number];
export type ResetFeature = LocalResetFeature | 'ALL';

export const CLOUD_SYNC_FEATURES = ['SKILLS', 'NETWORK_PROFILE'] as const;
export type CloudSyncFeature = (typeof CLOUD_SYNC_FEATURES)[number];

/** Every name StartDeviceSync may send. */
export type SyncFeature = ResetFeature | CloudSyncFeature;

export interface ResetReport {
  /** The local features that were reset, in the order they were reset (ALL expanded). */
  cleared: LocalResetFeature[];
  /** Names that were accepted but are not device-local state (the cloud link handles them). */
  notApplicable: CloudSyncFeature[];
}

export interface ResetPlan {
  local: LocalResetFeature[];
  notApplicable: CloudSyncFeature[];
}

const SYNC_FEATURES = [...LOCAL_RESET_FEATURES, 'ALL', ...CLOUD_SYNC_FEATURES] as const;
const RequestSchema = z.array(z.enum(SYNC_FEATURES)).min(1);

function invalid(message: string, details: Record<string, unknown>): EchosimError {
  return new EchosimError('RESET_FEATURE_INVALID', message, {
    hint: `Name one or more of ${SYNC_FEATURES.join(', ')} (upper case, as in StartDeviceSync). Nothing was reset.`,
    details,
  });
}

/**
 * Turns a requested feature list into what to do. The whole request is checked before anything is
 * reset: one unknown name rejects it all. ALL means every local feature, and also SKILLS and
 * NETWORK_PROFILE for the cloud link. Duplicates are harmless; the result is in canonical order.
 */
export function planReset(features: unknown): ResetPlan {
  const parsed = RequestSchema.safeParse(features);
  if (!parsed.success) {
    if (!Array.isArray(features) || features.length === 0) {
      throw invalid('a reset needs a non-empty list of feature names', { features });
    }
    const unknown = features.filter((f) => !(SYNC_FEATURES as readonly unknown[]).includes(f));
    throw invalid(`unknown feature ${unknown.map((f) => JSON.stringify(f)).join(', ')}`, { unknown });
  }
  const names = new Set<SyncFeature>(parsed.data);
  const all = names.has('ALL');
  return {
    local: LOCAL_RESET_FEATURES.filter((f) => all || names.has(f)),
    notApplicable: CLOUD_SYNC_FEATURES.filter((f) => all || names.has(f)),
  };
}
