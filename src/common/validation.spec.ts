import { Body, Controller, Post, Query } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Exclude, Expose, plainToInstance, Transform, Type } from 'class-transformer';
import { ArrayMaxSize, getMetadataStorage, IsInt, IsObject, IsOptional, IsString, Min, ValidateNested, validateSync, ValidatorOptions } from 'class-validator';
import fc from 'fast-check';
import { StartConsentFlowRequestDto } from '../consent-flow/consent-flow.dto';
import { ListConsentsQueryDto } from '../consents/consent.dto';
import '../consents/consent.dto';
import '../providers/openbanking/accounts-query.dto';
import { assertDtoParametersValidated, DtoBody, DtoQuery, DtoValidationPipe, memoizeValidationMetadata, passesRules } from './validation';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  count!: number;

  @IsInt({ groups: ['strict'] })
  grouped!: unknown;
}

const child = (values: Partial<Record<keyof Child, unknown>>) => Object.assign(new Child(), values);
const failing = (object: object, options: ValidatorOptions = {}) =>
  validateSync(object, options)
    .map((e) => e.property)
    .sort();

const cases: Array<[object, ValidatorOptions]> = [
  [child({ name: 'a', count: 2, grouped: 1 }), {}],
  [child({ name: 7, count: 0, grouped: 1 }), {}],
  [child({ name: 'a', count: 2, grouped: 'x' }), {}],
  [child({ name: 'a', count: 2, grouped: 'x' }), { strictGroups: true }],
  [child({ name: 'a', count: 0, grouped: 'x' }), { groups: ['strict'] }],
  [Object.assign(new Base(), { name: 3 }), {}],
];

describe('memoizeValidationMetadata', () => {
  // What class-validator answers on its own, before the lookups are remembered.
  const unmemoized = cases.map(([object, options]) => failing(object, options));

  beforeAll(() => memoizeValidationMetadata());

  it('gives the answers class-validator gives on its own: own and inherited rules, per group selection, call after call', () => {
    expect(unmemoized).toEqual([[], ['count', 'name'], ['grouped'], [], ['grouped'], ['name']]);
    for (let i = 0; i < 3; i++) expect(cases.map(([object, options]) => failing(object, options))).toEqual(unmemoized);
  });

  it('is idempotent', () => {
    memoizeValidationMetadata();
    expect(cases.map(([object, options]) => failing(object, options))).toEqual(unmemoized);
  });
});

