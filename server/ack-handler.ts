/**
 * Wraps socket event handlers so every inbound payload is parsed by its zod schema,
 * every request gets exactly one `Result` ack, and no handler error (sync or async)
 * can reach Socket.IO and take the process down.
 */
import type { z } from 'zod';
import { fail, invalid, type Result } from '../protocol/index.js';
import type { Logger } from './logger.js';
import { StoreUnavailableError } from './store/note-store.js';

type AckFn = (result: Result<unknown>) => void;

export interface HandlerSpec<S extends z.ZodType> {
  event: string;
  schema: S;
  logger: Logger;
  /**
   * Whether the event does its work without an ack (`room:leave`). Otherwise a call
   * without one is ignored, as docs/PROTOCOL.md promises: nobody would learn the outcome.
   */
  ackOptional?: boolean;
}

/**
 * Socket.IO passes the ack as the last argument when the client asked for one. A client
 * may also send no payload, or a non-function where the ack would be; neither may crash us.
 */
function splitArgs(args: unknown[]): { payload: unknown; ack: AckFn | undefined } {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    return { payload: args.length > 1 ? args[0] : undefined, ack: last as AckFn };
  }
  return { payload: args[0], ack: undefined };
}

/**
 * A request handler: `run` receives the parsed payload and the socket, and returns the
 * ack's Result. It is called synchronously, so handlers see events in the order the
 * client sent them. The socket is the listener's `this` (Socket.IO calls listeners on
 * the socket), so one handler made per namespace serves every socket: nothing per
 * connection but the listener entry.
 */
export function request<S extends z.ZodType, T, Ctx = unknown>(
  { event, schema, logger, ackOptional = false }: HandlerSpec<S>,
  run: (input: z.output<S>, socket: Ctx) => Result<T> | Promise<Result<T>>,
): (this: Ctx, ...args: unknown[]) => void {
  return function (this: Ctx, ...args) {
    const { payload, ack } = splitArgs(args);
    if (!ack && !ackOptional) {
      logger.debug({ event }, 'ignored: no ack callback');
      return;
    }
    const reply = (result: Result<T>) => {
      // An ack that throws (socket already gone, say) must not become an unhandled rejection.
      try {
        ack?.(result);
      } catch (error) {
        logger.warn({ event, err: error }, 'ack failed');
      }
    };
    const crashed = (error: unknown) => {
      // A store that cannot write now (full disk, ...) is no bug: say so, retrying may work.
      if (error instanceof StoreUnavailableError) {
        logger.warn({ event, reason: error.reason }, 'store unavailable');
        reply(fail('unavailable', 'the server cannot store this right now; try again later'));
        return;
      }
      logger.error({ event, err: error }, 'handler failed');
      reply(fail('internal', 'internal server error'));
    };
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      logger.debug({ event, issue: parsed.error.issues[0]?.message }, 'invalid payload');
      reply(invalid(parsed.error));
      return;
    }
    let result: Result<T> | Promise<Result<T>>;
    try {
      result = run(parsed.data, this);
    } catch (error) {
      crashed(error);
      return;
    }
    if (result instanceof Promise) result.then(reply, crashed);
    else reply(result);
  };
}

/**
 * A fire-and-forget handler (volatile events such as `cursor:move`): there is no ack to
 * answer, so bad input and refusals (`run` returning false) only count as `rejected`.
 */
export function message<S extends z.ZodType, Ctx = unknown>(
  { event, schema, logger }: HandlerSpec<S>,
  run: (input: z.output<S>, socket: Ctx) => boolean,
  rejected: () => void,
): (this: Ctx, ...args: unknown[]) => void {
  return function (this: Ctx, ...args) {
    const parsed = schema.safeParse(splitArgs(args).payload);
    try {
      if (!parsed.success || !run(parsed.data, this)) rejected();
    } catch (error) {
      rejected();
      logger.error({ event, err: error }, 'handler failed');
    }
  };
}
