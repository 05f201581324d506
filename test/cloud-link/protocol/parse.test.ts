import { z } from 'zod';
import { DEFAULT_MAX_PAYLOAD_BYTES, formatPath, parsePayload } from '../../../cloud-link/protocol/parse.js';
import { ShadowGetRequestSchema } from '../../../cloud-link/protocol/shadow.js';

const Schema = z.strictObject({ name: z.string().min(2), items: z.array(z.strictObject({ n: z.int() })).optional() });

describe('parsePayload', () => {
  test('a valid payload as Buffer, Uint8Array or string', () => {
    const text = '{"name":"ok","items":[{"n":1}]}';
    const value = { name: 'ok', items: [{ n: 1 }] };
    expect(parsePayload(Schema, Buffer.from(text))).toEqual({ ok: true, value });
    expect(parsePayload(Schema, new TextEncoder().encode(text))).toEqual({ ok: true, value });
    expect(parsePayload(Schema, text)).toEqual({ ok: true, value });
  });

  test('invalid UTF-8 is a 400, not an exception and not a replacement character', () => {
    expect(parsePayload(Schema, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toEqual({ ok: false, code: 400, message: 'The payload is not valid UTF-8' });
  });

  test('invalid JSON is a 400 that gives the position but never quotes the text', () => {
    const r = parsePayload(Schema, '{"CurrentPassword": "s3cret-value",}');
    expect(r).toMatchObject({ ok: false, code: 400, message: expect.stringMatching(/^Invalid JSON( at position \d+)?$/) });
    expect(JSON.stringify(r)).not.toContain('s3cret');
    expect(parsePayload(Schema, '')).toMatchObject({ ok: false, code: 400 });
    expect(parsePayload(Schema, Buffer.alloc(0))).toMatchObject({ ok: false, code: 400 });
  });

  test('schema errors name the field path, arrays by index, several issues joined', () => {
    expect(parsePayload(Schema, '{"name":"x","items":[{"n":1},{"n":"2"}]}')).toEqual({
      ok: false,
      code: 400,
      message: 'name: Too small: expected string to have >=2 characters; items[1].n: Invalid input: expected number, received string',
    });
    expect(parsePayload(Schema, '[]')).toMatchObject({ ok: false, code: 400, message: 'Invalid input: expected object, received array' });
    const many = JSON.stringify({ name: 'ok', items: Array.from({ length: 8 }, () => ({ n: 'x' })) });
    expect(parsePayload(Schema, many)).toMatchObject({ message: expect.stringMatching(/items\[4\]\.n: .*; and 3 more$/) });
  });

  test('413 for payloads over maxBytes, checked before decoding', () => {
    const big = Buffer.alloc(DEFAULT_MAX_PAYLOAD_BYTES + 1, 0xff); // not even UTF-8: size wins
    expect(parsePayload(Schema, big)).toMatchObject({ ok: false, code: 413 });
    expect(parsePayload(Schema, '{"name":"abc"}', { maxBytes: 10 })).toEqual({
      ok: false,
      code: 413,
      message: 'The payload exceeds the maximum size allowed (14 > 10 bytes)',
    });
    // Multi-byte characters count as bytes.
    expect(parsePayload(Schema, `{"name":"${'é'.repeat(5)}"}`, { maxBytes: 18 })).toMatchObject({ code: 413 });
  });

  test('allowEmpty turns an empty payload into {} (AWS accepts an empty shadow/get)', () => {
    const Get = z.strictObject({ clientToken: z.string().optional() });
    expect(parsePayload(Get, '', { allowEmpty: true })).toEqual({ ok: true, value: {} });
    expect(parsePayload(Get, '{"clientToken":"t"}', { allowEmpty: true })).toEqual({ ok: true, value: { clientToken: 't' } });
    // echosim's shadow/get is not empty: it carries the key the answer's secrets are sealed to
    expect(parsePayload(ShadowGetRequestSchema, '', { allowEmpty: true })).toMatchObject({ ok: false, code: 400, message: expect.stringMatching(/^publicKey: /) });
  });

  test('a refinement that throws is a 400, not a crash', () => {
    const Throwing = z.string().refine(() => {
      throw new Error('boom');
    });
    expect(parsePayload(Throwing, '"x"')).toEqual({ ok: false, code: 400, message: 'Invalid message: boom' });
  });

  test('formatPath', () => {
    expect(formatPath(['a', 0, 'b', 2])).toBe('a[0].b[2]');
    expect(formatPath([0])).toBe('[0]');
    expect(formatPath(['x'], 'state')).toBe('state.x');
    expect(formatPath([], 'state')).toBe('state');
  });
});
