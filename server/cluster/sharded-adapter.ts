/**
 * Socket.IO's Redis adapter in sharded mode (Redis 7 SPUBLISH/SSUBSCRIBE, one channel per
 * room, subscribed while this node has a socket in it), changed in one way: a broadcast is
 * delivered to this node's sockets at once, beside its publish, instead of after it.
 *
 * ClusterAdapter#broadcast awaits the publish before delivering locally (it wants the
 * publish's offset for connection state recovery, which the sharded adapter never has). With
 * Redis slow every local cursor batch waits a round trip to Redis; with Redis away it waits
 * for the client to fail the command (at once only without an offline queue, see
 * redis-link.ts). People on one node must keep seeing each other whatever Redis does.
 */
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Namespace } from 'socket.io';
import { Adapter, MessageType, type BroadcastOptions } from 'socket.io-adapter';
import type { RedisClientType } from 'redis';
import type { PublishGate } from './publish-gate.js';

/** A broadcast another node published to a room this node is in. */
export interface RemoteBroadcast {
  nsp: string;
  rooms: string[];
  /** The Socket.IO packet's data: `[event, ...args]`. */
  data: unknown[];
}

/** The parts of socket.io-adapter's ClusterAdapter this module reaches into. */
interface ClusterInternals {
  publish(message: unknown): void;
  doPublish(message: ClusterMessage): Promise<unknown>;
  encode(message: unknown): { length: number };
  onMessage(message: ClusterMessage, offset?: string): unknown;
}

interface ClusterMessage {
  type: number;
  uid?: string;
  data?: {
    packet?: { data?: unknown[] };
    opts?: { rooms?: string[]; flags?: { volatile?: boolean } };
    requestId?: string;
  };
}

export type AdapterFactory = (nsp: Namespace) => Adapter;

/** Sends a broadcast to the other nodes only (their sockets in `rooms`, not in `except`). */
export type Publish = (rooms: string[], except: string[], reliable: boolean, data: unknown[]) => void;

/** {@link Publish} through the namespace's adapter (made by {@link localFirstShardedAdapter}). */
export function publisher(nsp: Namespace): Publish {
  const adapter = nsp.adapter as unknown as ClusterInternals;
  return (rooms, except, reliable, data) =>
    adapter.publish({
      type: MessageType.BROADCAST,
      // EVENT packet; the receiving node's adapter fills in the namespace.
      data: { packet: { type: 2, data }, opts: { rooms, except, flags: reliable ? {} : { volatile: true } } },
    });
}

/**
 * The `adapter` option of the Server. `onRemote` sees every broadcast that arrives from
 * another node, before its delivery (the rooms namespace learns of joins on other nodes);
 * when it answers true, it took the broadcast over and the adapter does not deliver it
 * (cursor batches, merged into this node's next flush). Every publish passes `gate`, which
 * bounds what waits for a hung Redis.
 */
export function localFirstShardedAdapter(
  pub: RedisClientType,
  sub: RedisClientType,
  onRemote: (broadcast: RemoteBroadcast) => boolean,
  gate: PublishGate,
): AdapterFactory {
  const sharded = createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });
  // Socket.IO calls the factory with `new`: a function, not an arrow, returning the adapter.
  return function (nsp: Namespace): Adapter {
    const adapter = sharded(nsp) as unknown as Adapter & ClusterInternals;
    // doPublish encodes synchronously before it waits: the size is known when it returns.
    const encode = adapter.encode.bind(adapter);
    let encodedBytes = 0;
    adapter.encode = (message: unknown) => {
      const encoded = encode(message);
      encodedBytes = encoded.length;
      return encoded;
    };
    const doPublish = adapter.doPublish.bind(adapter);
    adapter.doPublish = (message: ClusterMessage) =>
      gate.pass(message.data?.opts?.flags?.volatile === true, () => {
        encodedBytes = 0;
        const done = doPublish(message);
        return { done, bytes: encodedBytes };
      });
    adapter.broadcast = function (packet: { data?: unknown[] }, opts: BroadcastOptions): void {
      if (!opts.flags?.local) {
        // Serialised synchronously by publish(), so the local delivery below cannot change it;
        // a failed publish (Redis away) only loses the other nodes' copy.
        adapter.publish({
          type: MessageType.BROADCAST,
          data: {
            packet,
            opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags },
          },
        });
      }
      Adapter.prototype.broadcast.call(adapter, packet, opts);
    };
    const onMessage = adapter.onMessage.bind(adapter);
    adapter.onMessage = (message: ClusterMessage, offset?: string) => {
      if (message.type === MessageType.BROADCAST && message.uid !== (adapter as { uid?: string }).uid) {
        const data = message.data?.packet?.data;
        if (Array.isArray(data) && message.data?.requestId === undefined) {
          try {
            if (onRemote({ nsp: nsp.name, rooms: message.data?.opts?.rooms ?? [], data })) return;
          } catch {
            // An observer's failure must not cost the delivery.
          }
        }
      }
      return onMessage(message, offset);
    };
    return adapter;
  };
}
