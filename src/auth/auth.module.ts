import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../config/environment';
import { UsersModule } from '../users/users.module';
import { AuthController, SessionController } from './auth.controller';
import { AuthService } from './auth.service';
import { JWT_SECRET, resolveJwtSecret } from './jwt-secret';
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
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ({
        signOptions: { expiresIn: config.get('JWT_ACCESS_TTL_SECONDS', { infer: true }) },
      }),
    }),
  ],
  controllers: [AuthController, SessionController],
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
    JwtStrategy,
    LoginAttemptsService,
    PasswordService,
    SessionsService,
    TokenService,
  ],
  exports: [AuthService, TokenService],
})
export class AuthModule {}
