/**
 * Checks a flag's key and definition, reporting every problem at once with pointers into the PUT
 * body (the key as the `key` parameter), and returns the definition as stored: NFC text, user ids
 * lower case, duplicates dropped. Input may come from in-process callers, so nothing is assumed.
 */
import { escapePointer, isUuid, type FieldError } from '../shared/index.ts';
import type { FeatureFlagInput, FlagAttributeValue, FlagRules } from './feature-flags.contract.ts';
import { flagErrors } from './feature-flags.errors.ts';

export const flagKeyPattern = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Keys that would shadow a route under /v1/feature-flags/. */
export const reservedFlagKeys: readonly string[] = ['evaluated'];
export const flagLimits = { description: 500, roles: 100, users: 1000, attributes: 20, attributeValues: 100, attributeText: 200 } as const;

const rolePattern = /^[a-z][a-z0-9_-]{0,39}$/;
const attributeNamePattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ruleNames = new Set(['roles', 'users', 'percentage', 'attributes']);

export interface FlagDefinition {
  description: string | null;
  enabled: boolean;
  rules: FlagRules;
}

export const isFlagKey = (key: string): boolean => typeof key === 'string' && flagKeyPattern.test(key) && !reservedFlagKeys.includes(key);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The stored form of a definition; throws flags.invalid_flag with every problem. */
export function normalizeFlag(key: string, input: FeatureFlagInput): FlagDefinition {
  const errors: FieldError[] = [];
  if (!isFlagKey(key)) {
    const detail = reservedFlagKeys.includes(key) ? `"${key}" is reserved` : 'a lower-case letter, then up to 63 of a-z 0-9 _ . -';
    errors.push({ parameter: 'key', detail });
  }
  if (!isObject(input)) throw flagErrors.invalidFlag([...errors, { pointer: '', detail: 'an object' }]);
  for (const name of Object.keys(input)) {
    if (!['description', 'enabled', 'rules'].includes(name)) errors.push({ pointer: `/${escapePointer(name)}`, detail: 'unknown property' });
  }
  if (typeof input.enabled !== 'boolean') errors.push({ pointer: '/enabled', detail: 'true or false' });
  const description = normalizeDescription(input.description, errors);
  const rules = input.rules === undefined ? {} : normalizeRules(input.rules, errors);
  if (errors.length > 0) throw flagErrors.invalidFlag(errors);
  return { description, enabled: input.enabled, rules };
}

function normalizeDescription(value: unknown, errors: FieldError[]): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value.normalize('NFC').trim() : undefined;
  if (text === undefined || text.length > flagLimits.description || text.includes('\u0000')) {
    errors.push({ pointer: '/description', detail: `text of at most ${flagLimits.description} characters, or null` });
    return null;
  }
  return text === '' ? null : text;
}

function normalizeRules(value: unknown, errors: FieldError[]): FlagRules {
  if (!isObject(value)) {
    errors.push({ pointer: '/rules', detail: 'an object' });
    return {};
  }
  const rules: FlagRules = {};
  for (const name of Object.keys(value)) if (!ruleNames.has(name)) errors.push({ pointer: `/rules/${escapePointer(name)}`, detail: 'unknown target: roles, users, percentage or attributes' });
  if (value.roles !== undefined) rules.roles = listOf(value.roles, '/rules/roles', flagLimits.roles, errors, (role) => (typeof role === 'string' && rolePattern.test(role) ? role : undefined), 'a role name');
  if (value.users !== undefined) rules.users = listOf(value.users, '/rules/users', flagLimits.users, errors, (user) => (typeof user === 'string' && isUuid(user) ? user.toLowerCase() : undefined), 'a user id (UUID)');
  if (value.percentage !== undefined) {
    const percentage = value.percentage;
    const valid = typeof percentage === 'number' && Number.isFinite(percentage) && percentage >= 0 && percentage <= 100 && Math.abs(percentage * 100 - Math.round(percentage * 100)) < 1e-6;
    if (valid) rules.percentage = percentage;
    else errors.push({ pointer: '/rules/percentage', detail: 'a number from 0 to 100 with at most two decimals' });
  }
  if (value.attributes !== undefined) rules.attributes = normalizeAttributes(value.attributes, errors);
  return rules;
}

function normalizeAttributes(value: unknown, errors: FieldError[]): Record<string, FlagAttributeValue[]> {
  const at = '/rules/attributes';
  if (!isObject(value)) {
    errors.push({ pointer: at, detail: 'an object of attribute name -> values' });
    return {};
  }
  const names = Object.keys(value);
  if (names.length > flagLimits.attributes) errors.push({ pointer: at, detail: `at most ${flagLimits.attributes} attributes` });
  const attributes: Record<string, FlagAttributeValue[]> = {};
  for (const name of names.slice(0, flagLimits.attributes)) {
    if (!attributeNamePattern.test(name)) {
      errors.push({ pointer: `${at}/${escapePointer(name)}`, detail: 'an attribute name: a letter, then up to 63 letters, digits or _' });
      continue;
    }
    attributes[name] = listOf(value[name], `${at}/${name}`, flagLimits.attributeValues, errors, attributeValue, `text (at most ${flagLimits.attributeText} characters), a number or a boolean`);
  }
  return attributes;
}

function attributeValue(value: unknown): FlagAttributeValue | undefined {
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value !== 'string' || value.length > flagLimits.attributeText || value.includes('\u0000')) return undefined;
  return value.normalize('NFC');
}

/** A list of valid items (duplicates dropped), each bad item reported at its own pointer. */
function listOf<T>(value: unknown, at: string, max: number, errors: FieldError[], accept: (item: unknown) => T | undefined, what: string): T[] {
  if (!Array.isArray(value)) {
    errors.push({ pointer: at, detail: 'a list' });
    return [];
  }
  if (value.length > max) {
    errors.push({ pointer: at, detail: `at most ${max} entries` });
    return [];
  }
  const items: T[] = [];
  value.forEach((item, index) => {
    const accepted = accept(item);
    if (accepted === undefined) errors.push({ pointer: `${at}/${index}`, detail: what });
    else if (!items.includes(accepted)) items.push(accepted);
  });
  return items;
}
