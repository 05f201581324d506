import { checkJson, computeDelta, deepEqual, diffPatch, mergePatch, pickMetadata, updateMetadata } from '../../../cloud-link/protocol/shadow-json.js';

describe('shadow JSON helpers', () => {
  test('deepEqual: key order is irrelevant, array order is not, types must match', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: undefined }, {})).toBe(false);
    expect(deepEqual(1, '1')).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });

  test('mergePatch replaces a leaf with an object (and back), drops nulls inside new objects, returns undefined when empty', () => {
    expect(mergePatch({ a: 1 }, { a: { b: 2, c: null } })).toEqual({ a: { b: 2 } });
    expect(mergePatch({ a: { b: 2 } }, { a: 3 })).toEqual({ a: 3 });
    expect(mergePatch({ a: 1 }, { a: null })).toBeUndefined();
    expect(mergePatch(undefined, { a: {} })).toBeUndefined();
    const target = { keep: { x: 1 }, arr: [1] };
    const merged = mergePatch(target, { arr: [2] });
    expect(merged).toEqual({ keep: { x: 1 }, arr: [2] });
    expect(target).toEqual({ keep: { x: 1 }, arr: [1] });
  });

  test('updateMetadata keeps untouched timestamps and stamps a document that had none', () => {
    const prev = { a: 1, b: { c: 2 } };
    const prevMeta = { a: { timestamp: 10 }, b: { c: { timestamp: 10 } } };
    const next = { a: 1, b: { c: 3 } };
    expect(updateMetadata(next, prev, prevMeta, { b: { c: 3 } }, 20)).toEqual({ a: { timestamp: 10 }, b: { c: { timestamp: 20 } } });
    expect(updateMetadata(next, prev, undefined, { b: { c: 3 } }, 20)).toEqual({ a: { timestamp: 20 }, b: { c: { timestamp: 20 } } });
  });

  test('a state key named "timestamp" does not confuse metadata', () => {
    const next = { clock: { timestamp: 5 } };
    const meta = updateMetadata(next, undefined, undefined, next, 99);
    expect(meta).toEqual({ clock: { timestamp: { timestamp: 99 } } });
    expect(updateMetadata(next, next, meta, undefined, 100)).toEqual(meta);
    expect(pickMetadata(meta, { clock: { timestamp: 5 } })).toEqual(meta);
  });

  test('computeDelta: missing and differing leaves, excluded paths skipped at any depth', () => {
    const desired = { a: 1, b: { c: 2, d: 3 }, e: [1] };
    expect(computeDelta(desired, { a: 1, b: { c: 2 } })).toEqual({ b: { d: 3 }, e: [1] });
    expect(computeDelta(desired, { a: 1, b: 'scalar', e: [1] })).toEqual({ b: { c: 2, d: 3 } });
    expect(computeDelta(desired, undefined, (p) => p.join('.') === 'b.d' || p[0] === 'e')).toEqual({ a: 1, b: { c: 2 } });
    expect(computeDelta(undefined, { a: 1 })).toEqual({});
  });

  test('checkJson: first problem with its path', () => {
    expect(checkJson({ a: [1, 'x', null, true, { b: 2 }] }, 8)).toBeUndefined();
    expect(checkJson({ a: [1, Infinity] }, 8)).toEqual({ kind: 'not-json', path: 'a[1]' });
    expect(checkJson({ a: new Map() }, 8)).toEqual({ kind: 'not-json', path: 'a' });
    expect(checkJson(Object.create(null) as object, 8)).toBeUndefined();
    expect(checkJson({ a: { b: { c: 1 } } }, 2)).toEqual({ kind: 'too-deep', path: 'a.b' });
    expect(checkJson(JSON.parse('{"x":{"__proto__":1}}'), 8)).toEqual({ kind: 'forbidden-key', path: 'x.__proto__' });
  });
});

describe('diffPatch', () => {
  test('merging the patch into the old state gives exactly the new one', () => {
    const cases: Array<[Record<string, unknown> | undefined, Record<string, unknown>]> = [
      [undefined, { a: 1, b: { c: [1, 2] } }],
      [{ a: 1, b: { c: 2, d: 3 }, e: 'x' }, { a: 1, b: { c: 2 } }],
      [{ a: { b: 1 } }, { a: 'leaf' }],
      [{ a: 'leaf' }, { a: { b: 1 } }],
      [{ list: [1, 2] }, { list: [2, 1] }],
      [{ a: 1 }, {}],
    ];
    for (const [from, to] of cases) {
      const patch = diffPatch(from as never, to as never);
      expect(mergePatch(from as never, patch) ?? {}).toEqual(to);
    }
    expect(diffPatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } })).toEqual({});
    expect(diffPatch({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2 } })).toEqual({ b: { d: null } });
    expect(diffPatch({ a: 1 }, { a: undefined } as never)).toEqual({ a: null });
  });
});
