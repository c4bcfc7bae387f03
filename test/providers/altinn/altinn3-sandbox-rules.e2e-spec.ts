import { randomUUID } from 'node:crypto';
import { consentRequestBody, taxAssessmentRight } from '../../../src/providers/altinn/altinn3/consent-request.mapping';
import { startAltinn3Sandbox, type StartedAltinn3Sandbox } from '../../../src/providers/altinn/sandbox/altinn3';
import { freshNationalId } from '../../support/national-ids';
import { BANK_ORG, control, OTHER_ORG, testToken, verifyTestToken } from './altinn3.helpers';

const PATH = '/accessmanagement/api/v1/enterprise/consentrequests';
const WRITE = 'altinn:consentrequests.write';
const READ = 'altinn:consentrequests.read';
const DAY = 86_400_000;

type Body = Record<string, unknown> & { consentRights: Array<Record<string, unknown>> };

/** Our own request body (the client's builder), which each test then breaks in one way. */
function ourBody(): Body {
  return consentRequestBody(
    { id: randomUUID(), nationalId: freshNationalId(), validTo: new Date(Date.now() + 30 * DAY), right: taxAssessmentRight(2025), redirectUrl: 'https://bank.example/cb?state=s1' },
    BANK_ORG,
  ) as Body;
}

function withRight(body: Body, right: Record<string, unknown>): Body {
  return { ...body, consentRights: [{ ...body.consentRights[0], ...right }] };
}

