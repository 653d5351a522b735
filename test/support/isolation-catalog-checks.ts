/**
 * Catalog checks of tenant isolation, read with the owner connection. Each check returns the list
 * of violations it finds (empty = isolated), so the suite asserts `[]` on the real schema and the
 * mutation tests assert a non-empty list on a sabotaged one. Glossary: tenant table = a table of
 * the public schema with a tenant_id column (model tables and kernel tables alike); global table
 * = a table without one; runtime role = tenantry_app, the role the server runs as.
 */
import { sql, type Kysely } from 'kysely';
import { runtimeRole } from '../../src/kernel/model/index.ts';

export interface Violation {
  rule: string;
  relation: string;
  detail: string;
}

const commands = [
  { code: 'r', name: 'SELECT', using: true, check: false },
  { code: 'a', name: 'INSERT', using: false, check: true },
  { code: 'w', name: 'UPDATE', using: true, check: true },
  { code: 'd', name: 'DELETE', using: true, check: false },
] as const;
const tenantPredicates = new Set(['tenant_id=tenantry_current_tenant()', 'tenantry_current_tenant()=tenant_id']);
const expectedTenantFunction = "selectnullif(current_setting('app.tenant_id',true),'')::uuid";

async function tablesOfPublicSchema(owner: Kysely<any>, withTenantId: boolean): Promise<string[]> {
  const result = await sql<{ table: string }>`
    select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and ${withTenantId}::boolean = exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
    order by 1`.execute(owner);
  return result.rows.map((row) => row.table);
}

/** Every table of the public schema with a tenant_id column, discovered from the catalog. */
export const findTenantTables = (owner: Kysely<any>) => tablesOfPublicSchema(owner, true);
/** Every table of the public schema without a tenant_id column. */
export const findGlobalTables = (owner: Kysely<any>) => tablesOfPublicSchema(owner, false);

/** Whitespace-free text of an expression without the parentheses that wrap all of it. */
export function normalizeExpression(expression: string | null): string {
  let text = (expression ?? '').replace(/\s+/g, '');
  const wrapped = (candidate: string) => {
    if (!candidate.startsWith('(') || !candidate.endsWith(')')) return false;
    let depth = 0;
    for (let index = 0; index < candidate.length; index++) {
      depth += candidate[index] === '(' ? 1 : candidate[index] === ')' ? -1 : 0;
      if (depth === 0 && index < candidate.length - 1) return false;
    }
    return true;
  };
  while (wrapped(text)) text = text.slice(1, -1);
  return text;
}

const isTenantPredicate = (expression: string | null) => tenantPredicates.has(normalizeExpression(expression));

interface PolicyRow {
  table: string;
  name: string;
  command: string;
  permissive: boolean;
  using: string | null;
  check: string | null;
  roles: string[];
}

/** RLS enabled and forced on every tenant table, with a tenant policy for each command and no wider one. */
export async function checkRowLevelSecurity(owner: Kysely<any>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const tables = await sql<{ table: string; enabled: boolean; forced: boolean }>`
    select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
    order by 1`.execute(owner);
  const policies = await sql<PolicyRow>`
    select c.relname as table, p.polname as name, p.polcmd as command, p.polpermissive as permissive,
           pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as check,
           array(select case when r = 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) as r) as roles
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public'`.execute(owner);
  for (const { table, enabled, forced } of tables.rows) {
    if (!enabled) violations.push({ rule: 'rls_not_enabled', relation: table, detail: 'row-level security is disabled' });
    if (!forced) violations.push({ rule: 'rls_not_forced', relation: table, detail: 'row-level security is not forced (the table owner bypasses it)' });
    const applying = policies.rows.filter((policy) => policy.table === table && policy.permissive && (policy.roles.includes('public') || policy.roles.includes(runtimeRole)));
    for (const command of commands) {
      const covering = applying.filter((policy) => policy.command === command.code || policy.command === '*');
      if (covering.length === 0) violations.push({ rule: 'policy_missing', relation: table, detail: `no permissive ${command.name} policy applies to ${runtimeRole}` });
    }
    // Permissive policies are OR-ed: a single wider one opens the table, whatever the others say.
    for (const policy of policies.rows.filter((candidate) => candidate.table === table && candidate.permissive)) {
      const command = commands.find((entry) => entry.code === policy.command);
      const needsUsing = command ? command.using : true;
      const usingOk = !needsUsing || isTenantPredicate(policy.using);
      const checkOk = policy.command === 'a' ? isTenantPredicate(policy.check) : policy.check === null || isTenantPredicate(policy.check);
      if (!usingOk || !checkOk) {
        violations.push({
          rule: 'policy_not_tenant_scoped',
          relation: table,
          detail: `policy ${policy.name} (${command?.name ?? 'ALL'}) is USING (${policy.using ?? '-'}) WITH CHECK (${policy.check ?? '-'}), not tenant_id = tenantry_current_tenant()`,
        });
      }
    }
  }
  return violations;
}

