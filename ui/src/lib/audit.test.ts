import { describe, expect, it } from 'vitest';
import { auditValue, diffFields, shortId } from './audit';

describe('diffFields', () => {
  it('keeps only the keys whose value changed', () => {
    expect(diffFields({ name: 'Acme', city: 'Bonn', phone: '1' }, { name: 'Acme', city: 'Berlin', phone: '1' })).toEqual([
      { field: 'city', before: 'Bonn', after: 'Berlin' },
    ]);
  });

  it('treats a missing key as null', () => {
    expect(diffFields({ name: 'A', email: null }, { name: 'A' })).toEqual([]);
    expect(diffFields({ name: 'A' }, { name: 'A', email: 'a@x' })).toEqual([{ field: 'email', before: null, after: 'a@x' }]);
  });

  it('lists every set field of a create or a delete', () => {
    expect(diffFields(null, { name: 'A', city: null, version: 1 })).toEqual([
      { field: 'name', before: null, after: 'A' },
      { field: 'version', before: null, after: 1 },
    ]);
    expect(diffFields({ name: 'A' }, null)).toEqual([{ field: 'name', before: 'A', after: null }]);
    expect(diffFields(null, null)).toEqual([]);
  });

  it('compares nested values by content', () => {
    expect(diffFields({ tags: ['a'] }, { tags: ['a'] })).toEqual([]);
    expect(diffFields({ tags: ['a'] }, { tags: ['b'] })).toHaveLength(1);
  });
});

describe('auditValue / shortId', () => {
  it('formats values', () => {
    expect(auditValue(null)).toBe('—');
    expect(auditValue('')).toBe('—');
    expect(auditValue('x')).toBe('x');
    expect(auditValue(3)).toBe('3');
    expect(auditValue({ a: 1 })).toBe('{"a":1}');
  });

  it('shortens ids', () => {
    expect(shortId('0123456789abcdef')).toBe('01234567');
    expect(shortId('abc')).toBe('abc');
  });
});
