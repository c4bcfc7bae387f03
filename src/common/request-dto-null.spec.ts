import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** Every class that a src/**\/*.dto.ts file exports and that carries validation rules. */
function requestDtos(): Array<new () => object> {
  const root = join(__dirname, '..');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dto.ts'));
  const classes = files.flatMap((f) => Object.values(require(join(root, f)) as Record<string, unknown>)).filter((v): v is new () => object => typeof v === 'function');
  return classes.filter((c) => getMetadataStorage().getTargetValidationMetadatas(c, '', true, false).length > 0);
}

describe('request DTOs', () => {
  const dtos = requestDtos();

  it('are found (bodies and queries)', () => {
    expect(dtos.map((d) => d.name)).toEqual(expect.arrayContaining(['StartConsentFlowRequestDto', 'RegisterConsentRequestDto', 'ListConsentsQueryDto', 'GetConsentQueryDto']));
  });

  // class-validator's IsOptional skips null as well as a missing field, so null reached the services
  // (a 500); an optional field may only be left out (IsOmittable), and null meets the field's rules.
  it.each(dtos.map((d) => [d.name, d] as const))('%s validates null in every optional field', (_name, dto) => {
    const conditions = getMetadataStorage()
      .getTargetValidationMetadatas(dto, '', true, false)
      .filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    for (const m of conditions) {
      const condition = m.constraints[0] as (object: object, value: unknown) => boolean;
      expect(`${m.propertyName}: ${condition({ [m.propertyName]: null }, null)}`).toBe(`${m.propertyName}: true`);
      expect(`${m.propertyName}: ${condition({}, undefined)}`).toBe(`${m.propertyName}: false`);
    }
  });
});
