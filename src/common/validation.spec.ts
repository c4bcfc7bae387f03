import { IsInt, IsString, Min, validateSync, ValidatorOptions } from 'class-validator';
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

  it('passes path parameters, headers and our own decorators through untouched', () => {
    const caller = { subject: 'x' };
    expect(pipe.transform(caller, { type: 'custom', metatype: Object })).toBe(caller);
    expect(pipe.transform('../x', { type: 'param', metatype: String, data: 'id' })).toBe('../x');
  });
});
