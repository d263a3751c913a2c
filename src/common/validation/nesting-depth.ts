import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';

/**
 * Deepest nesting of objects and arrays accepted in a JSON body or a socket event. Valid
 * payloads nest at most two levels (an object holding an array of ids). class-transformer
 * recurses once per level and overflows the stack at a few thousand levels, so deeper input
 * is rejected before validation sees it.
 */
export const MAX_NESTING_DEPTH = 16;

/** True when `value` nests objects or arrays more than `max` levels deep. Walks iteratively, so any depth is safe. */
export function nestsDeeperThan(value: unknown, max = MAX_NESTING_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Find the first key of `value`, at any depth, that names a built-in object property
 * (`__proto__`, `constructor`, `toString` and the like). class-transformer skips such keys, so
 * the whitelist never checks them and would let them through. No payload of this API uses one.
 */
export function reservedKeyIn(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object') continue;
    for (const [key, child] of Object.entries(current)) {
      if (key in Object.prototype || key === 'prototype') return key;
      pending.push(child);
    }
  }
  return undefined;
}

export const reservedKeyError = (key: string) =>
  new AppError('VALIDATION_FAILED', `property ${key} should not exist`, [
    { field: key, constraints: [`property ${key} should not exist`] },
  ]);

export const tooDeepError = (what: string) =>
  new AppError('VALIDATION_FAILED', `${what} nests objects or arrays deeper than ${MAX_NESTING_DEPTH} levels`);

/** Express middleware that rejects a parsed request body nested deeper than MAX_NESTING_DEPTH or using a reserved key. */
export function nestingDepthMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (nestsDeeperThan(req.body)) return next(tooDeepError('Request body'));

  const reserved = reservedKeyIn(req.body);
  next(reserved === undefined ? undefined : reservedKeyError(reserved));
}
