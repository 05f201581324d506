import { z } from 'zod';
import {
  applyShadowUpdate,
  getShadow,
  shadowDelta,
  type ShadowDocument,
  type ShadowUpdateOptions,
  type ShadowUpdateResult,
} from '../../../cloud-link/protocol/shadow-engine.js';

/** 2024-05-01T12:00:00.250Z; shadow timestamps are whole epoch seconds. */
const NOW = 1_714_564_800_250;
const T = 1_714_564_800;

function accept(doc: ShadowDocument | undefined, request: unknown, options: Partial<ShadowUpdateOptions> = {}) {
  const r = applyShadowUpdate(doc, request, { now: NOW, ...options });
  if (!r.ok) throw new Error(`expected accepted, got ${r.rejected.code} ${r.rejected.message}`);
  return r;
}

function rejected(r: ShadowUpdateResult) {
  if (r.ok) throw new Error('expected a rejection');
  return r.rejected;
}

describe('AWS IoT shadow semantics', () => {
  test('first update creates version 1; accepted echoes the state with per-leaf metadata and the clientToken', () => {
    const r = accept(undefined, { state: { desired: { color: 'RED', state: 'STOP' } }, clientToken: 'tok-1' });
    expect(r.doc).toEqual({
      state: { desired: { color: 'RED', state: 'STOP' } },
      metadata: { desired: { color: { timestamp: T }, state: { timestamp: T } } },
      version: 1,
      timestamp: T,
    });
    expect(r.accepted).toEqual({
      state: { desired: { color: 'RED', state: 'STOP' } },
      metadata: { desired: { color: { timestamp: T }, state: { timestamp: T } } },
      version: 1,
      timestamp: T,
      clientToken: 'tok-1',
    });
    expect(r.documents.previous).toBeNull();
    expect(r.documents.current).toEqual({ state: r.doc.state, metadata: r.doc.metadata, version: 1 });
    expect(r.documents.clientToken).toBe('tok-1');
  });

  test("the documented delta example: desired color/state vs reported color/engine", () => {
    const v1 = accept(undefined, { state: { reported: { color: 'GREEN', engine: 'ON' } } }).doc;
    const r = accept(v1, { state: { desired: { color: 'RED', state: 'STOP' } } }, { now: NOW + 5000 });
    // Only desired attributes that differ from reported; `engine` (reported only) is not in it.
    expect(r.delta).toEqual({
      state: { color: 'RED', state: 'STOP' },
      metadata: { color: { timestamp: T + 5 }, state: { timestamp: T + 5 } },
      version: 2,
      timestamp: T + 5,
    });
    expect(r.doc.version).toBe(2);
    expect(r.doc.metadata.reported).toEqual({ color: { timestamp: T }, engine: { timestamp: T } });
  });

  test('nested objects are compared leaf by leaf (the documented lights example)', () => {
    const v1 = accept(undefined, { state: { reported: { lights: { color: { r: 255, g: 0, b: 255 } } } } }).doc;
    const r = accept(v1, { state: { desired: { lights: { color: { r: 255, g: 255, b: 255 } } } } });
    expect(r.delta?.state).toEqual({ lights: { color: { g: 255 } } });
    expect(r.delta?.metadata).toEqual({ lights: { color: { g: { timestamp: T } } } });
  });

  test('arrays are values: replaced whole, compared whole, one timestamp each', () => {
    const v1 = accept(undefined, { state: { desired: { colors: ['RED', 'GREEN'] }, reported: { colors: ['RED'] } } }).doc;
    expect(shadowDelta(v1)).toEqual({ colors: ['RED', 'GREEN'] });
    expect(v1.metadata.desired).toEqual({ colors: { timestamp: T } });
    const v2 = accept(v1, { state: { desired: { colors: ['BLUE'] } } }).doc;
    expect(v2.state.desired).toEqual({ colors: ['BLUE'] });
    const v3 = accept(v2, { state: { reported: { colors: ['BLUE'] } } }).doc;
    expect(shadowDelta(v3)).toBeUndefined();
    // Same elements in another order are a different array.
    const v4 = accept(v3, { state: { desired: { colors: ['BLUE', 'RED'] }, reported: { colors: ['RED', 'BLUE'] } } }).doc;
    expect(shadowDelta(v4)).toEqual({ colors: ['BLUE', 'RED'] });
  });

  test('merge is deep; null deletes a key, its metadata, and objects left empty', () => {
    const v1 = accept(undefined, { state: { desired: { a: { b: 1, c: 2 }, d: 'x' } } }).doc;
    const v2 = accept(v1, { state: { desired: { a: { b: 10 } } } }, { now: NOW + 60_000 }).doc;
    expect(v2.state.desired).toEqual({ a: { b: 10, c: 2 }, d: 'x' });
    expect(v2.metadata.desired).toEqual({ a: { b: { timestamp: T + 60 }, c: { timestamp: T } }, d: { timestamp: T } });
    const v3 = accept(v2, { state: { desired: { a: { b: null, c: null }, d: null } } }).doc;
    expect(v3.state).toEqual({});
    expect(v3.metadata).toEqual({});
    expect(v3.version).toBe(3);
  });

  test('a null section deletes the whole section; accepted echoes the null', () => {
    const v1 = accept(undefined, { state: { desired: { a: 1 }, reported: { a: 0 } } }).doc;
    const r = accept(v1, { state: { desired: null } });
    expect(r.doc.state).toEqual({ reported: { a: 0 } });
    expect(r.accepted.state).toEqual({ desired: null });
    expect(r.delta).toBeUndefined();
  });

  test('a leaf can become an object and back; metadata follows the shape', () => {
    const v1 = accept(undefined, { state: { reported: { net: 'down' } } }).doc;
    const v2 = accept(v1, { state: { reported: { net: { ssid: 'Office', up: true } } } }, { now: NOW + 1000 }).doc;
    expect(v2.metadata.reported).toEqual({ net: { ssid: { timestamp: T + 1 }, up: { timestamp: T + 1 } } });
    const v3 = accept(v2, { state: { reported: { net: 'down' } } }, { now: NOW + 2000 }).doc;
    expect(v3.metadata.reported).toEqual({ net: { timestamp: T + 2 } });
  });

  test('every accepted update increments the version, even one that changes nothing', () => {
    let doc = accept(undefined, { state: { reported: { x: 1 } } }).doc;
    doc = accept(doc, { state: { reported: { x: 1 } } }).doc;
    doc = accept(doc, { state: { reported: {} } }).doc;
    expect(doc.version).toBe(3);
    expect(doc.state).toEqual({ reported: { x: 1 } });
  });

  test('a stale version is a 409 "Version conflict" and changes nothing; the current one is applied', () => {
    const v1 = accept(undefined, { state: { desired: { x: 1 } } }).doc;
    const v2 = accept(v1, { state: { desired: { x: 2 } }, version: 1 }).doc;
    const stale = rejected(applyShadowUpdate(v2, { state: { desired: { x: 3 } }, version: 1, clientToken: 'c9' }, { now: NOW }));
    expect(stale).toEqual({ code: 409, message: 'Version conflict', timestamp: T, clientToken: 'c9' });
    expect(v2.state.desired).toEqual({ x: 2 });
    expect(accept(v2, { state: { desired: { x: 3 } }, version: 2 }).doc.version).toBe(3);
  });

  test('a new shadow has version 0: only version 0 (or none) may create it', () => {
    expect(accept(undefined, { state: { reported: { a: 1 } }, version: 0 }).doc.version).toBe(1);
    expect(rejected(applyShadowUpdate(undefined, { state: { reported: { a: 1 } }, version: 4 }, { now: NOW })).code).toBe(409);
  });

  test('the delta goes out after updates that touch desired, not after reported-only updates', () => {
    const v1 = accept(undefined, { state: { desired: { mode: 'A' } } });
    expect(v1.delta?.state).toEqual({ mode: 'A' });
    // The device reports something else (it refused): no delta loop.
    const v2 = accept(v1.doc, { state: { reported: { mode: 'B' } } });
    expect(v2.delta).toBeUndefined();
    expect(shadowDelta(v2.doc)).toEqual({ mode: 'A' });
    // Converged: a desired update that matches reported publishes nothing.
    const v3 = accept(v2.doc, { state: { reported: { mode: 'A' } } });
    const v4 = accept(v3.doc, { state: { desired: { mode: 'A' } } });
    expect(v4.delta).toBeUndefined();
    // The delta holds every differing leaf, not only those of this update.
    const v5 = accept(v4.doc, { state: { desired: { other: 1 }, reported: { mode: 'C' } } });
    expect(v5.delta?.state).toEqual({ mode: 'A', other: 1 });
  });

  test('documents carry the previous and the current document', () => {
    const v1 = accept(undefined, { state: { reported: { a: 1 } } }).doc;
    const r = accept(v1, { state: { reported: { a: 2 } } }, { now: NOW + 3000 });
    expect(r.documents).toEqual({
      previous: { state: { reported: { a: 1 } }, metadata: { reported: { a: { timestamp: T } } }, version: 1 },
      current: { state: { reported: { a: 2 } }, metadata: { reported: { a: { timestamp: T + 3 } } }, version: 2 },
      timestamp: T + 3,
    });
  });

  test('inputs are never mutated and results share nothing with them', () => {
    const request = { state: { desired: { a: { b: [1, 2] } } } };
    const frozenRequest = JSON.stringify(request);
    const r = accept(undefined, request);
    expect(JSON.stringify(request)).toBe(frozenRequest);
    const frozenDoc = JSON.stringify(r.doc);
    accept(r.doc, { state: { desired: { a: { b: null, c: 1 } } } });
    expect(JSON.stringify(r.doc)).toBe(frozenDoc);
    (r.accepted.state.desired as { a: { b: number[] } }).a.b.push(3);
    expect(request.state.desired.a.b).toEqual([1, 2]);
  });
});

