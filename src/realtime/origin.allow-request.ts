import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Server } from 'socket.io';
import { OriginPolicy } from '../common/http/origin-policy';
import { Environment } from '../config/environment';

const logger = new Logger('SocketOrigin');

/**
 * Make Engine.IO reject a handshake whose Origin the policy rejects, with HTTP 403 before the
 * WebSocket upgrade, because browsers apply no CORS to WebSockets. An allowRequest that is
 * already installed still runs after the origin check.
 */
export function originAllowRequest(server: Server, config: ConfigService<Environment, true>): void {
  const policy = OriginPolicy.fromConfig(config);
  const previous = server.engine.opts.allowRequest;

  server.engine.opts.allowRequest = (request, callback) => {
    const origin = request.headers.origin;
    if (!policy.isAllowed(origin, request.headers.host)) {
      logger.warn({ origin, address: request.socket.remoteAddress }, 'Socket handshake rejected: origin not allowed');
      callback('Origin not allowed', false);
      return;
    }
    if (previous) previous(request, callback);
    else callback(null, true);
  };
}
