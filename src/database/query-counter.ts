import { Injectable, Logger } from '@nestjs/common';
import { AbstractLogger, LogLevel, LogMessage } from 'typeorm';

/**
 * TypeORM logger that counts the SQL statements the application sends, so tests can prove
 * that a query count does not grow with the data. Errors and migrations go to the app log.
 */
@Injectable()
export class QueryCounter extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');
  private count = 0;

  get queries(): number {
    return this.count;
  }

  override logQuery(): void {
    this.count++;
  }

  protected writeLog(level: LogLevel, logMessage: LogMessage | string | number | (LogMessage | string | number)[]): void {
    const messages = Array.isArray(logMessage) ? logMessage : [logMessage];
    for (const entry of messages) {
      const message = typeof entry === 'object' ? entry : { message: entry };
      if (level === 'error' || message.type === 'query-error') this.logger.error(String(message.message));
      else if (level === 'warn') this.logger.warn(String(message.message));
      else if (message.type === 'migration') this.logger.log(String(message.message));
    }
  }
}
