/**
 * Error codes and the result shape every acknowledgement uses.
 * A request that can fail answers `{ ok: true, value }` or `{ ok: false, error }`.
 */
import { z } from 'zod';

/** The fixed list of error codes a client can receive. */
export const ERROR_CODES = [
  'invalid',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'too_large',
  'unavailable',
  'internal',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error half of an ack: a code from {@link ERROR_CODES} and a human-readable message. */
export const AckError = z.object({ code: ErrorCode, message: z.string() });
export type AckError = z.infer<typeof AckError>;

export type Ok<T> = { ok: true; value: T };
export type Fail = { ok: false; error: AckError };
/** What every acknowledgement carries. */
export type Result<T> = Ok<T> | Fail;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string): Fail {
  return { ok: false, error: { code, message } };
}

/** Turns a zod failure into an `invalid` ack with the first issue's path, short enough to log. */
export function invalid(error: z.ZodError): Fail {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? first.path.join('.') + ': ' : '';
  return fail('invalid', where + (first?.message ?? 'invalid payload'));
}

/** Schema for a whole ack, for clients that check what the server sent back. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.union([
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AckError }),
  ]);
}