describe('DtoValidationPipe', () => {
  const pipe = new DtoValidationPipe();
  const body = { type: 'body' as const, metatype: StartConsentFlowRequestDto };
  const problem = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return { code: (error as { code: string }).code, errors: (error as { extras?: { errors?: unknown } }).extras?.errors };
    }
    throw new Error('no error');
  };

  it('returns an instance of the DTO with the values given', () => {
    const value = pipe.transform({ purpose: 'presentation', returnUrl: 'https://bank.example/x' }, body);
    expect(value).toBeInstanceOf(StartConsentFlowRequestDto);
    expect(value).toEqual({ purpose: 'presentation', returnUrl: 'https://bank.example/x' });
  });

  it('names each field that breaks a rule, and a field the DTO does not have', () => {
    expect(problem(() => pipe.transform({ purpose: 'x', returnUrl: 5, admin: true }, body))).toEqual({
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([
        { field: 'purpose', message: expect.any(String) },
        { field: 'returnUrl', message: expect.any(String) },
        { field: 'admin', message: expect.stringContaining('should not exist') },
      ]),
    });
  });

  it.each([null, [], 'text', 7])('answers a body that is not an object (%j) with a 400 naming the body', (value) => {
    expect(problem(() => pipe.transform(value, body))).toEqual({ code: 'VALIDATION_FAILED', errors: [{ field: 'body', message: 'must be a JSON object' }] });
  });

  it('applies the query DTO conversions (class-transformer @Type)', () => {
    const value = pipe.transform({ limit: '5' }, { type: 'query', metatype: ListConsentsQueryDto }) as { limit: unknown };
    expect(value.limit).toBe(5);
  });

  it('makes the same instance plainToInstance makes for a DTO without class-transformer decorators, nested values included', () => {
    const plain = { name: 'a', count: 2, tags: ['x', { y: [1, null] }], nested: { deep: { v: true } }, nothing: null };
    const value = pipe.transform(structuredClone(plain), { type: 'body', metatype: Loose });
    expect(value).toBeInstanceOf(Loose);
    expect(value).toEqual(plainToInstance(Loose, structuredClone(plain)));
  });

  it('never copies a __proto__ or constructor key onto the instance', () => {
    const plain = JSON.parse('{"name":"a","count":2,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as object;
    const value = pipe.transform(plain, { type: 'body', metatype: Loose }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Loose.prototype);
    expect(value.polluted).toBeUndefined();
    expect(Object.keys(value).filter((key) => value[key] !== undefined).sort()).toEqual(['count', 'name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves a DTO with @Transform, @Expose or an inherited @Type to class-transformer', () => {
    expect((pipe.transform({ code: ' ab ' }, { type: 'body', metatype: Trimmed }) as Trimmed).code).toBe('ab');
    expect((pipe.transform({ given_name: 'Kari' }, { type: 'body', metatype: Renamed }) as Renamed).givenName).toBe('Kari');
    expect((pipe.transform({ limit: '7', extra: 'x' }, { type: 'query', metatype: InheritsType }) as InheritsType).limit).toBe(7);
  });

  it('answers every body as plainToInstance and class-validator answered it before', () => {
    const before = (value: object, metatype: new () => object) => {
      const errors = validateSync(plainToInstance(metatype, value) as object, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true, validationError: { target: false, value: false } });
      return errors.length > 0 ? { failed: errors.map((e) => e.property).sort() } : { value: { ...(plainToInstance(metatype, value) as object) } };
    };
    const now = (value: object, metatype: new () => object) => {
      try {
        return { value: { ...(pipe.transform(value, { type: 'body', metatype }) as object) } };
      } catch (error) {
        return { failed: ((error as { extras: { errors: Array<{ field: string }> } }).extras.errors.map((e) => e.field) as string[]).sort() };
      }
    };
    const cases: Array<[object, new () => object]> = [
      [{ purpose: 'presentation', durationDays: 90, returnUrl: 'https://nettbank.example/x', nationalId: '14842249091' }, StartConsentFlowRequestDto],
      [{ purpose: 'presentation', durationDays: '90', returnUrl: 'https://nettbank.example/x' }, StartConsentFlowRequestDto],
      [{ dataset: 'income', fromMonth: '2026-01', toMonth: '2026-13', returnUrl: 'x', extra: 1 }, StartConsentFlowRequestDto],
      [{ name: 'a', count: 2, tags: [{ a: 1 }] }, Loose],
      [{ code: ' ab ' }, Trimmed],
      [{ given_name: 'Kari' }, Renamed],
      [{ givenName: 'Kari' }, Renamed],
      [{ limit: '7', extra: 'x' }, InheritsType],
      [{ shown: 'a', hidden: 'b' }, InheritsExclude],
      [{ shown: 'a', hidden: 'b' }, ExcludeAll],
    ];
    for (const [value, metatype] of cases) expect(now(structuredClone(value), metatype)).toEqual(before(structuredClone(value), metatype));
  });

  it("refuses a key named like an Object.prototype method, which class-validator's whitelist takes for a known property", () => {
    const value = { hasOwnProperty: 1, isPrototypeOf: 'x', returnUrl: 'https://bank.example/x' };
    // class-validator alone lets both through (its whitelist reads the key from a plain object).
    expect(validateSync(Object.assign(new StartConsentFlowRequestDto(), value), { whitelist: true, forbidNonWhitelisted: true })).toEqual([]);
    expect(problem(() => pipe.transform(value, body))).toEqual({
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'hasOwnProperty', message: 'should not exist' },
        { field: 'isPrototypeOf', message: 'should not exist' },
      ],
    });
  });

  it('passes path parameters, headers and our own decorators through untouched', () => {
    const caller = { subject: 'x' };
    expect(pipe.transform(caller, { type: 'custom', metatype: Object })).toBe(caller);
    expect(pipe.transform('../x', { type: 'param', metatype: String, data: 'id' })).toBe('../x');
  });
});

class Loose {
  @IsString() name!: string;
  @IsInt() count!: number;
  @IsOptional() tags?: unknown[];
  @IsOptional() @IsObject() nested?: object;
  @IsOptional() nothing?: null;
}