describe('The Altinn 3 simulator refuses what Altinn refuses (and accepts our requests)', () => {
  let s: StartedAltinn3Sandbox;

  async function post(body: unknown, token: string | null = testToken(BANK_ORG, WRITE)): Promise<{ status: number; body: any; text: string; location: string | null }> {
    const response = await fetch(`${s.url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : undefined, location: response.headers.get('location') };
  }

  async function get(path: string, token = testToken(BANK_ORG, READ)): Promise<{ status: number; body: any }> {
    const response = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** 400 ValidationProblemDetails naming `field`. */
  async function expectRefused(body: unknown, field: string) {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, title: 'One or more validation errors occurred.' });
    expect(Object.keys(answer.body.errors)).toContain(field);
  }

  beforeAll(async () => {
    s = await startAltinn3Sandbox({ verifyToken: verifyTestToken, eventHoldBackMs: 0 });
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(async () => {
    await control(s.url, 'POST', 'reset');
  });

  it('accepts our body: 201 with Location and the details Altinn writes (capitalised enums, events with capital ID)', async () => {
    const body = ourBody();
    const answer = await post(body);
    expect(answer.status).toBe(201);
    expect(answer.location).toBe(`${s.url}${PATH}/${body.id}`);
    expect(answer.body).toMatchObject({ id: body.id, status: 'Created', portalViewMode: 'Hide', viewUri: `${s.url}/accessmanagement/ui/consent/request?id=${body.id}`, consented: null });
    expect(answer.body.consentRequestEvents).toEqual([{ consentEventID: expect.any(String), created: expect.any(String), performedBy: body.to, eventType: 'Created', consentRequestID: body.id }]);
  });

  it('refuses calls without a token, or with a token for another scope (401)', async () => {
    expect((await post(ourBody(), null)).status).toBe(401);
    expect((await post(ourBody(), testToken(BANK_ORG, READ))).status).toBe(401);
    expect((await get(`${PATH}/${randomUUID()}`, testToken(BANK_ORG, WRITE))).status).toBe(401);
  });

  it("refuses a request whose `to` is not the token's organisation (403, no body)", async () => {
    const answer = await post({ ...ourBody(), to: `urn:altinn:organization:identifier-no:${OTHER_ORG}` });
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('');
  });

  it('refuses a validTo in the past, or without an offset', async () => {
    await expectRefused({ ...ourBody(), validTo: '2020-01-01T00:00:00+00:00' }, 'validTo');
    await expectRefused({ ...ourBody(), validTo: '2030-01-01T00:00:00' }, 'validTo');
  });

  it('refuses a right with no resource or two, an empty action, and no rights at all', async () => {
    const body = ourBody();
    const resource = (body.consentRights[0].resource as unknown[])[0];
    await expectRefused(withRight(body, { resource: [] }), 'consentRights[0].resource');
    await expectRefused(withRight(ourBody(), { resource: [resource, resource] }), 'consentRights[0].resource');
    await expectRefused(withRight(ourBody(), { action: [] }), 'consentRights[0].action');
    await expectRefused({ ...ourBody(), consentRights: [] }, 'consentRights');
  });

  it('refuses a resource that is not a consent resource', async () => {
    await expectRefused(withRight(ourBody(), { resource: [{ type: 'urn:altinn:resource', value: 'ske-krav-og-betalinger' }] }), 'consentRights[0].resource');
    await expectRefused(withRight(ourBody(), { resource: [{ type: 'urn:altinn:app', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }] }), 'consentRights[0].resource');
  });

  it('refuses an unknown metadata key, an empty value and a missing key', async () => {
    await expectRefused(withRight(ourBody(), { metadata: { inntektsaar: '2025', maaned: '01' } }), 'consentRights[0].metadata.maaned');
    await expectRefused(withRight(ourBody(), { metadata: { inntektsaar: '' } }), 'consentRights[0].metadata.inntektsaar');
    await expectRefused(withRight(ourBody(), { metadata: {} }), 'consentRights[0].metadata.inntektsaar');
    const income = { resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-inntekt' }] };
    await expectRefused(withRight(ourBody(), { ...income, metadata: { fraogmed: '2025-01' } }), 'consentRights[0].metadata.tilogmed');
  });

  it('lower-cases metadata keys before checking them, and binds the docs’ `metaData` spelling', async () => {
    expect((await post(withRight(ourBody(), { metadata: { InntektsAar: '2025' } }))).status).toBe(201);
    const body = ourBody();
    const { metadata, ...right } = body.consentRights[0];
    expect((await post({ ...body, consentRights: [{ ...right, metaData: metadata }] })).status).toBe(201);
  });

  it('refuses a redirectUrl that is not absolute; accepts an app scheme', async () => {
    await expectRefused({ ...ourBody(), redirectUrl: '/v1/consent-flows/callback/altinn' }, 'redirectUrl');
    await expectRefused({ ...ourBody(), redirectUrl: undefined }, 'redirectUrl');
    expect((await post({ ...ourBody(), redirectUrl: 'bankapp://consent/return' })).status).toBe(201);
  });

  it('refuses an invalid national id in `from` and an invalid organisation number in `to`', async () => {
    await expectRefused({ ...ourBody(), from: 'urn:altinn:person:identifier-no:14842249092' }, 'from');
    await expectRefused({ ...ourBody(), to: 'urn:altinn:organization:identifier-no:974760674' }, 'to');
    await expectRefused({ ...ourBody(), id: 'not-a-uuid' }, 'id');
  });

  it('answers a known id with the same parties 200 and the stored request (nothing else compared); other parties 400', async () => {
    const body = ourBody();
    expect((await post(body)).status).toBe(201);
    const changed = await post(withRight({ ...body, validTo: '2020-01-01T00:00:00+00:00' }, { metadata: { inntektsaar: '2019' } }));
    expect(changed.status).toBe(200);
    expect(changed.body.consentRights[0].metadata).toEqual({ inntektsaar: '2025' });
    const other = await post({ ...body, from: `urn:altinn:person:identifier-no:${freshNationalId()}` });
    expect(other.status).toBe(400);
    expect(other.body.detail).toMatch(/already exists/);
  });

  it("shows a request only to its organisation, and appends a synthetic Expired event dated validTo once it has passed", async () => {
    const body: Body = { ...ourBody(), validTo: new Date(Date.now() + DAY).toISOString().replace(/\.\d{3}Z$/, '+00:00') };
    await post(body);
    expect((await get(`${PATH}/${body.id}`, testToken(OTHER_ORG, READ))).status).toBe(404);
    await control(s.url, 'POST', 'clock/advance', { ms: 2 * DAY });
    const details = await get(`${PATH}/${body.id}`);
    expect(details.body.status).toBe('Created');
    expect(details.body.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual(['Created', 'Expired']);
    expect(details.body.consentRequestEvents[1].created).toBe(body.validTo);
    expect(s.sandbox.consentView(body.id as string)).toMatchObject({ id: body.id, status: 'expired', validTo: new Date(body.validTo as string), rights: [{ resource: 'ske-samtykke-sbl-summert-skattegrunnlag', metadata: { inntektsaar: '2025' } }] });
  });

  it('feeds lowercase events, holds back young ones, and validates its filters', async () => {
    const held = await startAltinn3Sandbox({ verifyToken: verifyTestToken });
    try {
      const body = ourBody();
      await fetch(`${held.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${testToken(BANK_ORG, WRITE)}` }, body: JSON.stringify(body) });
      await control(held.url, 'POST', `consent-requests/${body.id}/accept`);
      const feed = async (query = ''): Promise<any> => (await fetch(`${held.url}${PATH}/events${query}`, { headers: { authorization: `Bearer ${testToken(BANK_ORG, READ)}` } })).json();
      expect(await feed()).toEqual({ links: {}, data: [] });
      await control(held.url, 'POST', 'clock/advance', { ms: 5 * 60_000 });
      expect(await feed()).toEqual({ links: {}, data: [{ consentRequestId: body.id, eventType: 'accepted', changedDate: expect.any(String) }] });
      expect((await feed('?eventType=Accepted&eventType=revoked')).data).toHaveLength(1);
      expect((await feed('?eventType=revoked')).data).toHaveLength(0);
    } finally {
      await held.close();
    }
    expect((await get(`${PATH}/events?eventType=created`)).status).toBe(400);
    expect((await get(`${PATH}/events?createdAfter=2026-12-02T00:00:00Z&createdBefore=2026-12-01T00:00:00Z`)).status).toBe(400);
    expect((await get(`${PATH}/events?continuationToken=not-ours`)).status).toBe(400);
    expect((await get(`${PATH}/events?consentRequestId=42`)).status).toBe(400);
  });

  it('lets the customer answer once: a second decision is refused, and only an accepted consent can be revoked', async () => {
    const body = ourBody();
    await post(body);
    expect((await control(s.url, 'POST', `consent-requests/${body.id}/revoke`)).status).toBe(409);
    expect((await control(s.url, 'POST', `consent-requests/${body.id}/reject`)).status).toBe(200);
    const page = await (await fetch(`${s.url}/accessmanagement/ui/consent/request?id=${body.id}`)).text();
    expect(page).not.toContain('name="decision"');
    const post2 = await fetch(`${s.url}/accessmanagement/ui/consent/request`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `id=${body.id}&decision=approve` });
    expect(post2.status).toBe(409);
  });

  it('never writes the national id into its call log', async () => {
    const body = ourBody();
    await post(body);
    const calls = JSON.stringify(await (await control(s.url, 'GET', 'calls')).json());
    expect(calls).not.toContain((body.from as string).split(':').pop());
    expect(calls).not.toContain(testToken(BANK_ORG, WRITE));
  });
});
