/**
 * Rules of the generic record service: tenant transaction, access control (permission, row scope,
 * field masks, checked in the same transaction), versions, and database errors as domain errors.
 */
import type { Kysely } from 'kysely';
import { accessErrors, createAccessControl, type AccessControl, type EntityPermissions } from '../access/index.ts';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { transitionsFrom, type ActionHandler, type EntityDef, type ModelRegistry, type WriteCall, type WriteRule } from '../model/index.ts';
import { AppError, isUuid, newId, type FieldError } from '../shared/index.ts';
import { checkExt, createExtensionWrites } from './custom-field-values.ts';
import { encodeCursor, parseListQuery } from './list-query.ts';
import { createRecordCodec, type RecordCodec } from './record-codec.ts';
import type { ApiRecord, CustomFieldSource, RecordChange, RecordListener, RecordService, WriteDetails } from './records.contract.ts';
import { recordErrors } from './records.errors.ts';
import { rowsByColumn, updateRows } from './records-bulk.repository.ts';
import { openSyncView } from './sync-view.ts';
import { bulkColumnValues, findRow, findRowState, insertRows, isOutOfScope, listRows, lockRow, softDeleteRow, updateRow } from './records.repository.ts';

export interface RecordServiceOptions {
  /** Told of every write inside its transaction (audit, sync change log, outbox). */
  listeners?: readonly RecordListener[];
  /** Who may do what (kernel/access); by default the built-in roles and the tenant's own roles. */
  access?: AccessControl;
  /** Server-side work of custom actions (from the apps). */
  actions?: readonly ActionHandler[];
  /** The tenants' custom fields `ext` is checked against (kernel/tenancy); without it `ext` takes no key. */
  customFields?: CustomFieldSource;
  /** Apps' rules on creates and updates (refuse a write, set server-owned fields). */
  rules?: readonly WriteRule[];
}

interface PreparedCreate {
  id: string;
  values: [string, unknown][];
  customFields: RecordChange['customFields'];
}

