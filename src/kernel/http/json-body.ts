/**
 * The JSON body parser. Fastify's own parser turns every failure, prototype poisoning included, into
 * one "invalid JSON" error, so it is replaced: JSON.parse, then one iterative walk that refuses
 * `__proto__` and `constructor.prototype` keys anywhere and bounds the nesting depth (deeper
 * documents exhaust the stack of serializers and of PostgreSQL's jsonb parser: a 500, not a 400).
 */
import { AppError, escapePointer } from '../shared/index.ts';

export const maxBodyDepth = 64;

export const jsonBodyErrors = {
  empty: () => new AppError('invalid', 'http.empty_body', 'Empty body', { detail: 'The request declares a JSON body but sends none.' }),
  malformed: () => new AppError('invalid', 'http.malformed_json', 'Malformed JSON', { detail: 'The request body is not valid JSON.' }),
  forbiddenProperty: (pointer: string) =>
    new AppError('invalid', 'http.forbidden_property', 'Forbidden property', {
      detail: 'The body contains __proto__ or constructor.prototype, which are refused.',
      errors: [{ pointer, detail: 'forbidden property name' }],
    }),
  tooDeep: (pointer: string) =>
    new AppError('invalid', 'http.body_too_deep', 'Body nested too deeply', {
      detail: `The body nests objects or arrays more than ${maxBodyDepth} levels deep.`,
      errors: [{ pointer, detail: `nested more than ${maxBodyDepth} levels` }],
    }),
};

interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string;
}

/** Parses a JSON request body; throws an AppError (never a bare SyntaxError) when it is refused. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw jsonBodyErrors.empty();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw jsonBodyErrors.malformed();
  }
  checkJsonBody(value);
  return value;
}

function checkJsonBody(root: unknown): void {
  const pending: Visit[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value, depth } = visit;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxBodyDepth) throw jsonBodyErrors.tooDeep(pointerOf(visit));
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) pending.push({ value: value[index], depth: depth + 1, parent: visit, key: String(index) });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const poisoned = key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'));
      if (poisoned) throw jsonBodyErrors.forbiddenProperty(pointerOf({ value: child, depth, parent: visit, key }));
      pending.push({ value: child, depth: depth + 1, parent: visit, key });
    }
  }
}

/** RFC 6901 pointer of a visited value, built only when a problem is reported. */
function pointerOf(visit: Visit): string {
  const segments: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) segments.push(escapePointer(at.key));
  return segments.length === 0 ? '/' : `/${segments.reverse().join('/')}`;
}
