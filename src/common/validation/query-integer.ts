/**
 * class-transformer step for integer query parameters: a string of decimal digits becomes a
 * number, and anything else is left for IsInt to reject. `@Type(() => Number)` would accept
 * `true`, `0x10`, `1e3` and `" 3 "` as numbers.
 */
export const digitsToInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
