import type { z } from 'zod';
import { validate } from './parse.js';
import { ShadowUpdateRequestSchema, type ShadowErrorCode } from './shadow.js';
import {
  checkJson,
  computeDelta,
  isPlainObject,
  jsonByteLength,
  mergePatch,
  patchMetadata,
  pickMetadata,
  updateMetadata,
  type JsonObject,
  type MetadataObject,
} from './shadow-json.js';

/**
 * The device shadow service's core (AWS IoT Device Shadow semantics, docs/device-shadow.md#the-shadow-document), pure: a stored
 * document and a request in, the new document and the messages to publish out. No I/O, no clock
 * (the caller passes `now`), so the cloud can run it inside a database transaction and tests can
 * replay AWS's documented examples exactly.
 *
 * - A request with `version` is applied only if it equals the stored version (else 409 "Version
 *   conflict"); a shadow that does not exist yet has version 0.
 * - State merges deeply; `null` deletes a key (`desired: null` deletes the section); objects left
 *   empty disappear. Every accepted update increments the version, even one that changes nothing.
 * - Each leaf carries `{ timestamp }` metadata (epoch seconds) of the update that last wrote it.
 * - The delta is published after an update that touched `desired`, when some desired leaf differs
 *   from reported. Not after a reported-only update: a device that reports something else (it refused
 *   the profile) would otherwise be sent the same delta again in a loop. Its full delta is always in
 *   shadow/get.
 * - Limits: the request's state and the resulting state must each fit in `maxStateBytes` (8 KB)
 *   of JSON (413); JSON may nest at most `maxDepth` levels below a section (400).
 */

export interface ShadowSections<T> {
  desired?: T;
  reported?: T;
}

export interface ShadowDocument {
  state: ShadowSections<JsonObject>;
  metadata: ShadowSections<MetadataObject>;
  version: number;
  /** When the last accepted update was applied, epoch seconds. */
  timestamp: number;
}

