import { uuidV5 } from './uuid-v5';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it('gives the ids other implementations give (Python uuid.uuid5), UTF-8 names included', () => {
    expect(uuidV5('python.org', DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('https://example.com/ä', URL_NS)).toBe('afdef7ba-7312-5e42-ac2d-ed60cef58139');
  });

  it('is version 5, RFC variant, and different for another name or namespace', () => {
    const id = uuidV5('a', DNS);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('b', DNS)).not.toBe(id);
    expect(uuidV5('a', URL_NS)).not.toBe(id);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('a', 'not-a-uuid')).toThrow(RangeError);
  });
});