/** tenantry_current_tenant() reads the transaction-local app.tenant_id, and nothing else. */
export async function checkTenantFunction(owner: Kysely<any>): Promise<Violation[]> {
  const result = await sql<{ source: string; definer: boolean; arguments: number; owner: string }>`
    select p.prosrc as source, p.prosecdef as definer, p.pronargs as arguments, pg_get_userbyid(p.proowner) as owner
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.proname = 'tenantry_current_tenant' and n.nspname = 'public'`.execute(owner);
  const relation = 'tenantry_current_tenant()';
  if (result.rows.length !== 1) return [{ rule: 'tenant_function_altered', relation, detail: `${result.rows.length} functions of that name, expected 1` }];
  const fn = result.rows[0]!;
  const violations: Violation[] = [];
  const body = fn.source.replace(/\s+/g, '').replace(/;$/, '').toLowerCase();
  if (body !== expectedTenantFunction) violations.push({ rule: 'tenant_function_altered', relation, detail: `body is "${fn.source.trim()}"` });
  if (fn.definer) violations.push({ rule: 'tenant_function_altered', relation, detail: 'is SECURITY DEFINER' });
  if (fn.arguments !== 0) violations.push({ rule: 'tenant_function_altered', relation, detail: `takes ${fn.arguments} arguments` });
  if (fn.owner === runtimeRole) violations.push({ rule: 'tenant_function_altered', relation, detail: `owned by ${runtimeRole}, who could replace it` });
  return violations;
}

