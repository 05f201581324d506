import { isEchosimError } from '../../core/errors.js';
import {
  applyShadowUpdate,
  getShadow,
  shadowDelta,
  shadowRejection,
  type ShadowDocument,
  type ShadowGetAccepted,
  type ShadowRejected,
  type ShadowUpdateOptions,
  type ShadowUpdateResult,
} from './shadow-engine.js';
import { splitDesiredSecrets } from './desired-secrets.js';
import { sealSecrets, type SealedSecrets } from './sealed-secrets.js';
import { diffPatch, type JsonObject } from './shadow-json.js';
import { isNetworkSecretPath, redactShadowState, ShadowStateSchema, type DesiredState } from './shadow.js';

/**
 * The shadow engine configured for an echosim device: its state schema (room and network profile,
 * reported state without passwords), network secrets excluded from the delta, and observers' copies
 * (accepted, documents) redacted. The cloud should go through these rather than the generic engine,
 * so the secret-handling rules cannot be forgotten at a call site.
 *
 * Convergence: the cloud bumps `desired.profileVersion` with every desired change; a delta (or, at
 * connect, the delta in shadow/get/accepted) tells the device something differs; it then reads the
 * whole desired state with shadow/get (the only message with the passwords, sealed to the device's
 * key), applies it, and reports `roomProfile`, the redacted `networkProfile`, `skills`,
 * `profileVersion` and `applied` (or `rejected`).
 */
export const DEVICE_SHADOW_OPTIONS: Omit<ShadowUpdateOptions, 'now'> = {
  schema: ShadowStateSchema,
  deltaExclude: isNetworkSecretPath,
  redact: redactShadowState,
};

export interface DeviceShadowUpdateOptions {
  now: number;
  maxStateBytes?: number;
}

/** Applies a desired and/or reported update to a device's shadow (see applyShadowUpdate). */
export function updateDeviceShadow(doc: ShadowDocument | undefined, request: unknown, options: DeviceShadowUpdateOptions): ShadowUpdateResult {
  return applyShadowUpdate(doc, request, { ...DEVICE_SHADOW_OPTIONS, ...options });
}

/** shadow/get/accepted as the device receives it: desired without secrets, those sealed to its key. */
export type DeviceShadowGetAccepted = ShadowGetAccepted & { secrets?: SealedSecrets };

/**
 * shadow/get. Without `recipient` (API, logs): the document without any secret. With it (the device
 * itself, answering its own request): the same, plus the desired state's secret fields sealed to the
 * device's public key and bound to this answer (sealed-secrets.ts), so the passwords never cross the
 * broker in the clear. A public key that is not a usable X25519 key is a 400, and nothing is sealed.
 */
export function getDeviceShadow(
  doc: ShadowDocument | undefined,
  options: { now: number; clientToken?: string; recipient?: { deviceId: string; publicKey: string } },
): { ok: true; accepted: DeviceShadowGetAccepted } | { ok: false; rejected: ShadowRejected } {
  const { now, clientToken, recipient } = options;
  const got = getShadow(doc, {
    now,
    deltaExclude: isNetworkSecretPath,
    redact: redactShadowState,
    ...(clientToken === undefined ? {} : { clientToken }),
  });
  if (!got.ok || !recipient || !doc) return got;
  const { secrets } = splitDesiredSecrets(doc.state.desired);
  if (!secrets) return got;
  try {
    const sealed = sealSecrets(secrets, recipient.publicKey, { deviceId: recipient.deviceId, clientToken, version: doc.version });
    return { ok: true, accepted: { ...got.accepted, secrets: sealed } };
  } catch (err) {
    if (!isEchosimError(err, 'DEVICE_KEY_INVALID')) throw err;
    return { ok: false, rejected: shadowRejection(400, `publicKey: ${err.message}`, now, clientToken) };
  }
}

/** The device's current delta without secrets; undefined when it runs what the cloud wants. */
export function deviceShadowDelta(doc: ShadowDocument): JsonObject | undefined {
  return shadowDelta(doc, isNetworkSecretPath);
}

/**
 * The update request that makes the desired state exactly `desired` (keys it lacks are deleted, not
 * left over from the previous profile), guarded by the document's version so a concurrent change is a
 * 409 instead of a lost update. Undefined when desired already is `desired`.
 */
export function replaceDesiredRequest(
  doc: ShadowDocument | undefined,
  desired: DesiredState,
  clientToken?: string,
): { state: { desired: JsonObject }; version: number; clientToken?: string } | undefined {
  const patch = diffPatch(doc?.state.desired, desired as JsonObject);
  if (Object.keys(patch).length === 0) return undefined;
  return { state: { desired: patch }, version: doc?.version ?? 0, ...(clientToken === undefined ? {} : { clientToken }) };
}
