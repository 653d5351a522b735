import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlagPrincipal, FlagRules } from './feature-flags.contract.ts';
import { evaluateFlag, isInRollout, rolloutBucket, rolloutBuckets } from './feature-flags.evaluation.ts';

const tenantId = '0190a5f2-0000-7000-8000-000000000001';
const userId = '0190a5f2-0000-7000-8000-0000000000aa';
const flag = (rules: FlagRules, enabled = true) => ({ key: 'checkout.new-flow', enabled, rules });
const principal = (overrides: Partial<FlagPrincipal> = {}): FlagPrincipal => ({ tenantId, userId, roles: ['member'], ...overrides });
/** 0 to 100 with at most two decimals, as a stored percentage. */
const percentage = fc.integer({ min: 0, max: 10_000 }).map((hundredths) => hundredths / 100);
const anyPrincipal = fc.record({
  tenantId: fc.uuid(),
  userId: fc.option(fc.uuid(), { nil: null }),
  apiKeyId: fc.option(fc.uuid(), { nil: null }),
  roles: fc.array(fc.constantFrom('owner', 'admin', 'member', 'viewer', 'sales'), { maxLength: 3 }),
  attributes: fc.dictionary(fc.constantFrom('region', 'plan'), fc.constantFrom('north', 'south', 'pro')),
});
const anyRules: fc.Arbitrary<FlagRules> = fc.record(
  {
    roles: fc.array(fc.constantFrom('admin', 'member', 'sales'), { maxLength: 2 }),
    users: fc.array(fc.uuid(), { maxLength: 2 }),
    percentage,
    attributes: fc.dictionary(fc.constantFrom('region', 'plan'), fc.array(fc.constantFrom('north', 'south', 'pro'), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

describe('flag evaluation', () => {
  it('is off for everyone when the kill switch is off, whatever the rules', () => {
    fc.assert(fc.property(anyRules, anyPrincipal, (rules, who) => !evaluateFlag(flag(rules, false), who)));
  });

  it('is on for everyone, even without a user, when enabled with no target', () => {
    fc.assert(fc.property(anyPrincipal, (who) => evaluateFlag(flag({}), who)));
  });

  it('is on when any target matches (OR): a listed user, a listed role, or a listed attribute value', () => {
    const rules: FlagRules = { users: ['0190A5F2-0000-7000-8000-0000000000BB'.toLowerCase()], roles: ['sales'], attributes: { regions: ['north'] }, percentage: 0 };
    expect(evaluateFlag(flag(rules), principal())).toBe(false);
    expect(evaluateFlag(flag(rules), principal({ userId: '0190A5F2-0000-7000-8000-0000000000BB' }))).toBe(true);
    expect(evaluateFlag(flag(rules), principal({ roles: ['member', 'sales'] }))).toBe(true);
    expect(evaluateFlag(flag(rules), principal({ attributes: { regions: ['south', 'north'] } }))).toBe(true);
    expect(evaluateFlag(flag(rules), principal({ attributes: { regions: 'north' } }))).toBe(true);
    expect(evaluateFlag(flag(rules), principal({ attributes: { regions: 'west' } }))).toBe(false);
  });

  it('matches nobody with a target named by an empty list', () => {
    const emptyTargets: FlagRules[] = [{ roles: [] }, { users: [] }, { attributes: {} }, { attributes: { region: [] } }, { percentage: 0 }];
    for (const rules of emptyTargets) {
      expect(evaluateFlag(flag(rules), principal({ roles: ['owner'], attributes: { region: 'north' } })), JSON.stringify(rules)).toBe(false);
    }
  });

  it('never puts a principal without a user or API key in a percentage rollout, even at 100 %', () => {
    expect(evaluateFlag(flag({ percentage: 100 }), principal({ userId: null }))).toBe(false);
    expect(evaluateFlag(flag({ percentage: 100 }), principal({ userId: null, apiKeyId: '0190a5f2-0000-7000-8000-0000000000cc' }))).toBe(true);
    expect(evaluateFlag(flag({ percentage: 100 }), principal())).toBe(true);
  });

  it('buckets deterministically, in 0..9999, per tenant, flag and subject (case-insensitively)', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/), fc.uuid(), (tenant, key, subject) => {
        const bucket = rolloutBucket(tenant, key, subject);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < rolloutBuckets).toBe(true);
        expect(rolloutBucket(tenant.toUpperCase(), key, subject.toUpperCase())).toBe(bucket);
      }),
    );
  });

  it('is monotonic: raising the percentage never turns a principal off', () => {
    fc.assert(
      fc.property(anyPrincipal, percentage, percentage, (who, first, second) => {
        const [low, high] = first <= second ? [first, second] : [second, first];
        return !evaluateFlag(flag({ percentage: low }), who) || evaluateFlag(flag({ percentage: high }), who);
      }),
      { numRuns: 500 },
    );
  });

  it('turns on a share of a large population within 1.5 points of the percentage', () => {
    const users = fc.sample(fc.uuid(), 20_000);
    fc.assert(
      fc.property(fc.uuid(), percentage, (tenant, share) => {
        const on = users.filter((user) => evaluateFlag(flag({ percentage: share }), { tenantId: tenant, userId: user })).length;
        // Binomial: the standard deviation of the share is at most 0.35 points for 20,000 users.
        expect(Math.abs((on / users.length) * 100 - share)).toBeLessThan(1.5);
      }),
      { numRuns: 15 },
    );
  });

  it('draws an independent population per flag: two 50 % flags overlap on about a quarter', () => {
    const users = fc.sample(fc.uuid(), 20_000);
    const on = (key: string) => new Set(users.filter((user) => isInRollout(rolloutBucket(tenantId, key, user), 50)));
    const first = on('flag.one');
    const both = [...on('flag.two')].filter((user) => first.has(user)).length;
    expect(Math.abs(both / users.length - 0.25)).toBeLessThan(0.02);
  });

  it('counts 0.01 % as one bucket in 10,000', () => {
    expect(isInRollout(0, 0.01)).toBe(true);
    expect(isInRollout(1, 0.01)).toBe(false);
    expect(isInRollout(1233, 12.34)).toBe(true);
    expect(isInRollout(1234, 12.34)).toBe(false);
    expect(isInRollout(9999, 100)).toBe(true);
    expect(isInRollout(0, 0)).toBe(false);
  });
});
