import { IoAdapter } from '@nestjs/platform-socket.io';
import { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Socket } from 'socket.io';

/**
 * IoAdapter that binds each gateway handler as a plain Socket.IO listener. Nest's IoAdapter
 * builds an rxjs pipeline per handler and socket (fromEvent, mergeMap, takeUntil), which with
 * the gateway's eight handlers came to about 40 rxjs objects and their closures per connected
 * socket in a heap snapshot of 2,000 sockets (docs/benchmarks.md). Responses are handled as
 * there: a response with `event` is emitted, any other non-nil response goes to the ack unless
 * the handler acknowledges by itself, and a failure that the gateway's filters rethrow is logged.
 */
export class ListenerIoAdapter extends IoAdapter {
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        const respond = (response: unknown) => {
          if (response === null || response === undefined) return;
          const { event, data: eventData } = response as { event?: string; data?: unknown };
          if (event) socket.emit(event, eventData);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };

        const logFailure = (error: unknown) =>
          this.logger.error({ err: error, socketId: socket.id, event: message }, 'Socket event handler failed');
        try {
          transform(callback(data, ack)).subscribe({ next: respond, error: logFailure });
        } catch (error) {
          logFailure(error);
        }
      });
    }
  }
}