export interface ShadowRejected {
  code: ShadowErrorCode;
  message: string;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowUpdateAccepted {
  state: ShadowSections<JsonObject | null>;
  metadata: ShadowSections<MetadataObject>;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowDelta {
  state: JsonObject;
  metadata: MetadataObject;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowSnapshot {
  state: ShadowSections<JsonObject>;
  metadata: ShadowSections<MetadataObject>;
  version: number;
}

export interface ShadowDocuments {
  previous: ShadowSnapshot | null;
  current: ShadowSnapshot;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowGetAccepted {
  state: ShadowSections<JsonObject> & { delta?: JsonObject };
  metadata: ShadowSections<MetadataObject>;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface ShadowUpdateOptions {
  /** Wall-clock time, ms since the Unix epoch (Clock.wallNow()). */
  now: number;
  /** Largest state, in bytes of JSON (AWS: 8 KB). */
  maxStateBytes?: number;
  /** Deepest nesting below `desired` / `reported`. */
  maxDepth?: number;
  /** Validates the whole state `{ desired?, reported? }` after the merge (400 with field paths). */
  schema?: z.ZodType;
  /** Desired paths that are never compared or put in a delta (secrets the reported side cannot mirror). */
  deltaExclude?: (path: readonly string[]) => boolean;
  /** Applied to the state in `accepted` and `documents` (observers' copies); identity by default. */
  redact?: <T>(state: ShadowSections<T>) => ShadowSections<T>;
}

export type ShadowUpdateResult =
  | { ok: true; doc: ShadowDocument; accepted: ShadowUpdateAccepted; delta?: ShadowDelta; documents: ShadowDocuments }
  | { ok: false; rejected: ShadowRejected };

export const DEFAULT_MAX_STATE_BYTES = 8192;
export const DEFAULT_MAX_DEPTH = 8;

export const toShadowTimestamp = (nowMs: number): number => Math.floor(nowMs / 1000);

/** A rejection message; `clientToken` is echoed when the request carried a usable one. */
export function shadowRejection(code: ShadowErrorCode, message: string, now: number, clientToken?: string): ShadowRejected {
  return { code, message, timestamp: toShadowTimestamp(now), ...(clientToken === undefined ? {} : { clientToken }) };
}

/** The request's clientToken if it is a valid one, so even a rejected request can be matched. */
function salvageClientToken(request: unknown): string | undefined {
  if (!isPlainObject(request)) return undefined;
  const t = request.clientToken;
  return typeof t === 'string' && t.length > 0 && t.length <= 64 ? t : undefined;
}

function sections<T>(desired: T | undefined, reported: T | undefined): ShadowSections<T> {
  return { ...(desired === undefined ? {} : { desired }), ...(reported === undefined ? {} : { reported }) };
}

export function applyShadowUpdate(doc: ShadowDocument | undefined, request: unknown, options: ShadowUpdateOptions): ShadowUpdateResult {
  const { now } = options;
  const maxStateBytes = options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const redact = options.redact ?? (<T>(s: ShadowSections<T>) => s);
  const token = salvageClientToken(request);
  const reject = (code: ShadowErrorCode, message: string): ShadowUpdateResult => ({ ok: false, rejected: shadowRejection(code, message, now, token) });

  // The request is JSON from the network: shape first, then size, version, and the merged state.
  const problem = checkJson(request, maxDepth + 2);
  if (problem?.kind === 'forbidden-key') return reject(400, `${problem.path}: this key is not allowed`);
  if (problem?.kind === 'not-json') return reject(400, `${problem.path || 'request'}: not a JSON value`);
  if (problem?.kind === 'too-deep') return reject(400, `JSON contains too many levels of nesting; maximum is ${maxDepth}`);
  const envelope = validate(ShadowUpdateRequestSchema, request);
  if (!envelope.ok) return reject(400, envelope.message);
  const req = request as { state: ShadowSections<JsonObject | null>; version?: number };

  if (jsonByteLength(req.state) > maxStateBytes) {
    return reject(413, `The payload exceeds the maximum size allowed (state over ${maxStateBytes} bytes)`);
  }
  const currentVersion = doc?.version ?? 0;
  if (req.version !== undefined && req.version !== currentVersion) return reject(409, 'Version conflict');

  const prev = doc?.state ?? {};
  const merge = (section: 'desired' | 'reported'): JsonObject | undefined => {
    const patch = req.state[section];
    if (patch === undefined) return prev[section];
    return patch === null ? undefined : mergePatch(prev[section], patch);
  };
  const state = sections(merge('desired'), merge('reported'));
  if (jsonByteLength(state) > maxStateBytes) {
    return reject(413, `The shadow state would exceed the maximum size of ${maxStateBytes} bytes`);
  }
  if (options.schema) {
    const checked = validate(options.schema, state, 'state');
    if (!checked.ok) return reject(400, checked.message);
  }

  const timestamp = toShadowTimestamp(now);
  const version = currentVersion + 1;
  const meta = (section: 'desired' | 'reported'): MetadataObject | undefined => {
    const next = state[section];
    if (next === undefined) return undefined;
    const patch = req.state[section];
    return updateMetadata(next, prev[section], doc?.metadata[section], patch ?? undefined, timestamp);
  };
  const next: ShadowDocument = { state, metadata: sections(meta('desired'), meta('reported')), version, timestamp };
  const clientToken = token === undefined ? {} : { clientToken: token };

  const acceptedMeta = (section: 'desired' | 'reported'): MetadataObject | undefined => {
    const patch = req.state[section];
    if (patch === undefined) return undefined;
    return patch === null ? {} : patchMetadata(patch, timestamp);
  };
  const accepted: ShadowUpdateAccepted = {
    state: redact(sections(req.state.desired, req.state.reported)),
    metadata: sections(acceptedMeta('desired'), acceptedMeta('reported')),
    version,
    timestamp,
    ...clientToken,
  };

  let delta: ShadowDelta | undefined;
  if (req.state.desired !== undefined) {
    const d = computeDelta(state.desired, state.reported, options.deltaExclude);
    if (Object.keys(d).length > 0) {
      delta = { state: d, metadata: pickMetadata(next.metadata.desired, d), version, timestamp, ...clientToken };
    }
  }

  const snapshot = (x: ShadowDocument): ShadowSnapshot => ({ state: redact(x.state), metadata: x.metadata, version: x.version });
  const documents: ShadowDocuments = { previous: doc ? snapshot(doc) : null, current: snapshot(next), timestamp, ...clientToken };
  // One clone at the end: nothing returned shares structure with the caller's document or request.
  return structuredClone({ ok: true as const, doc: next, accepted, ...(delta ? { delta } : {}), documents });
}

/** The current delta of a document (undefined when in sync). */
export function shadowDelta(doc: ShadowDocument, deltaExclude?: (path: readonly string[]) => boolean): JsonObject | undefined {
  const d = computeDelta(doc.state.desired, doc.state.reported, deltaExclude);
  return Object.keys(d).length > 0 ? d : undefined;
}

export interface ShadowGetOptions {
  now: number;
  clientToken?: string;
  deltaExclude?: (path: readonly string[]) => boolean;
  /** For copies that do not go to the device itself (API responses). */
  redact?: <T>(state: ShadowSections<T>) => ShadowSections<T>;
}

/** shadow/get: the whole document with its delta, or 404 when the device has no shadow yet. */
export function getShadow(
  doc: ShadowDocument | undefined,
  options: ShadowGetOptions,
): { ok: true; accepted: ShadowGetAccepted } | { ok: false; rejected: ShadowRejected } {
  if (!doc) return { ok: false, rejected: shadowRejection(404, 'No shadow exists for this device', options.now, options.clientToken) };
  const delta = shadowDelta(doc, options.deltaExclude);
  const state = options.redact ? options.redact(doc.state) : doc.state;
  return {
    ok: true,
    accepted: {
      state: { ...structuredClone(state), ...(delta ? { delta } : {}) },
      metadata: structuredClone(doc.metadata),
      version: doc.version,
      timestamp: toShadowTimestamp(options.now),
      ...(options.clientToken === undefined ? {} : { clientToken: options.clientToken }),
    },
  };
}