export function createRecordService(db: Kysely<any>, registry: ModelRegistry, options: RecordServiceOptions = {}): RecordService {
  const listeners = options.listeners ?? [];
  const access = options.access ?? createAccessControl();
  const notify = async (tx: TenantTx, change: RecordChange) => {
    for (const listener of listeners) await listener.afterWrite(tx, change);
  };
  /** Bulk writes: each listener told once with every change (or once per change without afterWriteMany). */
  const notifyMany = async (tx: TenantTx, changes: readonly RecordChange[]) => {
    for (const listener of listeners) {
      if (listener.afterWriteMany) await listener.afterWriteMany(tx, changes);
      else for (const change of changes) await listener.afterWrite(tx, change);
    }
  };
  const extension = createExtensionWrites(options.customFields);
  const handlers = new Map((options.actions ?? []).map((handler) => [`${handler.entity.name}.${handler.action}`, handler]));
  for (const handler of options.actions ?? []) {
    if (registry.find(handler.entity.name) !== handler.entity || !handler.entity.actions.includes(handler.action)) {
      throw new Error(`Action handler ${handler.entity.name}.${handler.action}: the entity is not in the registry or does not declare the action`);
    }
  }
  const rulesOf = new Map<string, WriteRule[]>();
  for (const rule of options.rules ?? []) rulesOf.set(rule.entity.name, [...(rulesOf.get(rule.entity.name) ?? []), rule]);
  const codecs = new Map(registry.entities.map((entity) => [entity.name, createRecordCodec(entity, registry)]));
  const codecOf = (entity: EntityDef): RecordCodec => {
    const codec = codecs.get(entity.name);
    if (!codec) throw new Error(`Entity ${entity.name} is not in the registry`);
    return codec;
  };
  const run = <T>(context: TenantContext, codec: RecordCodec, work: (tx: TenantTx) => Promise<T>, tx?: TenantTx): Promise<T> =>
    (tx ? work(tx) : withTenant(db, context, work)).catch((error: unknown) => {
      throw mapDatabaseError(error, codec);
    });
  const requireId = (entity: EntityDef, id: string) => {
    if (!isUuid(id)) throw recordErrors.notFound(entity.name);
    return id.toLowerCase();
  };
  const requireWritable = (entity: EntityDef) => {
    if (entity.scope !== 'tenant') throw new AppError('forbidden', 'records.read_only', 'Read-only', { detail: `${entity.plural} are shared reference data and read-only here.` });
  };
  // Properties a principal may read: undefined = all (no mask), the common case costs nothing.
  const readableOf = (codec: RecordCodec, permissions: EntityPermissions): ReadonlySet<string> | undefined => {
    if (permissions.hiddenFields.size === 0) return undefined;
    const all = ['version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'ext', ...codec.byProperty.keys()];
    return new Set(all.filter((property) => !permissions.hiddenFields.has(property)));
  };
  // The state field of a lifecycle changes only through its transitions (defence behind the HTTP schema).
  // On create, only an initial state may be given.
  const refuseStateWrite = (entity: EntityDef, input: Record<string, unknown>, creating = false) => {
    const machine = entity.states;
    if (!machine || !Object.hasOwn(input, machine.field)) return;
    if (!creating || !machine.initial.includes(input[machine.field] as string)) throw recordErrors.transitionRequired(entity.states.field, Object.keys(entity.states.transitions));
  };
  /**
   * The apps' rules of a write, in its transaction: each may refuse it (a typed error) or set fields
   * the server owns; what they set bypasses field masks (client input is checked before) but never
   * the state field of a lifecycle.
   */
  const applyRules = async (call: Omit<WriteCall, 'entity'>, entity: EntityDef, codec: RecordCodec): Promise<Record<string, unknown>> => {
    const set: Record<string, unknown> = {};
    for (const rule of rulesOf.get(entity.name) ?? []) {
      const outcome = await rule.beforeWrite({ ...call, entity, input: { ...call.input, ...set } });
      for (const [property, value] of Object.entries(outcome?.set ?? {})) {
        if (!codec.byProperty.has(property) || property === entity.states?.field) throw new Error(`A write rule of ${entity.name} sets "${property}", which it may not`);
        set[property] = value;
      }
    }
    return set;
  };
  /** The checks and server work of one create (create and createMany alike): its id and column values. */
  const prepareCreate = async (tx: TenantTx, context: TenantContext, entity: EntityDef, codec: RecordCodec, permissions: EntityPermissions, input: Record<string, unknown>): Promise<PreparedCreate> => {
    refuseReadOnly(input, permissions);
    refuseStateWrite(entity, input, true);
    const ruled = rulesOf.has(entity.name) ? await applyRules({ tx, context, operation: 'create', input, before: null }, entity, codec) : {};
    const ext = await extension.forCreate(tx, context.tenantId, entity, input.ext);
    // No copies when no rule set a value and the tenant keeps no custom fields (a bulk load's common case).
    const values = codec.toColumnValues(Object.keys(ruled).length === 0 ? input : { ...input, ...ruled });
    if (ext.columns.length > 0) values.push(...ext.columns);
    return { id: idOf(input), values, customFields: ext.fields };
  };
  /**
   * The same without a rule to apply or custom fields to read (`plain`: the entity has no rules and
   * none of its custom fields is required; the input has no `ext`), without an await: a bulk load
   * prepares thousands of creates at once, and each await costs a turn of the microtask queue.
   */
  const prepareCreateNow = (entity: EntityDef, codec: RecordCodec, permissions: EntityPermissions, input: Record<string, unknown>): PreparedCreate => {
    refuseReadOnly(input, permissions);
    refuseStateWrite(entity, input, true);
    return { id: idOf(input), values: codec.toColumnValues(input), customFields: undefined };
  };
  const idOf = (input: Record<string, unknown>) => (typeof input.id === 'string' ? input.id.toLowerCase() : newId());
  const refuseReadOnly = (input: Record<string, unknown>, permissions: EntityPermissions) => {
    if (permissions.readOnlyFields.size === 0) return;
    const refused = Object.keys(input).filter((property) => permissions.readOnlyFields.has(property));
    if (refused.length > 0) throw accessErrors.fieldNotWritable(refused.map((property) => ({ pointer: `/${property}`, detail: 'your roles may not write this field' })));
  };

  const service: RecordService = {
    async list(context, entity, rawQuery, limits) {
      const codec = codecOf(entity);
      const { page, query, readable } = await run(context, codec, async (tx) => {
        const permissions = await access.permissionsOn(tx, context, entity);
        const scope = permissions.require('read');
        const query = parseListQuery(codec, rawQuery, limits, permissions.hiddenFields);
        const page = await listRows(tx, codec, context.tenantId, query, scope.predicate).catch((error: unknown) => {
          throw query.after && isDataError(error) ? recordErrors.invalidCursor() : error;
        });
        return { page, query, readable: query.fields ?? readableOf(codec, permissions) };
      });
      const last = page.rows[page.rows.length - 1];
      const result = {
        data: page.rows.map((row) => codec.toRecord(row, readable) as ApiRecord),
        nextCursor: page.hasMore && last ? encodeCursor(query.sortSpec, { values: page.lastKeys ?? [], id: last.id as string }) : null,
      };
      return page.total === undefined ? result : { ...result, total: page.total };
    },
    async get(context, entity, id, fields, outerTx) {
      const codec = codecOf(entity);
      const rowId = requireId(entity, id);
      return run(context, codec, async (tx) => {
        const permissions = await access.permissionsOn(tx, context, entity);
        const scope = permissions.require('read');
        const only = fields === undefined ? readableOf(codec, permissions) : parseListQuery(codec, { fields }, { defaultLimit: 1, maxLimit: 1 }, permissions.hiddenFields).fields;
        // A row outside the principal's scope answers exactly like a missing one.
        const row = await findRow(tx, codec, context.tenantId, rowId, scope.predicate);
        if (!row) throw recordErrors.notFound(entity.name);
        return codec.toRecord(row, only) as ApiRecord;
      }, outerTx);
    },
    async createMany(context, entity, inputs, outerTx, details) {
      requireWritable(entity);
      const codec = codecOf(entity);
      return run(
        context,
        codec,
        async (tx) => {
          const permissions = await access.permissionsOn(tx, context, entity);
          const scope = permissions.require('create');
          const rows: PreparedCreate[] = [];
          const plain = !rulesOf.has(entity.name) && extension.createNeedsNone(context.tenantId, entity);
          for (const input of inputs) rows.push(plain && input.ext === undefined ? prepareCreateNow(entity, codec, permissions, input) : await prepareCreate(tx, context, entity, codec, permissions, input));
          const created = await insertRows(tx, codec, context.tenantId, rows, scope.predicate);
          if (created.some(isOutOfScope)) throw accessErrors.outOfScope(entity.name);
          const changes = created.map((row, index): RecordChange => {
            const fields = rows[index]!.customFields;
            const said = details?.[index];
            return { entity, action: 'create', id: row.id as string, before: null, after: codec.toRecord(row) as ApiRecord, context, ...(fields ? { customFields: fields } : {}), ...(said ? { details: said } : {}) };
          });
          await notifyMany(tx, changes);
          const readable = readableOf(codec, permissions);
          return readable ? created.map((row) => codec.toRecord(row, readable) as ApiRecord) : changes.map((change) => change.after!);
        },
        outerTx,
      );
    },
    async updateMany(context, entity, updates, outerTx) {
      requireWritable(entity);
      const codec = codecOf(entity);
      const rounds = roundsById(updates);
      // An id given twice is written twice, in order: one round each, so each write has its own change.
      if (rounds.length > 1) {
        return run(context, codec, async (tx) => {
          const updated: ApiRecord[] = [];
          const missing = new Set<string>();
          for (const round of rounds) {
            const result = await service.updateMany(context, entity, round, tx);
            updated.push(...result.updated);
            for (const id of result.missing) missing.add(id);
          }
          return { updated, missing: [...missing] };
        }, outerTx);
      }
      return run(
        context,
        codec,
        async (tx) => {
          const permissions = await access.permissionsOn(tx, context, entity);
          const { predicate } = permissions.require('update');
          for (const { input } of updates) {
            refuseReadOnly(input, permissions);
            refuseStateWrite(entity, input);
          }
          const ids = [...new Set(updates.map((update) => requireId(entity, update.id)))];
          const locked = new Map((await rowsByColumn(tx, codec, context.tenantId, 'id', ids, predicate, true)).map((row) => [row.id as string, row]));
          const fields = updates.some((update) => update.input.ext !== undefined) ? await extension.fieldsOf(tx, context.tenantId, entity) : undefined;
          const groups = new Map<string, { columns: string[]; rows: { id: string; version: number; values: Record<string, unknown> }[] }>();
          const befores = new Map<string, ApiRecord & { version: number }>();
          const detailsOf = new Map<string, WriteDetails>();
          const missing: string[] = [];
          for (const { id, input, details } of updates) {
            const row = locked.get(id.toLowerCase());
            if (!row || befores.has(row.id as string)) {
              if (!row) missing.push(id);
              continue;
            }
            const before = codec.toRecord(row) as ApiRecord & { version: number };
            befores.set(before.id, before);
            if (details) detailsOf.set(before.id, details);
            const ruled = rulesOf.has(entity.name) ? await applyRules({ tx, context, operation: 'update', input, before }, entity, codec) : {};
            const values = bulkColumnValues(codec, codec.toColumnValues({ ...input, ...ruled }));
            if (input.ext !== undefined) values.ext = mergedExt(before.ext, checkExt(fields ?? [], input.ext, false));
            const columns = Object.keys(values).sort();
            const key = columns.join(',');
            const group = groups.get(key) ?? { columns, rows: [] };
            group.rows.push({ id: before.id, version: before.version, values });
            groups.set(key, group);
          }
          const written: Record<string, unknown>[] = [];
          for (const group of groups.values()) written.push(...(await updateRows(tx, codec, context.tenantId, group.columns, group.rows, predicate)));
          if (written.some(isOutOfScope)) throw accessErrors.outOfScope(entity.name);
          const changes = written.map((row): RecordChange => {
            const said = detailsOf.get(row.id as string);
            return { entity, action: 'update', id: row.id as string, before: befores.get(row.id as string)!, after: codec.toRecord(row) as ApiRecord, context, ...(fields ? { customFields: fields } : {}), ...(said ? { details: said } : {}) };
          });
          await notifyMany(tx, changes);
          const readable = readableOf(codec, permissions);
          return { updated: readable ? written.map((row) => codec.toRecord(row, readable) as ApiRecord) : changes.map((change) => change.after!), missing };
        },
        outerTx,
      );
    },
    async findBy(context, entity, property, values, outerTx) {
      const codec = codecOf(entity);
      const column = property === 'id' ? 'id' : codec.byProperty.get(property)?.columns.length === 1 ? codec.byProperty.get(property)!.columns[0]! : undefined;
      if (!column) throw new Error(`findBy: ${entity.name}.${property} is not a single-column property`);
      return run(context, codec, async (tx) => {
        const permissions = await access.permissionsOn(tx, context, entity);
        const { predicate } = permissions.require('read');
        const readable = readableOf(codec, permissions);
        const lookup = property === 'id' ? values.filter((value) => typeof value === 'string' && isUuid(value)) : values;
        return (await rowsByColumn(tx, codec, context.tenantId, column, lookup, predicate)).map((row) => codec.toRecord(row, readable) as ApiRecord);
      }, outerTx);
    },
    async create(context, entity, input, tx) {
      // One create is a bulk create of one: the same checks, statement shape and listeners.
      const [record] = await service.createMany(context, entity, [input], tx);
      return record!;
    },
    async update(context, entity, id, expectedVersion, input, outerTx) {
      requireWritable(entity);
      const codec = codecOf(entity);
      const rowId = requireId(entity, id);
      return run(context, codec, async (tx) => {
        const permissions = await access.permissionsOn(tx, context, entity);
        const { predicate } = permissions.require('update');
        refuseReadOnly(input, permissions);
        refuseStateWrite(entity, input);
        const ext = await extension.forUpdate(tx, context.tenantId, entity, input.ext);
        // Listeners and rules see the row as it was: read under a lock, at the cost of one round trip.
        const previous = listeners.length > 0 || rulesOf.has(entity.name) ? await lockRow(tx, codec, context.tenantId, rowId, predicate) : undefined;
        const before = previous ? (codec.toRecord(previous) as ApiRecord & { version: number }) : null;
        const ruled = before && rulesOf.has(entity.name) ? await applyRules({ tx, context, operation: 'update', input, before }, entity, codec) : {};
        const row = await updateRow(tx, codec, { tenantId: context.tenantId, id: rowId, expectedVersion, predicate }, [...codec.toColumnValues({ ...input, ...ruled }), ...ext.columns]);
        if (row) {
          if (isOutOfScope(row)) throw accessErrors.outOfScope(entity.name);
          const after = codec.toRecord(row) as ApiRecord;
          if (before && listeners.length > 0) await notify(tx, { entity, action: 'update', id: rowId, before, after, context, ...(ext.fields ? { customFields: ext.fields } : {}) });
          const readable = readableOf(codec, permissions);
          return readable ? (codec.toRecord(row, readable) as ApiRecord) : after;
        }
        const state = await findRowState(tx, codec, context.tenantId, rowId, predicate);
        if (!state || state.deleted) throw recordErrors.notFound(entity.name);
        throw recordErrors.versionMismatch(entity.name, state.version);
      }, outerTx);
    },
    async remove(context, entity, id, expectedVersion, outerTx, details) {
      requireWritable(entity);
      const codec = codecOf(entity);
      const rowId = requireId(entity, id);
      await run(context, codec, async (tx) => {
        const { predicate } = (await access.permissionsOn(tx, context, entity)).require('delete');
        const previous = listeners.length > 0 || rulesOf.has(entity.name) ? await lockRow(tx, codec, context.tenantId, rowId, predicate) : undefined;
        if (previous && rulesOf.has(entity.name)) await applyRules({ tx, context, operation: 'delete', input: {}, before: codec.toRecord(previous) as ApiRecord & { version: number } }, entity, codec);
        const row = await softDeleteRow(tx, codec, { tenantId: context.tenantId, id: rowId, expectedVersion, predicate });
        if (row) {
          if (!previous || listeners.length === 0) return;
          const before = codec.toRecord(previous) as ApiRecord;
          const customFields = await extension.forDelete(tx, context.tenantId, entity, before);
          await notify(tx, { entity, action: 'delete', id: rowId, before, after: codec.toRecord(row) as ApiRecord, context, ...(customFields ? { customFields } : {}), ...(details ? { details } : {}) });
          return;
        }
        const state = await findRowState(tx, codec, context.tenantId, rowId, predicate);
        if (!state || state.deleted) throw recordErrors.notFound(entity.name);
        throw recordErrors.versionMismatch(entity.name, state.version);
      }, outerTx);
    },
    syncView: (tx, context, entity) => openSyncView(access, codecOf(entity), tx, context),
    actionsOf(entity) {
      return entity.actions.flatMap((action) => {
        const handler = handlers.get(`${entity.name}.${action}`);
        const transition = entity.states && Object.hasOwn(entity.states.transitions, action) ? entity.states.transitions[action] : undefined;
        if (!transition && !handler?.run) return [];
        return [{ action, summary: handler?.summary ?? transition?.description, input: handler?.input, transition }];
      });
    },
    async perform(context, entity, id, action, input, options = {}) {
      requireWritable(entity);
      const codec = codecOf(entity);
      const rowId = requireId(entity, id);
      const handler = handlers.get(`${entity.name}.${action}`);
      const machine = entity.states;
      const transition = machine && Object.hasOwn(machine.transitions, action) ? machine.transitions[action] : undefined;
      if (!entity.actions.includes(action) || (!transition && !handler?.run)) throw recordErrors.unknownAction(entity.name, action);
      return run(
        context,
        codec,
        async (tx) => {
          const permissions = await access.permissionsOn(tx, context, entity);
          const { predicate } = permissions.require(action);
          const locked = await lockRow(tx, codec, context.tenantId, rowId, predicate);
          if (!locked) throw recordErrors.notFound(entity.name);
          const before = codec.toRecord(locked) as ApiRecord & { version: number };
          if (options.expectedVersion !== undefined && before.version !== options.expectedVersion) throw recordErrors.versionMismatch(entity.name, before.version);
          const set: Record<string, unknown> = {};
          if (machine && transition) {
            const state = String(before[machine.field]);
            if (!transition.from.includes(state)) throw recordErrors.illegalTransition(entity.name, action, state, transitionsFrom(machine, state));
            set[machine.field] = transition.to;
          }
          // Trusted work of the handler: the same user for audit, no roles (no permission or mask applies).
          const trusted: TenantContext = { ...context, roles: undefined };
          const updateRecord = (target: EntityDef, targetId: string, values: Record<string, unknown>) => service.update(trusted, target, targetId, undefined, values, tx);
          const outcome = handler?.run ? await handler.run({ tx, context, entity, record: before, input, updateRecord }) : undefined;
          for (const [property, value] of Object.entries(outcome?.set ?? {})) {
            if (!codec.byProperty.has(property) || property === machine?.field) throw new Error(`Action ${entity.name}.${action} sets "${property}", which it may not`);
            set[property] = value;
          }
          // The server's own write: field masks limit what a client sends, not what an action does.
          const row = await updateRow(tx, codec, { tenantId: context.tenantId, id: rowId, expectedVersion: before.version }, codec.toColumnValues(set));
          const after = codec.toRecord(row!) as ApiRecord;
          await notify(tx, { entity, action, id: rowId, before, after, context });
          const readable = readableOf(codec, permissions);
          return readable ? (codec.toRecord(row!, readable) as ApiRecord) : after;
        },
        options.tx,
      );
    },
  };
  return service;
}

/** `ext` after a merge write: keys set replace, keys cleared go. */
function mergedExt(before: unknown, write: { set: Record<string, unknown>; clear: string[] }): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...((before ?? {}) as Record<string, unknown>), ...write.set };
  for (const key of write.clear) delete merged[key];
  return merged;
}

