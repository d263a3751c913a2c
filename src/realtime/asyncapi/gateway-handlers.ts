import { Type } from '@nestjs/common';
import { MESSAGE_METADATA, PARAM_ARGS_METADATA } from '@nestjs/websockets/constants';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum';

/** One @SubscribeMessage handler of a gateway class. */
export interface GatewayHandler {
  event: string;
  methodName: string;
  /** The declared type of the @MessageBody() parameter, which the validation pipe validates; absent without one. */
  payload?: Type<unknown>;
}

/** Read the events a gateway class handles, and their payload classes, from Nest's decorator metadata. */
export function handlersOf(gateway: Type<unknown>): GatewayHandler[] {
  const prototype = gateway.prototype as Record<string, unknown>;
  const handlers: GatewayHandler[] = [];

  for (const methodName of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[methodName];
    if (methodName === 'constructor' || typeof method !== 'function') continue;
    const event: unknown = Reflect.getMetadata(MESSAGE_METADATA, method);
    if (typeof event !== 'string') continue;
    handlers.push({ event, methodName, payload: payloadTypeOf(gateway, methodName) });
  }
  return handlers;
}

function payloadTypeOf(gateway: Type<unknown>, methodName: string): Type<unknown> | undefined {
  const params = (Reflect.getMetadata(PARAM_ARGS_METADATA, gateway, methodName) ?? {}) as Record<string, { index: number }>;
  const payloadKey = Object.keys(params).find((key) => key.startsWith(`${WsParamtype.PAYLOAD}:`));
  if (!payloadKey) return undefined;

  const types = (Reflect.getMetadata('design:paramtypes', gateway.prototype, methodName) ?? []) as Type<unknown>[];
  return types[params[payloadKey].index];
}
