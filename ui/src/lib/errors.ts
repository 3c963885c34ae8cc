import type { AppError, FieldError } from '../backend';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isFieldError(value: unknown): value is FieldError {
  return isRecord(value) && typeof value.field === 'string' && typeof value.message === 'string';
}

/**
 * Turns whatever a failed `invoke` produced into an `AppError`.
 * The backend rejects with `{code, message, fields?}`; Tauri itself may reject with a plain
 * string (unknown command, missing runtime) or an Error.
 */
export function toAppError(error: unknown): AppError {
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    const fields = Array.isArray(error.fields) ? error.fields.filter(isFieldError) : undefined;
    return fields ? { code: error.code, message: error.message, fields } : { code: error.code, message: error.message };
  }
  if (error instanceof Error) {
    return { code: 'internal', message: error.message };
  }
  if (typeof error === 'string' && error !== '') {
    return { code: 'internal', message: error };
  }
  return { code: 'internal', message: 'Something went wrong.' };
}

export interface SplitErrors<K extends string> {
  /** Message per known form field. */
  byField: Partial<Record<K, string>>;
  /** What cannot be shown under a field; null when every problem has a field. */
  general: string | null;
}

/**
 * Places an error's messages on the form: each field error under its field, and the rest
 * (no field list, or a field this form does not have) in one general message.
 */
export function splitErrors<K extends string>(error: AppError, formFields: readonly K[]): SplitErrors<K> {
  const byField: Partial<Record<K, string>> = {};
  const leftover: string[] = [];
  for (const { field, message } of error.fields ?? []) {
    const known = formFields.find((f) => f === field);
    if (known === undefined) {
      leftover.push(message);
    } else {
      byField[known] = byField[known] === undefined ? message : `${byField[known]} ${message}`;
    }
  }
  const hasFieldErrors = Object.keys(byField).length > 0;
  if (!hasFieldErrors) {
    return { byField, general: error.message };
  }
  return { byField, general: leftover.length > 0 ? leftover.join(' ') : null };
}
