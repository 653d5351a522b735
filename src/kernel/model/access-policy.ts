/**
 * The access section of an entity declaration: plain data that kernel/access interprets. It lives
 * with the model so the policy is declared once, beside the fields it names, and checked with them.
 * Glossary: grant = actions a role may take, optionally only on rows meeting named conditions;
 * condition = a comparison of one field with the principal (user id, an attribute) or a literal.
 */
import type { FieldDef } from './fields.ts';

/** The principal value a condition compares with: its user id or one of its attributes. */
export type PrincipalRef = 'principal.userId' | `principal.attributes.${string}`;

export type RowCondition =
  | { readonly field: string; readonly equals: PrincipalRef }
  | { readonly field: string; readonly in: PrincipalRef }
  | { readonly field: string; readonly is: string | number | boolean };

export interface AccessGrant {
  /** `read`, `create`, `update`, `delete`, a declared custom action, or `*` for every one. */
  readonly actions: readonly string[];
  /** Names of declared conditions a row must meet, all of them (AND). Absent: every row. */
  readonly where?: readonly string[];
}

export interface RoleAccess {
  readonly grants: readonly AccessGrant[];
  /** Fields the role may not read: left out of reads, refused in fields, filters and sorts. */
  readonly hiddenFields?: readonly string[];
  /** Fields the role may not write. */
  readonly readOnlyFields?: readonly string[];
}

/** Built-in roles whose defaults an entity may override (owner is always allowed everything). */
export const overridableRoles = ['admin', 'manager', 'member', 'viewer'] as const;
export type OverridableRole = (typeof overridableRoles)[number];

export interface EntityAccessPolicy {
  /** Named row conditions; the name `own` marks the rows a member owns (see kernel/access). */
  readonly conditions?: Readonly<Record<string, RowCondition | readonly RowCondition[]>>;
  /** Custom actions of the entity, granted as `<entity>.<action>` (`order.approve`). */
  readonly actions?: readonly string[];
  /** Overrides of the built-in defaults; `false` = nothing. */
  readonly roles?: Readonly<Partial<Record<OverridableRole, RoleAccess | false>>>;
}

export const crudActions = ['read', 'create', 'update', 'delete'] as const;
/** Fields a condition may name besides declared ones. */
export const conditionSystemFields: Readonly<Record<string, string>> = { createdBy: 'created_by', updatedBy: 'updated_by' };
const conditionKinds = new Set(['text', 'enum', 'reference', 'integer', 'boolean']);
const actionPattern = /^[a-z][a-zA-Z0-9]*$/;

/** Problems of a policy against its entity's fields (empty when valid); `transitions` are actions the state machine adds. */
export function checkAccessPolicy(policy: EntityAccessPolicy, fields: Readonly<Record<string, FieldDef>>, transitions: readonly string[] = []): string[] {
  const problems: string[] = [];
  const conditionNames = new Set(Object.keys(policy.conditions ?? {}));
  for (const [name, entry] of Object.entries(policy.conditions ?? {})) {
    for (const condition of Array.isArray(entry) ? entry : [entry as RowCondition]) {
      const def = fields[condition.field];
      if (!def && !(condition.field in conditionSystemFields)) problems.push(`condition "${name}" names unknown field "${condition.field}"`);
      else if (def && !conditionKinds.has(def.kind)) problems.push(`condition "${name}": a ${def.kind} field cannot be compared`);
      const reference = 'equals' in condition ? condition.equals : 'in' in condition ? condition.in : undefined;
      if (reference !== undefined && reference !== 'principal.userId' && !/^principal\.attributes\.[a-zA-Z][a-zA-Z0-9_]*$/.test(reference)) {
        problems.push(`condition "${name}" compares with "${reference}"; use principal.userId or principal.attributes.<name>`);
      }
    }
  }
  const actions = new Set<string>([...crudActions, '*', ...transitions]);
  for (const action of policy.actions ?? []) {
    if (!actionPattern.test(action) || actions.has(action)) problems.push(`custom action "${action}" is not a new camelCase name`);
    actions.add(action);
  }
  for (const [role, access] of Object.entries(policy.roles ?? {})) {
    if (!(overridableRoles as readonly string[]).includes(role)) problems.push(`role "${role}" is not an overridable built-in role`);
    if (!access) continue;
    for (const grant of access.grants) {
      for (const action of grant.actions) if (!actions.has(action)) problems.push(`${role}: unknown action "${action}"`);
      for (const name of grant.where ?? []) if (!conditionNames.has(name)) problems.push(`${role}: unknown condition "${name}"`);
    }
    for (const name of [...(access.hiddenFields ?? []), ...(access.readOnlyFields ?? [])]) {
      if (!fields[name]) problems.push(`${role}: unknown field "${name}"`);
    }
  }
  return problems;
}
