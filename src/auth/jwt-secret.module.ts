import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createSecretKey, KeyObject } from 'node:crypto';
import { Environment } from '../config/environment';
import { JWT_KEY, JWT_SECRET, resolveJwtSecret } from './jwt-secret';

/**
 * Provides the signing secret once per application, so that JwtModule, the passport-jwt strategy
 * and the refresh-token codec all use the same one (in tests it is generated at boot).
 */
@Module({
  providers: [
    {
      provide: JWT_SECRET,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) =>
        resolveJwtSecret({
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          DATA_DIR: config.get('DATA_DIR', { infer: true }),
        }),
    },
    {
      provide: JWT_KEY,
      inject: [JWT_SECRET],
      useFactory: (secret: string): KeyObject => createSecretKey(Buffer.from(secret, 'utf8')),
    },
  ],
  exports: [JWT_SECRET, JWT_KEY],
})
export class JwtSecretModule {}
