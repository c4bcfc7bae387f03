import { request } from 'undici';
import { altinn2ConsentFor, buildAltinn2ConsentLink, type Altinn2DatasetParameters, type Altinn2Dataset } from '../../../src/providers/altinn/altinn2/altinn2-link';
import { ALTINN2_SANDBOX_ORG_NUMBER } from '../../../src/providers/altinn/sandbox/altinn2';

export const RESOURCES = { 'tax-assessment': { code: '4628', edition: '210607' }, income: { code: '4804', edition: '210607' } };
export const REDIRECT_URI = 'http://127.0.0.1:9/v1/consent-flows/callback/altinn';

export interface PageAnswer {
  location: URL;
  authorizationCode?: string;
}

/** A customer at Altinn 2's consent page: opens the bank's link, logs in as `nationalId`, approves or denies. */
export async function answerConsentPage(
  altinn2Url: string,
  input: { dataset: Altinn2Dataset; params: Altinn2DatasetParameters; nationalId: string; decision: 'approve' | 'deny'; state?: string; validTo?: Date },
): Promise<PageAnswer> {
  const link = buildAltinn2ConsentLink({
    altinn2Url,
    ...altinn2ConsentFor(input.dataset, RESOURCES, input.params),
    coveredBy: ALTINN2_SANDBOX_ORG_NUMBER,
    redirectUri: REDIRECT_URI,
    state: input.state ?? 'state-1',
    validTo: input.validTo ?? new Date(Date.now() + 30 * 86_400_000),
  });
  return answerLink(link, input.nationalId, input.decision);
}

/** A customer at Altinn 2's consent page opened from `link` (the bank's authorizationUrl): logs in as `nationalId`, approves or denies. */
export async function answerLink(link: string, nationalId: string, decision: 'approve' | 'deny'): Promise<PageAnswer> {
  const page = await request(link);
  const html = await page.body.text();
  if (page.statusCode !== 200) throw new Error(`consent page answered ${page.statusCode}: ${html}`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const requestId = /name="requestId" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !requestId) throw new Error('no form on the consent page');
  const form = new URLSearchParams({ requestId, offeredBy: nationalId, decision }).toString();
  const answer = await request(new URL(action, link).toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  await answer.body.dump();
  if (answer.statusCode !== 302) throw new Error(`consent form answered ${answer.statusCode}`);
  const location = new URL(String(answer.headers.location));
  return { location, authorizationCode: location.searchParams.get('AuthorizationCode') ?? undefined };
}

export async function control(url: string, path: string, body?: unknown): Promise<unknown> {
  const response = await request(`${url}/_sandbox/${path}`, {
    method: body === undefined && !path.includes('rotate') && !path.includes('reset') ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? (path.includes('rotate') || path.includes('reset') ? '{}' : undefined) : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`control ${path} answered ${response.statusCode}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
