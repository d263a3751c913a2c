import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';
import { GroupsService } from '../groups/groups.service';
import { conversationRoom } from './realtime.emitter';

type Next = (error?: Error) => void;

const logger = new Logger('GroupRooms');

/** Return the group rooms the handshake found for this socket, or none before the middleware ran. */
export function groupRoomsOf(socket: Socket): string[] {
  return (socket.data.groupRooms as string[] | undefined) ?? [];
}

/**
 * Socket.IO middleware, after authentication, that looks up the user's groups during the
 * handshake. The gateway then joins their rooms in the same tick as the user room, before
 * the client sees `connect`, so a client that syncs right after connecting cannot miss a
 * group message pushed in between. A database failure rejects the handshake with
 * SERVICE_UNAVAILABLE.
 *
 * NOTE: a group joined while this lookup runs is missing from the rooms, because
 * GroupsService moves only sockets that are already connected. That socket gets the
 * group's messages through sync or history, and live from its next connection on.
 */
export function groupRoomsMiddleware(groups: GroupsService) {
  return (socket: Socket, next: Next) => {
    const { userId } = socket.data.principal as { userId: string };
    groups.groupIdsOf(userId).then(
      (groupIds) => {
        socket.data.groupRooms = groupIds.map(conversationRoom);
        next();
      },
      (error: unknown) => {
        logger.error({ err: error, userId }, 'Failed to look up the groups of a connecting socket');
        const body: ErrorBody = {
          code: 503,
          error: 'SERVICE_UNAVAILABLE',
          message: 'The database is unavailable or busy. Retry after retryAfterMs.',
          retryAfterMs: 2000,
        };
        next(Object.assign(new Error('SERVICE_UNAVAILABLE'), { data: body }));
      },
    );
  };
}
