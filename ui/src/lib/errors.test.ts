import { describe, expect, it } from 'vitest';
import { ACCOUNT_FIELDS } from './form';
import { splitErrors, toAppError } from './errors';

describe('toAppError', () => {
  it('keeps the backend error as it is', () => {
    const error = { code: 'validation', message: 'Invalid account', fields: [{ field: 'email', message: 'Not an e-mail address' }] };
    expect(toAppError(error)).toEqual(error);
  });

  it('drops malformed field entries instead of failing', () => {
    expect(toAppError({ code: 'validation', message: 'x', fields: [{ field: 1 }, { field: 'name', message: 'Required' }] })).toEqual({
      code: 'validation',
      message: 'x',
      fields: [{ field: 'name', message: 'Required' }],
    });
  });

  it('wraps plain strings and Errors from the Tauri runtime', () => {
    expect(toAppError('command list_accounts not found')).toEqual({ code: 'internal', message: 'command list_accounts not found' });
    expect(toAppError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toAppError(undefined).code).toBe('internal');
  });
});

describe('splitErrors', () => {
  const fields = ['name', 'email'] as const;

  it('puts each message under its field and shows no general message then', () => {
    const split = splitErrors(
      { code: 'validation', message: 'Invalid', fields: [{ field: 'name', message: 'Required' }, { field: 'email', message: 'Bad' }] },
      fields,
    );
    expect(split).toEqual({ byField: { name: 'Required', email: 'Bad' }, general: null });
  });

  it('shows the message when no field is named', () => {
    expect(splitErrors({ code: 'conflict', message: 'Deleted meanwhile' }, fields)).toEqual({ byField: {}, general: 'Deleted meanwhile' });
  });

  it('keeps messages for fields the form does not have visible', () => {
    const split = splitErrors(
      { code: 'validation', message: 'Invalid', fields: [{ field: 'name', message: 'Required' }, { field: 'owner', message: 'Unknown owner' }] },
      fields,
    );
    expect(split).toEqual({ byField: { name: 'Required' }, general: 'Unknown owner' });
  });

  it('places a territory error under the account form’s territory field', () => {
    const split = splitErrors(
      { code: 'validation', message: 'Invalid', fields: [{ field: 'territory', message: 'Unknown territory' }] },
      ACCOUNT_FIELDS,
    );
    expect(split).toEqual({ byField: { territory: 'Unknown territory' }, general: null });
  });
});
