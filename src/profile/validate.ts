// Owns checking what a customer (or an app, an admin) gives for a profile field: its type, length, range,
// pattern and options, with a message a person understands. Values come out in the claim's JSON shape.
import { t } from '../i18n/translate.ts';
import type { ProfileField } from './schema.ts';

export type FieldVerdict =
  | { status: 'empty' }
  | { status: 'ok'; value: unknown }
  | { status: 'invalid'; message: string };

const DEFAULT_MAX_LENGTH = 200;
const PHONE = /^\+[1-9]\d{6,14}$/;

function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function checkText(field: ProfileField, text: string, label: string): FieldVerdict {
  const { minLength, maxLength = DEFAULT_MAX_LENGTH, pattern } = field.validation;
  if (minLength !== undefined && text.length < minLength) return { status: 'invalid', message: t('common.profile.too_short', { label, count: minLength }) };
  if (text.length > maxLength) return { status: 'invalid', message: t('common.profile.too_long', { label, count: maxLength }) };
  if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`, 'u').test(text)) return { status: 'invalid', message: t('common.profile.format', { label }) };
  if (field.key === 'phone_number' && pattern === undefined && !PHONE.test(text.replace(/[\s()-]/g, ''))) {
    return { status: 'invalid', message: t('common.profile.phone', { label }) };
  }
  if ((field.key === 'picture' || field.key === 'website') && !isHttpUrl(text)) return { status: 'invalid', message: t('common.profile.url', { label }) };
  if (field.key === 'phone_number') return { status: 'ok', value: text.replace(/[\s()-]/g, '') };
  if (field.key === 'address') return { status: 'ok', value: { formatted: text } };
  return { status: 'ok', value: text };
}

/** `raw` is every value sent under the field's name (several for a multiple choice). */
export function validateFieldInput(field: ProfileField, raw: readonly string[], label: string): FieldVerdict {
  const values = raw.map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return { status: 'empty' };
  const first = values[0]!;
  switch (field.type) {
    case 'string':
      return checkText(field, first, label);
    case 'number': {
      const number = Number(first);
      if (!/^-?\d+(\.\d+)?$/.test(first) || !Number.isFinite(number)) return { status: 'invalid', message: t('common.profile.number', { label }) };
      const { min, max } = field.validation;
      if (min !== undefined && number < min) return { status: 'invalid', message: t('common.profile.min', { label, min }) };
      if (max !== undefined && number > max) return { status: 'invalid', message: t('common.profile.max', { label, max }) };
      return { status: 'ok', value: number };
    }
    case 'boolean':
      if (first === 'true' || first === 'false') return { status: 'ok', value: first === 'true' };
      return { status: 'invalid', message: t('common.profile.boolean', { label }) };
    case 'date': {
      if (!isRealDate(first)) return { status: 'invalid', message: t('common.profile.date', { label }) };
      if (field.key === 'birthdate' && first > new Date().toISOString().slice(0, 10)) return { status: 'invalid', message: t('common.profile.future', { label }) };
      return { status: 'ok', value: first };
    }
    case 'single_choice':
      if (!field.options?.some((o) => o.value === first)) return { status: 'invalid', message: t('common.profile.choice', { label }) };
      return { status: 'ok', value: first };
    case 'multi_choice': {
      const allowed = new Set(field.options?.map((o) => o.value));
      if (!values.every((v) => allowed.has(v))) return { status: 'invalid', message: t('common.profile.choices', { label }) };
      return { status: 'ok', value: [...new Set(values)] };
    }
  }
}

/** A value as set through an API (JSON), checked by the same rules as a form. */
export function validateFieldValue(field: ProfileField, value: unknown, label: string): FieldVerdict {
  if (value === null || value === undefined) return { status: 'empty' };
  if (field.key === 'address' && typeof value === 'object' && !Array.isArray(value)) {
    const formatted = (value as { formatted?: unknown }).formatted;
    return typeof formatted === 'string' ? validateFieldInput(field, [formatted], label) : { status: 'invalid', message: t('common.profile.address', { label }) };
  }
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? validateFieldInput(field, value as string[], label) : { status: 'invalid', message: t('common.profile.list', { label }) };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return validateFieldInput(field, [String(value)], label);
  return { status: 'invalid', message: t('common.profile.type', { label }) };
}
