import { ValidationError, ValidationPipe } from '@nestjs/common';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { AppError, FieldError } from './problem';
import { isValidNationalId } from './national-id';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: message.replace(/^property \S+ /, '') }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Whitelisted, strict validation whose errors name each field (problem+json `errors`). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
