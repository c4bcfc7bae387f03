import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own loggers print query parameters on errors and slow queries, and parameters carry
 * national-id hashes, ciphertexts and NoGi ids. This one logs the SQL text and the error only.
 */
export class SafeTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    const code = typeof error === 'string' ? undefined : (error as { code?: string }).code;
    // PostgreSQL puts the offending values into `detail` (e.g. "Key (x)=(...) already exists"): never log it.
    this.logger.warn({ query: truncate(query), code, error: stripValues(message) }, 'Query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query: truncate(query), durationMs: time }, 'Slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

function truncate(query: string): string {
  return query.length > 500 ? `${query.slice(0, 500)}…` : query;
}

function stripValues(message: string): string {
  return message.replace(/\(([^)]*)\)=\(([^)]*)\)/g, '($1)=(…)');
}
