import fc from 'fast-check';

/** Strings that have broken text handling elsewhere: normalisation forms, joiners, bidi controls, NUL and other controls. */
export const EDGE_STRINGS = [
  '',
  ' ',
  '\u00e9', // é precomposed (NFC)
  'e\u0301', // é decomposed (NFD)
  'A\u030a\u0301\u0301\u0301',
  '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}', // family emoji: a ZWJ sequence
  '\u{1F3F3}\ufe0f\u200d\u{1F308}',
  '\u202eevil.exe\u202c', // right-to-left override
  '\u200f\u200e\u2066\u2069',
  '\ufeff',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u0000',
  'nul\u0000inside',
  '\u0007\u0008\u001b[31mred',
  '\u0085\u2028\u2029',
  '\r\n\t',
  '\u{10FFFF}',
  '%00',
  "'; DROP TABLE users; --",
  '{"content":"hi"}',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '1e309',
  '-0',
  'NaN',
];

/**
 * Nest `depth` levels of objects or arrays around a leaf. Failure reports print the shape
 * instead of the whole value.
 */
export function nest(depth: number, kind: 'object' | 'array', leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value];
  Object.defineProperty(value, fc.toStringMethod, { value: () => `<${kind}s nested ${depth} deep>`, enumerable: false });
  return value;
}

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_STRINGS).chain((edge) => fc.nat({ max: 1200 }).map((n) => edge.repeat(n))) },
  // Around the 64 KiB body and event limits.
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e-300),
);

/** A value of any JSON type, hostile where it can be: edge strings, huge strings and arrays, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  // JSON.stringify in the test process and in socket.io-client overflows the stack a little above 2000 levels.
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 2000 }).map((depth) => nest(depth, 'array')) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 2000 }).map((depth) => nest(depth, 'object')) },
);

/** Field names a client might add: prototype keys, near-miss spellings, server-owned fields. */
const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'senderID', 'id', 'seq', 'role', 'userID', 'isAdmin'),
  fc.string({ maxLength: 20 }),
);

/**
 * Variants of a valid payload: one field replaced by a hostile value, fields removed, an
 * unknown field added, the whole payload replaced, or the payload sent as a JSON string.
 */
export function mutationsOf(template: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(template);
  const variants: fc.Arbitrary<unknown>[] = [
    fc
      .subarray(keys, { minLength: Math.min(1, keys.length) })
      .map((removed) => Object.fromEntries(Object.entries(template).filter(([key]) => !removed.includes(key)))),
    fc.tuple(extraKey, hostileValue).map(([key, value]) => {
      const body: Record<string, unknown> = { ...template };
      Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
      return body;
    }),
    hostileValue,
    fc.constant(JSON.stringify(template)),
  ];
  if (keys.length > 0) {
    const replace = (value: fc.Arbitrary<unknown>) =>
      fc.tuple(fc.constantFrom(...keys), value).map(([key, replacement]) => ({ ...template, [key]: replacement }));
    variants.unshift(replace(hostileValue), replace(fc.constantFrom(...EDGE_STRINGS)));
  }
  return fc.oneof(...variants);
}

/** Percent-encode every byte of the UTF-8 form; unlike encodeURIComponent this accepts lone surrogates. */
export function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** Percent sequences that do not decode to UTF-8, which a client can put in a URL as they are. */
const MALFORMED_ESCAPES = ['%', '%FF', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%00'];

/** Query strings built from a template: values replaced, repeated, removed, or unknown keys added. */
export function queryMutationsOf(template: Record<string, string>): fc.Arbitrary<string> {
  const pairs = Object.entries(template);
  const value = fc.oneof(hostileString.map(percentEncode), hostileNumber.map(String), fc.constantFrom(...MALFORMED_ESCAPES));
  return fc
    .tuple(
      fc.subarray(pairs),
      fc.array(fc.tuple(fc.constantFrom(...Object.keys(template), 'limit[]', '__proto__', 'extra'), value), { maxLength: 3 }),
    )
    .map(([kept, added]) => [...kept, ...added].map(([key, v]) => `${percentEncode(key)}=${v}`).join('&'));
}

/** Encoded path segments for `:id` parameters: hostile strings, malformed escapes, UUIDs of things that do not exist. */
export const hostilePathSegment = fc.oneof(
  hostileString.filter((s) => s.length > 0 && s.length < 2000).map(percentEncode),
  fc.uuid(),
  fc.constantFrom('..', '%2e%2e', 'null', 'undefined', '0', ...MALFORMED_ESCAPES),
);