describe('rejections', () => {
  const reject = (request: unknown, options: Partial<ShadowUpdateOptions> = {}, doc?: ShadowDocument) =>
    rejected(applyShadowUpdate(doc, request, { now: NOW, ...options }));

  test('400 for malformed requests, naming what is wrong', () => {
    expect(reject({})).toMatchObject({ code: 400, message: expect.stringContaining('state') });
    expect(reject({ state: {} })).toMatchObject({ code: 400, message: expect.stringContaining('state needs desired or reported') });
    expect(reject({ state: { desired: 'red' } })).toMatchObject({ code: 400, message: expect.stringContaining('state.desired') });
    expect(reject({ state: { wanted: {} } })).toMatchObject({ code: 400, message: expect.stringContaining('wanted') });
    expect(reject({ state: { reported: {} }, version: -1 })).toMatchObject({ code: 400, message: expect.stringContaining('version') });
    expect(reject({ state: { reported: {} }, version: 1.5 })).toMatchObject({ code: 400 });
    expect(reject({ state: { reported: {} }, clientToken: 'x'.repeat(65) })).toMatchObject({ code: 400, message: expect.stringContaining('clientToken') });
    expect(reject(null)).toMatchObject({ code: 400 });
    expect(reject([1])).toMatchObject({ code: 400 });
  });

  test('400 for values JSON cannot carry', () => {
    expect(reject({ state: { reported: { a: Number.NaN } } })).toMatchObject({ code: 400, message: expect.stringContaining('state.reported.a') });
    expect(reject({ state: { reported: { a: new Date(0) } } })).toMatchObject({ code: 400 });
    expect(reject({ state: { reported: { a: () => 1 } } })).toMatchObject({ code: 400 });
  });

  test('a __proto__ key is refused and cannot pollute Object.prototype', () => {
    const evil = JSON.parse('{"state":{"desired":{"__proto__":{"polluted":true}}}}') as unknown;
    expect(reject(evil)).toMatchObject({ code: 400, message: expect.stringContaining('__proto__') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('400 when nesting is deeper than maxDepth levels below a section', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : { n: nest(depth - 1) });
    expect(accept(undefined, { state: { reported: nest(8) as Record<string, unknown> } }).doc.version).toBe(1);
    expect(reject({ state: { reported: nest(9) } })).toMatchObject({ code: 400, message: expect.stringContaining('maximum is 8') });
    expect(reject({ state: { reported: nest(4) } }, { maxDepth: 3 })).toMatchObject({ code: 400 });
  });

  test('413 when the request state, or the state it would leave, is over maxStateBytes', () => {
    expect(reject({ state: { reported: { blob: 'x'.repeat(8200) } } })).toMatchObject({ code: 413 });
    const big = accept(undefined, { state: { reported: { a: 'x'.repeat(5000) } } }).doc;
    const r = reject({ state: { reported: { b: 'y'.repeat(5000) } }, clientToken: 't' }, {}, big);
    expect(r).toMatchObject({ code: 413, message: expect.stringContaining('8192'), clientToken: 't' });
    // Deleting makes room again.
    expect(accept(big, { state: { reported: { a: null, b: 'y'.repeat(5000) } } }).doc.state.reported).toEqual({ b: 'y'.repeat(5000) });
    expect(reject({ state: { reported: { a: 'x'.repeat(200) } } }, { maxStateBytes: 100 })).toMatchObject({ code: 413 });
  });

  test('400 with the field path when the merged state fails the schema; the document is unchanged', () => {
    const schema = z.strictObject({
      desired: z.strictObject({ volume: z.int().min(1).max(10).optional(), items: z.array(z.string()).optional() }).optional(),
      reported: z.record(z.string(), z.unknown()).optional(),
    });
    const v1 = accept(undefined, { state: { desired: { volume: 5 } } }, { schema }).doc;
    expect(reject({ state: { desired: { volume: 11 } }, clientToken: 'q' }, { schema }, v1)).toEqual({
      code: 400,
      message: 'state.desired.volume: Too big: expected number to be <=10',
      timestamp: T,
      clientToken: 'q',
    });
    expect(reject({ state: { desired: { items: ['a', 3] } } }, { schema }, v1)).toMatchObject({ message: expect.stringContaining('state.desired.items[1]') });
    expect(reject({ state: { desired: { colour: 'red' } } }, { schema }, v1)).toMatchObject({ message: expect.stringContaining('colour') });
    expect(v1.state.desired).toEqual({ volume: 5 });
  });
});

describe('options for secrets', () => {
  test('deltaExclude leaves never appear in, or make, a delta; redact applies to accepted and documents only', () => {
    const exclude = (p: readonly string[]) => p.join('.') === 'wifi.password';
    const redact = <S>(s: S): S => JSON.parse(JSON.stringify(s).replace(/"password":"[^"]*"/g, '"password":"***"')) as S;
    const r = accept(undefined, { state: { desired: { wifi: { ssid: 'Office', password: 'p4ssw0rd!' } } } }, { deltaExclude: exclude, redact });
    expect(r.delta?.state).toEqual({ wifi: { ssid: 'Office' } });
    expect(JSON.stringify(r.accepted)).not.toContain('p4ssw0rd!');
    expect(JSON.stringify(r.documents)).not.toContain('p4ssw0rd!');
    expect(r.doc.state.desired).toEqual({ wifi: { ssid: 'Office', password: 'p4ssw0rd!' } });
    const synced = accept(r.doc, { state: { reported: { wifi: { ssid: 'Office' } } } }, { deltaExclude: exclude }).doc;
    expect(shadowDelta(synced, exclude)).toBeUndefined();
    // A password-only change produces no delta: the cloud pairs it with a version bump the device sees.
    expect(accept(synced, { state: { desired: { wifi: { password: 'n3w-pass' } } } }, { deltaExclude: exclude }).delta).toBeUndefined();
  });
});

describe('get', () => {
  test('404 before the first update', () => {
    const r = getShadow(undefined, { now: NOW, clientToken: 'g1' });
    expect(r).toEqual({ ok: false, rejected: { code: 404, message: 'No shadow exists for this device', timestamp: T, clientToken: 'g1' } });
  });

  test('the whole document with its delta, version and the request time', () => {
    const doc = accept(undefined, { state: { desired: { a: 1, b: 2 }, reported: { a: 1 } } }).doc;
    const r = getShadow(doc, { now: NOW + 10_000 });
    expect(r).toEqual({
      ok: true,
      accepted: {
        state: { desired: { a: 1, b: 2 }, reported: { a: 1 }, delta: { b: 2 } },
        metadata: doc.metadata,
        version: 1,
        timestamp: T + 10,
      },
    });
  });
});