/** The runtime role: no superuser, no BYPASSRLS, owns nothing, inherits nothing, cannot bypass RLS by TRUNCATE. */
export async function checkRuntimeRole(owner: Kysely<any>): Promise<Violation[]> {
  const relation = runtimeRole;
  const role = await sql<{ superuser: boolean; bypass: boolean; createrole: boolean }>`
    select rolsuper as superuser, rolbypassrls as bypass, rolcreaterole as createrole from pg_roles where rolname = ${runtimeRole}`.execute(owner);
  const attributes = role.rows[0];
  if (!attributes) return [{ rule: 'runtime_role_missing', relation, detail: 'the runtime role does not exist' }];
  const violations: Violation[] = [];
  if (attributes.superuser) violations.push({ rule: 'runtime_role_superuser', relation, detail: 'is a superuser' });
  if (attributes.bypass) violations.push({ rule: 'runtime_role_bypasses_rls', relation, detail: 'has BYPASSRLS' });
  if (attributes.createrole) violations.push({ rule: 'runtime_role_createrole', relation, detail: 'has CREATEROLE' });
  const owned = await sql<{ name: string; kind: string }>`
    select c.relname as name, c.relkind as kind from pg_class c
    where c.relowner = (select oid from pg_roles where rolname = ${runtimeRole}) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')`.execute(owner);
  for (const row of owned.rows) violations.push({ rule: 'runtime_role_owns_relation', relation: row.name, detail: `owned by ${runtimeRole} (owners are exempt from non-forced policies and can disable them)` });
  const memberships = await sql<{ name: string }>`
    select g.rolname as name from pg_auth_members m join pg_roles g on g.oid = m.roleid
    where m.member = (select oid from pg_roles where rolname = ${runtimeRole})`.execute(owner);
  for (const row of memberships.rows) violations.push({ rule: 'runtime_role_member', relation, detail: `is a member of ${row.name}` });
  const schema = await sql<{ create: boolean }>`select has_schema_privilege(${runtimeRole}::name, 'public', 'CREATE') as create`.execute(owner);
  if (schema.rows[0]?.create) violations.push({ rule: 'runtime_role_creates_in_schema', relation: 'public', detail: `${runtimeRole} may create objects in the public schema` });
  // TRUNCATE ignores row-level security; TRIGGER lets the role attach code to every write.
  for (const table of await findTenantTables(owner)) {
    const grants = await sql<{ truncate: boolean; trigger: boolean }>`
      select has_table_privilege(${runtimeRole}::name, ${`public.${quoteIdentifier(table)}`}::regclass, 'TRUNCATE') as truncate,
             has_table_privilege(${runtimeRole}::name, ${`public.${quoteIdentifier(table)}`}::regclass, 'TRIGGER') as trigger`.execute(owner);
    if (grants.rows[0]?.truncate) violations.push({ rule: 'tenant_table_truncatable', relation: table, detail: `${runtimeRole} may TRUNCATE, which ignores row-level security` });
    if (grants.rows[0]?.trigger) violations.push({ rule: 'tenant_table_trigger_grant', relation: table, detail: `${runtimeRole} may create triggers` });
  }
  return violations;
}

/**
 * Global tables are reference data: the runtime role may only SELECT them. `allowed` names the
 * deliberate exceptions (table -> privileges beyond SELECT), so each one is written down.
 */
export async function checkGlobalTablesReadOnly(owner: Kysely<any>, allowed: Readonly<Record<string, readonly string[]>> = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const table of await findGlobalTables(owner)) {
    const result = await sql<{ privilege: string }>`
      select privilege from unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as privilege
      where has_table_privilege(${runtimeRole}::name, ${`public.${quoteIdentifier(table)}`}::regclass, privilege)`.execute(owner);
    const extra = result.rows.map((row) => row.privilege).filter((privilege) => !(allowed[table] ?? []).includes(privilege));
    if (extra.length > 0) violations.push({ rule: 'global_table_writable', relation: table, detail: `${runtimeRole} may ${extra.join(', ')}` });
  }
  return violations;
}

/** Views run with their owner's rights: one over a tenant table must be security_invoker, and no materialized view may be readable. */
export async function checkViewsOverTenantTables(owner: Kysely<any>): Promise<Violation[]> {
  const result = await sql<{ view: string; kind: string; options: string[] | null; readable: boolean; source: string }>`
    select distinct v.relname as view, v.relkind as kind, v.reloptions as options, t.relname as source,
           has_table_privilege(${runtimeRole}::name, v.oid, 'SELECT') as readable
    from pg_rewrite r
    join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
    join pg_class v on v.oid = r.ev_class
    join pg_class t on t.oid = d.refobjid
    where v.relkind in ('v', 'm') and v.oid <> t.oid and t.relkind in ('r', 'p')
      and exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attname = 'tenant_id' and not a.attisdropped)`.execute(owner);
  const violations: Violation[] = [];
  for (const row of result.rows) {
    if (!row.readable) continue;
    const invoker = (row.options ?? []).some((option) => /^security_invoker=(true|on|1|yes)$/i.test(option));
    if (row.kind === 'm') violations.push({ rule: 'view_bypasses_rls', relation: row.view, detail: `materialized view over ${row.source} is readable by ${runtimeRole} (no RLS on stored rows)` });
    else if (!invoker) violations.push({ rule: 'view_bypasses_rls', relation: row.view, detail: `view over ${row.source} runs with its owner's rights (set security_invoker = true)` });
  }
  return violations;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
