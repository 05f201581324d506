import {
  applyShadowUpdate,
  getShadow,
  shadowDelta,
  type ShadowDocument,
  type ShadowGetAccepted,
  type ShadowRejected,
  type ShadowUpdateOptions,
  type ShadowUpdateResult,
} from './shadow-engine.js';
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
 * whole desired state with shadow/get (the only message with the passwords), applies it, and reports
 * `roomProfile`, the redacted `networkProfile`, `skills`, `profileVersion` and `applied` (or `rejected`).
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

/**
 * shadow/get for the device itself (`forDevice`, the default: with its network passwords) or for
 * anyone else (API, logs: redacted).
 */
export function getDeviceShadow(
  doc: ShadowDocument | undefined,
  options: { now: number; clientToken?: string; forDevice?: boolean },
): { ok: true; accepted: ShadowGetAccepted } | { ok: false; rejected: ShadowRejected } {
  const forDevice = options.forDevice ?? true;
  return getShadow(doc, {
    now: options.now,
    deltaExclude: isNetworkSecretPath,
    ...(options.clientToken === undefined ? {} : { clientToken: options.clientToken }),
    ...(forDevice ? {} : { redact: redactShadowState }),
  });
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
