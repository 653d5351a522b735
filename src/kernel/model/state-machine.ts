/**
 * The lifecycle of an entity, declared next to its fields: one enum field holds the state, and only
 * named transitions change it (`submit`: draft -> submitted). Each transition is a custom action of the
 * entity, granted and audited like one; a direct write of the state field is refused.
 * Glossary: state field = the enum field the machine owns; initial states = those a record may be
 * created in; transition = a named move from any of its `from` states to its `to` state.
 */
import type { FieldDef } from './fields.ts';

export interface Transition {
  readonly from: readonly string[];
  readonly to: string;
  readonly description?: string;
}

export interface StateMachine {
  readonly field: string;
  /** States a record may be created in; the field's default must be one of them. */
  readonly initial: readonly string[];
  readonly transitions: Readonly<Record<string, Transition>>;
}

const actionPattern = /^[a-z][a-zA-Z0-9]*$/;
const crud = new Set(['read', 'create', 'update', 'delete', '*']);

/** Problems of a state machine against its entity's fields (empty when valid). */
export function checkStateMachine(machine: StateMachine, fields: Readonly<Record<string, FieldDef>>): string[] {
  const def = fields[machine.field];
  if (!def || def.kind !== 'enum') return [`state field "${machine.field}" must be a declared enum field`];
  const problems: string[] = [];
  const states = new Set(def.values ?? []);
  const unknown = (state: string) => !states.has(state);
  if (!def.required) problems.push(`state field "${machine.field}" must be required`);
  if (def.readOnly) problems.push(`state field "${machine.field}" must not be readOnly (the machine owns its writes)`);
  if (machine.initial.length === 0) problems.push('a state machine needs at least one initial state');
  for (const state of machine.initial.filter(unknown)) problems.push(`initial state "${state}" is not a value of ${machine.field}`);
  if (def.default !== undefined && !machine.initial.includes(def.default as string)) problems.push(`the default of ${machine.field} ("${String(def.default)}") is not an initial state`);
  for (const [name, transition] of Object.entries(machine.transitions)) {
    if (!actionPattern.test(name) || crud.has(name)) problems.push(`transition "${name}" is not a new camelCase action name`);
    if (transition.from.length === 0) problems.push(`transition "${name}" has no from state`);
    for (const state of [...transition.from, transition.to].filter(unknown)) problems.push(`transition "${name}" names unknown state "${state}"`);
  }
  return problems;
}

/** The transitions that may leave a state, in declaration order. */
export function transitionsFrom(machine: StateMachine, state: string): string[] {
  return Object.entries(machine.transitions)
    .filter(([, transition]) => transition.from.includes(state))
    .map(([name]) => name);
}
