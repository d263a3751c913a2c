import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../auth/public.decorator';
import { AsyncApiBuilder, AsyncApiDocument } from './asyncapi.builder';
import { renderAsyncApiHtml } from './asyncapi.html';

/** Serves the AsyncAPI document of the socket protocol, outside the /api prefix. */
@ApiExcludeController()
@Public()
@Controller('docs')
export class AsyncApiController {
  constructor(private readonly builder: AsyncApiBuilder) {}

  @Get('socket.json')
  json(@Req() request: Request): AsyncApiDocument {
    return this.builder.build(request.get('host') ?? 'localhost');
  }

  @Get('socket')
  @Header('Content-Type', 'text/html; charset=utf-8')
  html(@Req() request: Request): string {
    return renderAsyncApiHtml(this.builder.build(request.get('host') ?? 'localhost'));
  }
}
