import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startNogiSandbox, type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { http } from '../sandbox/nogi-sandbox.helpers';
import { FLOW_SCOPES } from '../support/consent-walk';
import { freePort } from '../support/free-port';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { startTestApp, TEST_CLIENT, type TestApp } from '../support/test-app';
import { TestIssuer } from '../support/test-issuer';
import { startBankFrontend, type BankFrontend } from './bank-frontend';
import { altinnEnv, type AltinnWorld, startAltinnWorld } from '../providers/altinn/altinn-app.helpers';

/** Debian's chromium package; .ci/run installs it when it is missing. */
const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots of NoGi's consent page and the bank's page go when set (to look at them; never committed). */
const SCREENSHOT_DIR = process.env.BROWSER_SCREENSHOT_DIR;

/**
 * A customer in headless Chromium: the bank's page starts the flow, NoGi's sandbox consent page
 * asks, the customer decides, and the browser comes back to the bank. Everything runs over real
 * HTTP on loopback: the service (production mode, real PostgreSQL and Redis), the NoGi simulator,
 * the bank IdP's JWKS and the bank's page on its own origin.
 */
describe('a customer walks the sandbox consent in a real browser', () => {
  let issuer: TestIssuer;
  let nogi: StartedNogiSandbox;
  let bank: BankFrontend;
  let app: TestApp;
  let apiUrl: string;
  let token: string;
  let profileDir: string | undefined;
  let browser: BrowserContext | undefined;
  let altinn: AltinnWorld;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install chromium), as .ci/run does`);
    }
    // NoGi redirects the browser to the registered redirect_uri, so the service must listen where it names.
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const redirectUri = `${apiUrl}/v1/consent-flows/callback`;
    issuer = await TestIssuer.start();
    nogi = await startNogiSandbox({ port: 0, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [redirectUri] }] });
    bank = await startBankFrontend();
    altinn = await startAltinnWorld();
    app = await startTestApp({
      nogiUrl: nogi.url,
      issuer,
      listen: false,
      env: {
        ...altinnEnv(altinn, { ALTINN_REDIRECT_URI: `${apiUrl}/v1/consent-flows/callback/altinn` }),
        NOGI_REDIRECT_URI: redirectUri,
        RETURN_URL_ALLOWLIST: bank.origin,
        CORS_ALLOWED_ORIGINS: bank.origin,
      },
    });
    await app.app.listen({ port, host: '127.0.0.1' });
    // The logged-in customer's token, as the bank's IdP would have given the frontend.
    token = await issuer.customer(PERSON_WITH_DEBT, [...FLOW_SCOPES, 'income:read']);
    bank.session.apiUrl = apiUrl;
    bank.session.token = token;

    profileDir = mkdtempSync(join(tmpdir(), 'nogi-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      // This machine's network is closed: without these Chromium keeps trying Google's hosts.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    browser.setDefaultTimeout(15_000);
    browser.setDefaultNavigationTimeout(15_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await app?.close();
    await bank?.close();
    await nogi?.close();
    await altinn?.sims.close();
    await issuer?.close();
  }, 30_000);

  /** A new tab on the bank's page; uncaught script errors are collected so a test can show them. */
  async function openBankPage(): Promise<{ page: Page; scriptErrors: string[] }> {
    const page = await browser!.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await page.goto(`${bank.origin}/`);
    return { page, scriptErrors };
  }

  /** Press the bank's button and wait for NoGi's consent page; when it does not come, say what the bank's page shows. */
  async function startAtTheBank(page: Page, scriptErrors: string[]): Promise<void> {
    await page.getByRole('button', { name: 'Hent gjeldsinformasjon' }).click();
    try {
      await page.waitForURL((url) => url.origin === nogi.url);
    } catch (error) {
      const shown = await page.textContent('#status').catch(() => null);
      throw new Error(`The browser did not reach NoGi (${page.url()} says "${shown}"; script errors: ${JSON.stringify(scriptErrors)})`, { cause: error });
    }
    await page.waitForSelector('form button[name="decision"]');
  }

  /** Press one of the consent page’s decision buttons (NoGi’s or Altinn’s) and wait until the browser is back on the bank's page. */
  async function decideAndReturn(page: Page, decision: 'approve' | 'deny'): Promise<URL> {
    await page.click(`button[name="decision"][value="${decision}"]`);
    await page.waitForURL((url) => url.origin === bank.origin && url.searchParams.has('status'));
    return new URL(page.url());
  }

  const read = (path: string) => http('GET', `${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('approves at NoGi, comes back to the bank with status=completed and sees the debt', async () => {
    const { page, scriptErrors } = await openBankPage();
    await startAtTheBank(page, scriptErrors);

    expect(await page.title()).toContain('Norsk Gjeldsinformasjon');
    expect(await page.inputValue('#nationalId')).toBe(PERSON_WITH_DEBT); // the suggested synthetic person, kept
    if (SCREENSHOT_DIR) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'nogi-consent-page.png'), fullPage: true });
    }

    const returnedTo = await decideAndReturn(page, 'approve');
    expect(returnedTo.pathname).toBe('/');
    expect([...returnedTo.searchParams.keys()].sort()).toEqual(['flowId', 'status']);
    expect(returnedTo.searchParams.get('status')).toBe('completed');
    const flowId = returnedTo.searchParams.get('flowId')!;

    // What the customer sees: the bank's page read the debt through the service (CORS) and lists it.
    await page.waitForSelector('#debt:not([hidden]) tbody tr');
    expect(await page.textContent('#status')).toBe('Samtykke: completed');
    if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, 'bank-page-with-debt.png'), fullPage: true });
    const shown = await page.locator('#debt tbody tr').allTextContents();

    const flow = await read(`/v1/consent-flows/${flowId}`);
    expect(flow.json).toMatchObject({ id: flowId, status: 'completed', purpose: 'presentation', consentId: expect.any(String) });
    const debt = await read(`/v1/consent-flows/${flowId}/debt`);
    expect(debt.status).toBe(200);
    const body = debt.json as { loans: Array<{ creditorName: string; loan: { type: string } | null }>; consent: { id: string } };
    expect(body.consent.id).toBe(flow.json.consentId);
    expect(new Set(body.loans.filter((l) => l.loan).map((l) => l.loan!.type))).toEqual(new Set(['creditFacility', 'repaymentLoan', 'chargeCard']));
    expect(shown).toHaveLength(body.loans.length);
    body.loans.forEach((l, i) => expect(shown[i]).toContain(l.creditorName));
    expect(debt.text).not.toContain(PERSON_WITH_DEBT);
    expect(scriptErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('denies at NoGi and comes back to the bank with status=denied and no debt', async () => {
    const { page, scriptErrors } = await openBankPage();
    await startAtTheBank(page, scriptErrors);

    const returnedTo = await decideAndReturn(page, 'deny');
    expect(returnedTo.searchParams.get('status')).toBe('denied');
    expect(await page.textContent('#status')).toBe('Samtykke: denied');
    expect(await page.isHidden('#debt')).toBe(true);

    const flowId = returnedTo.searchParams.get('flowId')!;
    expect((await read(`/v1/consent-flows/${flowId}`)).json).toMatchObject({ status: 'denied', error: 'consent_denied' });
    const debt = await read(`/v1/consent-flows/${flowId}/debt`);
    expect(debt.status).toBe(409);
    expect(debt.json).toMatchObject({ code: 'FLOW_NOT_COMPLETED' });
    expect(scriptErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('approves income at Altinn, comes back to the bank with status=completed and sees the income', async () => {
    const { page, scriptErrors } = await openBankPage();
    await page.getByRole('button', { name: 'Hent inntekt fra Skatteetaten' }).click();
    await page.waitForURL((url) => url.origin === new URL(altinn.sims.urls.altinn).origin);
    await page.waitForSelector('form button[name="decision"]');
    if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, 'altinn-consent-page.png'), fullPage: true });

    const returnedTo = await decideAndReturn(page, 'approve');
    expect(returnedTo.searchParams.get('status')).toBe('completed');
    expect(returnedTo.searchParams.get('data')).toBe('income');
    await page.waitForSelector('#income:not([hidden]) tbody tr');
    expect(await page.textContent('#status')).toBe('Samtykke: completed');
    const shown = await page.locator('#income tbody tr').allTextContents();

    const flowId = returnedTo.searchParams.get('flowId')!;
    expect((await read(`/v1/consent-flows/${flowId}`)).json).toMatchObject({ status: 'completed', dataset: 'income', provider: 'altinn' });
    const income = await read(`/v1/consent-flows/${flowId}/income`);
    const statements = (income.json as { oppgaveInntektsmottaker: Array<{ kalendermaaned: string }> }).oppgaveInntektsmottaker;
    expect(shown).toHaveLength(statements.length);
    statements.forEach((s, i) => expect(shown[i]).toContain(s.kalendermaaned));
    expect(income.text).not.toContain(PERSON_WITH_DEBT);
    expect(scriptErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
