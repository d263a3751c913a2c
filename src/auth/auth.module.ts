import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeyObject } from 'node:crypto';
import { Environment } from '../config/environment';
import { UsersModule } from '../users/users.module';
import { AuthController, SessionController } from './auth.controller';
import { AuthService } from './auth.service';
import { JWT_KEY } from './jwt-secret';
import { JwtSecretModule } from './jwt-secret.module';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttemptsService } from './login-attempts.service';
import { PasswordService } from './password.service';
import { Session } from './session.entity';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Session]),
    PassportModule,
    UsersModule,
    JwtSecretModule,
    JwtModule.registerAsync({
      imports: [JwtSecretModule],
      inject: [ConfigService, JWT_KEY],
      useFactory: (config: ConfigService<Environment, true>, key: KeyObject) => ({
        secret: key,
        signOptions: { expiresIn: config.get('JWT_ACCESS_TTL_SECONDS', { infer: true }) },
      }),
    }),
  ],
  controllers: [AuthController, SessionController],
  providers: [AuthService, JwtStrategy, LoginAttemptsService, PasswordService, SessionsService, TokenService],
  exports: [AuthService, TokenService],
})
export class AuthModule {}
