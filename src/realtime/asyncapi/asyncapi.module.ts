import { Module } from '@nestjs/common';
import { AsyncApiBuilder } from './asyncapi.builder';
import { AsyncApiController } from './asyncapi.controller';

@Module({
  controllers: [AsyncApiController],
  providers: [AsyncApiBuilder],
})
export class AsyncApiModule {}
