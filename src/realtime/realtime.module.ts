import { Global, Module } from '@nestjs/common';
import { RealtimeEmitter } from './realtime.emitter';

/** The emitter is global so every feature service can push after commit without importing the gateway. */
@Global()
@Module({
  providers: [RealtimeEmitter],
  exports: [RealtimeEmitter],
})
export class RealtimeModule {}