class Trimmed {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  code!: string;
}

class Renamed {
  @Expose({ name: 'given_name' })
  @IsString()
  givenName!: string;
}

class Paged {
  @Type(() => Number)
  @IsInt()
  limit!: number;
}

class InheritsType extends Paged {
  @IsString() extra!: string;
}

@Exclude()
class ExcludeAll {
  @Expose()
  @IsString()
  shown!: string;
}

class InheritsExclude extends ExcludeAll {
  @IsString() hidden!: string;
}

class WithNested {
  @ValidateNested() @Type(() => Loose) @IsObject() loose!: Loose;
}

class WithEach {
  @IsString({ each: true }) @ArrayMaxSize(3) tags!: string[];
}

describe('passesRules (the pipe\'s fast path)', () => {
  const options: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true };
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, Array<{ propertyName: string; constraints?: unknown[] }>> };
  // Every class with rules this spec loaded: the service's request DTOs and the classes above.
  const classes = [...storage.validationMetadatas.keys()].filter((target): target is new () => object => typeof target === 'function');
  // Values near the rules: what the rules themselves name (IsIn's lists, Min's bounds), valid and invalid samples of the formats.
  const named = [...storage.validationMetadatas.values()].flat().flatMap((m) => (m.constraints ?? []).flatMap((c) => (Array.isArray(c) ? c : [c])));
  const samples = [
    ...named.filter((c) => typeof c === 'string' || typeof c === 'number'),
    '14842249091', '14842249092', '2026-01', '2026-13', 'https://bank.example/x', 'x'.repeat(501), 'a<b', 'plain text', '', '5', '0', 'true',
    0, 1, -1, 1.5, 90, 365, 366, 2000, 2025, Number.NaN, true, null, [], ['a'], { name: 'a', count: 1 }, {},
  ];
  const value = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...samples) }, fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 3000 }), fc.constant(undefined));
  const bodyOf = (target: new () => object) => {
    const own = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).map((m) => m.propertyName);
    const properties = [...new Set([...own, 'given_name', 'extra'])];
    return fc.dictionary(fc.constantFrom(...properties), value, { maxKeys: properties.length });
  };

  it.each(classes.map((target) => [target.name, target] as const))('%s: true exactly when class-validator finds nothing wrong', (_name, target) => {
    const runnable = target !== WithNested && target !== WithEach;
    let valid = 0;
    fc.assert(
      fc.property(bodyOf(target), (plain) => {
        const entity = plainToInstance(target, plain) as object;
        const expected = runnable && validateSync(entity, options).length === 0;
        if (expected) valid++;
        expect(passesRules(entity)).toBe(expected);
      }),
      { numRuns: 400, seed: 20261202 },
    );
    // The samples reach both answers for the service's DTOs (a class whose every body failed would prove little).
    if (target.name.endsWith('Dto')) expect(valid).toBeGreaterThan(0);
  });
});

@Controller('checked')
class CheckedController {
  @Post()
  create(@DtoBody() _body: Loose, @DtoQuery() _query: Paged, @Query() _raw: Record<string, unknown>, @Body('name') _name: string): void {}
}

@Controller('unchecked')
class UncheckedController {
  @Post()
  create(@Body() _body: Loose): void {}

  @Post('q')
  list(@DtoBody() _body: Loose, @Query() _query: Paged): void {}
}

describe('assertDtoParametersValidated', () => {
  const appWith = async (controller: new () => object) => {
    const module = await Test.createTestingModule({ controllers: [controller] }).compile();
    return module.createNestApplication(new FastifyAdapter(), { logger: false });
  };

  it('accepts DTO parameters behind DtoValidationPipe, and plain objects and strings without it', async () => {
    const app = await appWith(CheckedController);
    expect(() => assertDtoParametersValidated(app)).not.toThrow();
    await app.close();
  });

  it('refuses to start with a body or query DTO that nothing validates, naming each', async () => {
    const app = await appWith(UncheckedController);
    expect(() => assertDtoParametersValidated(app)).toThrow('DTO parameters without DtoValidationPipe (use @DtoBody() / @DtoQuery()): UncheckedController.create parameter 0, UncheckedController.list parameter 1');
    await app.close();
  });
});
