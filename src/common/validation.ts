import { ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, registerDecorator, ValidateIf, validateSync, ValidationOptions, ValidatorOptions } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { AppError, FieldError } from './problem';
import { isValidNationalId } from './national-id';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: message.replace(/^property \S+ /, '') }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const MEMOIZED = Symbol('memoized');

/**
 * class-validator looks a class's rules up again on every validation: a scan of every decorated
 * class, then a regrouping by property (typestack/class-validator#2686). A class's rules are all
 * registered when its module loads, before anything can be validated against it, so the answer for
 * (class, options) never changes afterwards; both lookups are remembered per class. The Twenty
 * server does the same (twentyhq/twenty#24085).
 */
export function memoizeValidationMetadata(): void {
  const storage = getMetadataStorage() as ReturnType<typeof getMetadataStorage> & { [MEMOIZED]?: true };
  if (storage[MEMOIZED]) return;
  storage[MEMOIZED] = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const byTarget = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  const grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // Schema-name validation (a string target) is not used here and not remembered.
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let forTarget = byTarget.get(target);
    if (!forTarget) byTarget.set(target, (forTarget = new Map()));
    let metadatas = forTarget.get(key);
    if (!metadatas) forTarget.set(key, (metadatas = lookup(target, schema, always, strictGroups, groups)));
    return metadatas;
  };
  storage.groupByPropertyName = (metadatas) => {
    let result = grouped.get(metadatas);
    if (!result) grouped.set(metadatas, (result = group(metadatas)));
    return result;
  };
}

/**
 * Nest's ValidationPipe with class-validator's synchronous validation: none of our constraints is
 * asynchronous, and the async variant's promise per property costs a third of a small request.
 */
class SyncValidationPipe extends ValidationPipe {
  protected override validate(object: object, validatorOptions?: ValidatorOptions): ValidationError[] {
    return validateSync(object, validatorOptions);
  }
}

/** Whitelisted, strict validation whose errors name each field (problem+json `errors`). */
export function createValidationPipe(): ValidationPipe {
  memoizeValidationMetadata();
  return new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.validation(flatten(errors)),
  });
}

export function IsNationalId(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNationalId',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an 11-digit national identity number with valid check digits', ...options },
      validator: { validate: (value: unknown) => isValidNationalId(value) },
    });
}

/**
 * The field may be left out. Use it instead of class-validator's IsOptional, which skips `null` too
 * and so lets it reach the service (a 500): here `null` is a value like any other (contract), and
 * the field's own rules answer it with a 400 naming the field.
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
