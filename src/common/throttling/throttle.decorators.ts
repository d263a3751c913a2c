import { SetMetadata } from '@nestjs/common';

export const MESSAGE_SEND = 'throttle:messageSend';
export const AUTH_ATTEMPT = 'throttle:authAttempt';

/** Count the handler against the per-user message limit, shared by REST and the socket. */
export const MessageSend = () => SetMetadata(MESSAGE_SEND, true);

/** Count the handler against the per-address limit for register and login. */
export const AuthAttempt = () => SetMetadata(AUTH_ATTEMPT, true);
