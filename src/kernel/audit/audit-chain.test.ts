import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalContent, canonicalContentParts, canonicalJson, type HashedContent } from './audit-chain.ts';

describe('canonical content put together from its parts', () => {
  // Strings with the characters JSON escapes, keys in any order, members left out.
  const text = fc.string({ unit: 'binary', maxLength: 8 });
  const nullable = fc.oneof(text, fc.constant(null));
  const value = fc.jsonValue({ maxDepth: 2 });
  const changes = fc.dictionary(text, fc.record({ before: value, after: value }), { maxKeys: 4 });
  const details = fc.dictionary(text, value, { maxKeys: 4 });
  const content = fc.record(
    {
      action: text,
      actor: fc.record({ kind: fc.constantFrom('user', 'api_key', 'system', 'anonymous'), id: nullable }),
      changes,
      details,
      entity: nullable,
      ip: nullable,
      occurredAt: text,
      recordId: nullable,
      requestId: nullable,
      tenantId: text,
    },
    { requiredKeys: ['action', 'actor', 'changes', 'details', 'occurredAt', 'tenantId'] },
  ) as fc.Arbitrary<HashedContent>;

  it('is canonicalJson of the content object (what canonicalContent hashes), and holds the canonical changes and details as they are stored', () => {
    fc.assert(
      fc.property(content, (event) => {
        const parts = canonicalContentParts(event);
        const { action, actor, changes, details, entity, ip, occurredAt, recordId, requestId, tenantId } = event;
        expect(parts.text).toBe(canonicalJson({ action, actor: { id: actor.id, kind: actor.kind }, changes, details, entity, ip, occurredAt, recordId, requestId, tenantId }));
        expect(canonicalContent(event)).toBe(parts.text);
        expect(parts.changes).toBe(canonicalJson(event.changes));
        expect(parts.details).toBe(canonicalJson(event.details));
        const parsed = JSON.parse(parts.text) as { changes: unknown; details: unknown };
        expect(parsed.changes).toEqual(JSON.parse(parts.changes));
        expect(parsed.details).toEqual(JSON.parse(parts.details));
      }),
      { numRuns: 500 },
    );
  });
});
