/** Whether a flag is on for a principal: pure, no I/O (semantics in feature-flags.contract.ts). */
import { createHash } from 'node:crypto';
import type { FeatureFlag, FlagAttributeValue, FlagPrincipal, FlagRules } from './feature-flags.contract.ts';

export const rolloutBuckets = 10_000;

/**
 * The principal's stable bucket 0..9999 for one flag of one tenant. Salting with tenant and key
 * gives every flag an independent population, so the same users are not always the first 10 %.
 * The modulo bias of 2^32 % 10,000 is below 3e-6 per bucket.
 */
export function rolloutBucket(tenantId: string, key: string, subject: string): number {
  const digest = createHash('sha256').update(`${tenantId.toLowerCase()}:${key}:${subject.toLowerCase()}`).digest();
  return digest.readUInt32BE(0) % rolloutBuckets;
}

/** Buckets below percentage x 100 are in (rounded: 12.34 % = buckets 0..1233). */
export function isInRollout(bucket: number, percentage: number): boolean {
  return bucket < Math.round(percentage * 100);
}

export function hasTargets(rules: FlagRules): boolean {
  return rules.roles !== undefined || rules.users !== undefined || rules.attributes !== undefined || rules.percentage !== undefined;
}

export function evaluateFlag(flag: Pick<FeatureFlag, 'key' | 'enabled' | 'rules'>, principal: FlagPrincipal): boolean {
  if (!flag.enabled) return false;
  const { rules } = flag;
  if (!hasTargets(rules)) return true;
  const userId = principal.userId ? principal.userId.toLowerCase() : undefined;
  if (userId && rules.users?.includes(userId)) return true;
  if (rules.roles && (principal.roles ?? []).some((role) => rules.roles!.includes(role))) return true;
  if (rules.attributes && matchesAttributes(rules.attributes, principal.attributes ?? {})) return true;
  const subject = userId ?? (principal.apiKeyId || undefined);
  return rules.percentage !== undefined && subject !== undefined && isInRollout(rolloutBucket(principal.tenantId, flag.key, subject), rules.percentage);
}

function matchesAttributes(targets: Record<string, FlagAttributeValue[]>, attributes: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(targets).some(([name, values]) => {
    if (!Object.hasOwn(attributes, name)) return false;
    const held = attributes[name];
    return (Array.isArray(held) ? held : [held]).some((value) => values.includes(value as FlagAttributeValue));
  });
}
