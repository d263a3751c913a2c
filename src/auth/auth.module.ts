import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { Environment } from '../config/environment';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { JWT_SECRET, resolveJwtSecret } from './jwt-secret';
import { PasswordService } from './password.service';
import { TokenService } from './token.service';

@Module({
  imports: [
    PassportModule,
    UsersModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ({
        signOptions: { expiresIn: config.get('JWT_ACCESS_TTL_SECONDS', { infer: true }) },
      }),
    }),
  ],
  controllers: [AuthController],
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
    AuthService,
    PasswordService,
    TokenService,
    JwtStrategy,
  ],
  exports: [TokenService],
})
export class AuthModule {}
