import { Exclude, Expose, plainToInstance, Transform, Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Min, validateSync, ValidatorOptions } from 'class-validator';
import { StartConsentFlowRequestDto } from '../consent-flow/consent-flow.dto';
import { ListConsentsQueryDto } from '../consents/consent.dto';
import { DtoValidationPipe, memoizeValidationMetadata } from './validation';

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
