import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, MoreThan, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Environment } from '../config/environment';
import { RealtimeEmitter } from '../realtime/realtime.emitter';
import { JWT_SECRET } from './jwt-secret';
import { hashRefreshToken, RefreshTokenCodec } from './refresh-token';
import { RevokedReason, Session } from './session.entity';

/** A session's id with the refresh token that currently belongs to it. */
export interface IssuedSession {
  sessionId: string;
  userId: string;
  refreshToken: string;
  refreshExpiresIn: number;
}

type RotateOutcome = { kind: 'rotated'; issued: IssuedSession } | { kind: 'reused'; userId: string } | { kind: 'invalid' };

const invalidRefreshToken = () => new AppError('UNAUTHORIZED', 'Invalid, expired or revoked refresh token; log in again');

/**
 * Sessions and their rotating refresh tokens. Each refresh issues a new token and makes the
 * previous one stale. A stale token that comes back means two parties hold the session, so the
 * whole session is revoked and its sockets are disconnected on every instance.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  private readonly codec: RefreshTokenCodec;
  private readonly ttlSeconds: number;

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(JWT_SECRET) secret: string,
    config: ConfigService<Environment, true>,
    private readonly realtime: RealtimeEmitter,
  ) {
    this.codec = new RefreshTokenCodec(secret);
    this.ttlSeconds = config.get('REFRESH_TOKEN_TTL_SECONDS', { infer: true });
  }

  async start(userId: string): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const refreshToken = this.codec.issue(sessionId, 0);
    const now = new Date();
    await this.sessions.insert({
      id: sessionId,
      userId,
      generation: 0,
      refreshTokenHash: hashRefreshToken(refreshToken),
      refreshedAt: now,
      expiresAt: this.expiryFrom(now),
    });
    return { sessionId, userId, refreshToken, refreshExpiresIn: this.ttlSeconds };
  }

  /** Exchange the current refresh token for the next one, or revoke the session when a stale one comes back. */
  async rotate(refreshToken: string): Promise<IssuedSession> {
    const claims = this.codec.parse(refreshToken);
    if (!claims) throw invalidRefreshToken();

    // The reuse verdict is decided and stored inside the transaction, but thrown after it, so the revocation commits.
    const outcome = await this.dataSource.transaction(async (manager): Promise<RotateOutcome> => {
      const session = await manager.findOne(Session, { where: { id: claims.sessionId }, lock: { mode: 'pessimistic_write' } });
      const now = new Date();
      if (!session || session.revokedAt || session.expiresAt <= now) return { kind: 'invalid' };

      if (claims.generation < session.generation) {
        await manager.update(Session, { id: session.id }, { revokedAt: now, revokedReason: 'reuse' });
        return { kind: 'reused', userId: session.userId };
      }
      if (claims.generation !== session.generation || hashRefreshToken(refreshToken) !== session.refreshTokenHash) {
        return { kind: 'invalid' };
      }

      const generation = session.generation + 1;
      const next = this.codec.issue(session.id, generation);
      await manager.update(
        Session,
        { id: session.id },
        { generation, refreshTokenHash: hashRefreshToken(next), refreshedAt: now, expiresAt: this.expiryFrom(now) },
      );
      return {
        kind: 'rotated',
        issued: { sessionId: session.id, userId: session.userId, refreshToken: next, refreshExpiresIn: this.ttlSeconds },
      };
    });

    if (outcome.kind === 'rotated') return outcome.issued;
    if (outcome.kind === 'reused') {
      this.logger.warn(
        { sessionId: claims.sessionId, userId: outcome.userId, generation: claims.generation },
        'Stale refresh token reused; session revoked',
      );
      this.realtime.disconnectSession(claims.sessionId);
      throw new AppError('UNAUTHORIZED', 'Refresh token was already used, so the session is revoked; log in again');
    }
    throw invalidRefreshToken();
  }

  /** Revoke a session (a no-op when it already is) and disconnect its sockets on every instance. */
  async revoke(sessionId: string, reason: RevokedReason): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    this.logger.log({ sessionId, reason }, 'Session revoked');
    this.realtime.disconnectSession(sessionId);
  }

  /**
   * True while the session exists, belongs to the user, is not revoked and has not expired.
   * NOTE: revoked and expired rows are never deleted; a periodic prune is not implemented yet.
   */
  isActive(sessionId: string, userId: string): Promise<boolean> {
    return this.sessions.exists({ where: { id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) } });
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.ttlSeconds * 1000);
  }
}
