import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path ids (flows, consents) are UUIDs: anything else is a 400 naming the parameter before any
 * lookup or upstream call, so no path trick ever travels further. Use as `@Param('id', UuidParam)`.
 */
@Injectable()
export class UuidParam implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
    throw AppError.validation([{ field: metadata.data ?? 'id', message: 'must be a UUID' }]);
  }
}
