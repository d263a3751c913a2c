import { Logger } from '@nestjs/common';
import { MessageMappingProperties } from '@nestjs/websockets';
import { EventEmitter } from 'node:events';
import { from, isObservable, Observable, of, throwError } from 'rxjs';
import type { Socket } from 'socket.io';
import { ListenerIoAdapter } from '../../src/realtime/listener-io.adapter';

/** Turn a handler's result into an Observable, as Nest's transform does. */
function transform(result: unknown): Observable<unknown> {
  if (isObservable(result)) return result;
  if (result instanceof Promise) return from(result);
  return of(result);
}

/** Build a socket stand-in whose deliver() calls listeners as Socket.IO does: the event's arguments, the ack last. */
function fakeSocket() {
  const emitter = new EventEmitter();
  const emitted: unknown[][] = [];
  const socket = Object.assign(emitter, {
    emit: (event: string, ...args: unknown[]) => {
      emitted.push([event, ...args]);
      return true;
    },
  });
  return {
    socket: socket as unknown as Socket,
    deliver: (event: string, ...args: unknown[]) => emitter.listeners(event).forEach((listener) => listener(...args)),
    emitted,
  };
}

const handler = (
  message: string,
  callback: MessageMappingProperties['callback'],
  isAckHandledManually = false,
): MessageMappingProperties => ({
  message,
  methodName: message,
  callback,
  isAckHandledManually,
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ListenerIoAdapter', () => {
  const adapter = new ListenerIoAdapter();

  it('passes the payload and acks the result', async () => {
    const { socket, deliver } = fakeSocket();
    const callback = jest.fn(async (data: unknown) => ({ ok: true, data }));
    adapter.bindMessageHandlers(socket, [handler('message:send', callback)], transform);
    const ack = jest.fn();

    deliver('message:send', { content: 'hi' }, ack);
    await settle();

    expect(callback).toHaveBeenCalledWith({ content: 'hi' }, ack);
    expect(ack).toHaveBeenCalledWith({ ok: true, data: { content: 'hi' } });
  });

  it('passes no data for an event with only an ack', async () => {
    const { socket, deliver } = fakeSocket();
    const callback = jest.fn(async () => 'pong');
    adapter.bindMessageHandlers(socket, [handler('ping', callback)], transform);
    const ack = jest.fn();

    deliver('ping', ack);
    await settle();

    expect(callback).toHaveBeenCalledWith(undefined, ack);
    expect(ack).toHaveBeenCalledWith('pong');
  });

  it('passes several arguments as an array', async () => {
    const { socket, deliver } = fakeSocket();
    const callback = jest.fn(async () => undefined);
    adapter.bindMessageHandlers(socket, [handler('sync', callback)], transform);

    deliver('sync', 1, 2);
    await settle();

    expect(callback).toHaveBeenCalledWith([1, 2], undefined);
  });

  it('emits a response that names an event', async () => {
    const { socket, deliver, emitted } = fakeSocket();
    adapter.bindMessageHandlers(socket, [handler('typing', async () => ({ event: 'typed', data: 42 }))], transform);
    const ack = jest.fn();

    deliver('typing', {}, ack);
    await settle();

    expect(emitted).toEqual([['typed', 42]]);
    expect(ack).not.toHaveBeenCalled();
  });

  it('leaves the ack to a handler that acks by itself', async () => {
    const { socket, deliver } = fakeSocket();
    adapter.bindMessageHandlers(socket, [handler('renew', async () => 'done', true)], transform);
    const ack = jest.fn();

    deliver('renew', {}, ack);
    await settle();

    expect(ack).not.toHaveBeenCalled();
  });

  it('logs a failure and keeps handling later events', async () => {
    const { socket, deliver } = fakeSocket();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const failFirst = () => (++calls === 1 ? throwError(() => new Error('boom')) : of('fine'));
    adapter.bindMessageHandlers(socket, [handler('read', failFirst)], transform);
    const acks = [jest.fn(), jest.fn()];

    deliver('read', {}, acks[0]);
    deliver('read', {}, acks[1]);
    await settle();

    expect(error).toHaveBeenCalledTimes(1);
    expect(acks[0]).not.toHaveBeenCalled();
    expect(acks[1]).toHaveBeenCalledWith('fine');
    error.mockRestore();
  });
});