function isDataError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('22') || (error instanceof AppError && error.code === 'records.invalid_value');
}

/** Updates split so that no round holds an id twice: an id's n-th update goes to round n. */
function roundsById<T extends { id: string }>(updates: readonly T[]): T[][] {
  const rounds: T[][] = [];
  const times = new Map<string, number>();
  for (const update of updates) {
    const id = update.id.toLowerCase();
    const round = times.get(id) ?? 0;
    times.set(id, round + 1);
    (rounds[round] ??= []).push(update);
  }
  return rounds;
}

/** PostgreSQL errors a request can cause, as domain errors; anything else stays an internal error. */
function mapDatabaseError(error: unknown, codec: RecordCodec): unknown {
  if (error instanceof AppError) return error;
  const pgError = error as { code?: string; constraint?: string };
  const pointers = (): FieldError[] =>
    (codec.constraintProperties.get(pgError.constraint ?? '') ?? []).map((property) => ({ pointer: `/${property}`, detail: 'conflicts with the model' }));
  switch (pgError.code) {
    case '23505':
      if (pgError.constraint === `${codec.entity.table}_pkey`) return recordErrors.idTaken();
      return recordErrors.uniqueViolation(codec.entity.name, pointers().map((entry) => ({ ...entry, detail: 'already used by another record' })));
    case '23503':
      return recordErrors.referenceNotFound(pointers().map((entry) => ({ ...entry, detail: 'no such record' })));
    case '23514':
    case '23502':
      return recordErrors.constraintViolation(pointers());
    case '54000': // program_limit_exceeded, e.g. a value too large for an index row
    case '54001': // statement too complex, e.g. JSON nested too deeply
      return recordErrors.invalidValue('A value is too large or too complex to store.');
    case '40001':
    case '40P01':
      return recordErrors.concurrentUpdate();
    default:
      // Class 22 (data exception: out of range, malformed, untranslatable characters) is the request's fault.
      return pgError.code?.startsWith('22') ? recordErrors.invalidValue('A value is out of range or malformed.') : error;
  }
}
