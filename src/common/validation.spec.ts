import { IsInt, IsString, Min, validateSync, ValidatorOptions } from 'class-validator';
import { memoizeValidationMetadata } from './validation';

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
