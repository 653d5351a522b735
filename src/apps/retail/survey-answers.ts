/**
 * Survey answers checked against the form version they were filled in (the response names it), on
 * every create and update (REST, sync push, ingestion): unknown questions, wrong types, options not
 * offered, values out of range, missing required answers and answers to questions the form hides
 * (a `showIf` on an earlier answer that does not hold) are refused with one pointer each.
 * Form definition: `{ questions: [{ id, type: boolean|choice|number|text, options?, min?, max?,
 * maxLength?, required?, showIf?: { question, equals } }] }`.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../kernel/db/index.ts';
import type { WriteRule } from '../../kernel/model/index.ts';
import { AppError, type FieldError } from '../../kernel/shared/index.ts';
import { surveyResponse } from './retail.model.ts';

interface Question {
  id: string;
  type: 'boolean' | 'choice' | 'number' | 'text';
  options?: readonly unknown[];
  min?: number;
  max?: number;
  maxLength?: number;
  required?: boolean;
  showIf?: { question: string; equals: unknown };
}

export const invalidAnswers = (errors: FieldError[]) =>
  new AppError('unprocessable', 'retail.invalid_answers', 'Answers do not fit the form', { detail: `The answers do not fit the form version they were filled in: ${errors.map((error) => `${error.pointer} ${error.detail}`).join('; ')}`, errors });

/** Problems of answers against a form's questions (empty when they fit). */
export function checkAnswers(questions: readonly Question[], answers: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const byId = new Map(questions.map((question) => [question.id, question]));
  for (const key of Object.keys(answers)) if (!byId.has(key)) errors.push({ pointer: `/answers/${key}`, detail: 'not a question of this form version' });
  for (const question of questions) {
    const pointer = `/answers/${question.id}`;
    const value = answers[question.id];
    const shown = !question.showIf || answers[question.showIf.question] === question.showIf.equals;
    if (value === undefined || value === null) {
      if (question.required && shown) errors.push({ pointer, detail: 'required' });
      continue;
    }
    if (!shown) {
      errors.push({ pointer, detail: `not asked: ${question.showIf!.question} is not ${JSON.stringify(question.showIf!.equals)}` });
      continue;
    }
    switch (question.type) {
      case 'boolean':
        if (typeof value !== 'boolean') errors.push({ pointer, detail: 'must be true or false' });
        break;
      case 'choice':
        if (!(question.options ?? []).includes(value)) errors.push({ pointer, detail: `must be one of ${JSON.stringify(question.options ?? [])}` });
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) errors.push({ pointer, detail: 'must be a number' });
        else if ((question.min !== undefined && value < question.min) || (question.max !== undefined && value > question.max)) errors.push({ pointer, detail: `must be between ${question.min ?? '-∞'} and ${question.max ?? '∞'}` });
        break;
      case 'text':
        if (typeof value !== 'string') errors.push({ pointer, detail: 'must be text' });
        else if (value.length > (question.maxLength ?? 2000)) errors.push({ pointer, detail: `at most ${question.maxLength ?? 2000} characters` });
        break;
      default:
        errors.push({ pointer, detail: 'the form declares a question type this server does not know' });
    }
  }
  return errors;
}

async function findQuestions(tx: TenantTx, tenantId: string, formId: string): Promise<Question[] | undefined> {
  const { rows } = await sql<{ definition: { questions?: Question[] } }>`
    select definition from survey_forms where tenant_id = ${tenantId} and id = ${formId}`.execute(tx);
  return rows[0] ? (rows[0].definition.questions ?? []) : undefined;
}

export const surveyAnswersRule: WriteRule = {
  entity: surveyResponse,
  async beforeWrite(call) {
    if (call.operation === 'delete') return;
    const form = (call.input.form ?? call.before?.form) as string | undefined;
    const answers = (call.input.answers ?? call.before?.answers) as Record<string, unknown> | undefined;
    if (typeof form !== 'string' || !answers || (call.input.answers === undefined && call.input.form === undefined)) return;
    // An unknown form is left to the reference check (records.reference_not_found).
    const questions = await findQuestions(call.tx, call.context.tenantId, form.toLowerCase());
    if (!questions) return;
    const errors = checkAnswers(questions, answers);
    if (errors.length > 0) throw invalidAnswers(errors);
  },
};
