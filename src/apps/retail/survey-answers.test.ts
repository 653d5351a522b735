import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { checkAnswers } from './survey-answers.ts';

const questions = [
  { id: 'clean', type: 'boolean', required: true },
  { id: 'posm', type: 'choice', options: ['none', 'poster'], required: true },
  { id: 'share', type: 'number', min: 0, max: 100 },
  { id: 'competitor', type: 'text', maxLength: 10, required: true, showIf: { question: 'posm', equals: 'none' } },
] as const;

describe('survey answers against their form version', () => {
  it('accepts answers that fit, including a question hidden by an earlier answer left out', () => {
    expect(checkAnswers([...questions], { clean: true, posm: 'poster', share: 40 })).toEqual([]);
    expect(checkAnswers([...questions], { clean: false, posm: 'none', competitor: 'Rival' })).toEqual([]);
  });

  it('names every problem with its pointer', () => {
    const errors = checkAnswers([...questions], { posm: 'banner', share: 140, extra: 1, competitor: 'x' });
    expect(errors.map((error) => error.pointer).sort()).toEqual(['/answers/clean', '/answers/competitor', '/answers/extra', '/answers/posm', '/answers/share']);
    expect(checkAnswers([...questions], { clean: 'yes', posm: 'none' }).map((error) => error.pointer).sort()).toEqual(['/answers/clean', '/answers/competitor']);
  });
});

describe('survey responses over HTTP and sync', () => {
  let t: TestPlatform;
  let tenant: string;
  const rep = randomUUID();
  let visitId = '';
  let formId = '';
  const call = (method: 'POST', url: string, body: unknown, headers: Record<string, string> = {}) =>
    t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, payload: body as object });

  beforeAll(async () => {
    t = await startTestPlatform();
    tenant = (await t.createTenant('surveys')).slug;
    const area = (await call('POST', '/v1/territories', { code: 'T', name: 'T' })).json();
    const shop = (await call('POST', '/v1/outlets', { code: 'S-1', name: 'Shop', channel: 'kiosk', territory: area.id })).json();
    visitId = (await call('POST', '/v1/visits', { outlet: shop.id, rep, territory: area.id, plannedFor: '2026-11-20' })).json().id;
    formId = (await call('POST', '/v1/survey-forms', { code: 'shelf', title: { en: 'Shelf' }, definition: { questions } })).json().id;
  });
  afterAll(() => t.close());

  it('stores fitting answers and refuses the rest with 422 retail.invalid_answers, writing nothing', async () => {
    const good = await call('POST', '/v1/survey-responses', { visit: visitId, form: formId, rep, answers: { clean: true, posm: 'poster' } });
    expect(good.statusCode, good.body).toBe(201);
    const bad = await call('POST', '/v1/survey-responses', { visit: visitId, form: formId, rep, answers: { clean: 'yes', posm: 'poster' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'retail.invalid_answers', errors: [{ pointer: '/answers/clean' }] });
    const list = await t.platform.http.inject({ method: 'GET', url: `/v1/survey-responses?visit=${visitId}`, headers: { 'x-tenant': tenant } });
    expect(list.json().data).toHaveLength(1);
  });

  it('rejects a pushed response that does not fit and applies the next mutation', async () => {
    const response = await call(
      'POST',
      '/v1/sync/push',
      {
        clientId: randomUUID(),
        mutations: [
          { id: 1, entity: 'surveyResponse', op: 'create', recordId: randomUUID(), data: { visit: visitId, form: formId, rep, answers: { clean: true } } },
          { id: 2, entity: 'surveyResponse', op: 'create', recordId: randomUUID(), data: { visit: visitId, form: formId, rep, answers: { clean: true, posm: 'none', competitor: 'Rival' } } },
        ],
      },
      { 'x-dev-roles': 'member', 'x-dev-user': rep },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().results.map((result: { status: string; problem?: { code: string } }) => [result.status, result.problem?.code])).toEqual([
      ['rejected', 'retail.invalid_answers'],
      ['applied', undefined],
    ]);
  });
});
