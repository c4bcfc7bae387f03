// @ts-check
'use strict';
/**
 * Consents of the Altinn and open-banking datasets, made as a bank's client makes them: a
 * tax-assessment flow through the service, Altinn 3's consent page (its plain HTTP form) and the
 * browser's return to the service's callback; an accounts consent registered with the customer's
 * own token. Also the upstream tokens the floors read from Redis, taken from the simulators
 * directly as the service takes them (a Maskinporten consent token; the partner bank's
 * client-credentials token). Nothing here is printed: tokens and ids stay in memory.
 */
const { createPrivateKey } = require('node:crypto');
const { join } = require('node:path');
const { json } = require('../lib/procs');

/** @typedef {import('../run').Bench} Bench */

/** The service's answer to a browser, without following redirects. @param {string} url @param {RequestInit} [init] */
async function browser(url, init = {}) {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), text };
}

/**
 * One tax-assessment consent through the whole flow; its consent id (Altinn's request id).
 * @param {Bench} b @param {number} incomeYear
 */
async function taxAssessmentConsent(b, incomeYear) {
  const started = await json(`${b.serviceUrl}/v1/consent-flows`, {
    method: 'POST',
    headers: b.auth,
    body: JSON.stringify({ dataset: 'tax-assessment', incomeYear, nationalId: b.syntheticPerson, returnUrl: 'https://nettbank.bench/done' }),
  });
  // Altinn 3's consent page: a form with the request id and the customer's decision.
  const page = await browser(started.authorizationUrl);
  const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1]?.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));
  const id = /<input type="hidden" name="id" value="([^"]+)"/.exec(page.text)?.[1];
  if (page.status !== 200 || !action || !id) throw new Error(`Altinn's consent page answered ${page.status} without its form`);
  const decided = await browser(new URL(action, started.authorizationUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id, decision: 'approve' }).toString(),
  });
  if (decided.status !== 303 || !decided.location) throw new Error(`Altinn's consent page answered the approval with ${decided.status}`);
  const callback = await browser(decided.location, { headers: { accept: 'text/html' } });
  if (callback.status !== 303) throw new Error(`the Altinn callback answered ${callback.status}`);
  const flow = await json(`${b.serviceUrl}/v1/consent-flows/${started.id}`, { headers: b.auth });
  if (flow.status !== 'completed' || !flow.consentId) throw new Error(`the tax-assessment flow ended ${flow.status}`);
  return /** @type {string} */ (flow.consentId);
}

/**
 * A Maskinporten consent token for Skatteetaten's tax-assessment scope, asked with the same grant
 * the service signs (dist's signGrant, the sandbox's client key).
 * @param {Bench} b @param {string} consentId
 */
async function maskinportenConsentToken(b, consentId) {
  const { signGrant, grantForm } = require(join(b.root, 'dist', 'providers', 'altinn', 'maskinporten', 'maskinporten-grant.js'));
  const { DATA_SCOPES } = require(join(b.root, 'dist', 'providers', 'altinn', 'altinn-collector.js'));
  const env = b.providerEnv;
  const metadata = await json(`${env.MASKINPORTEN_ISSUER.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`);
  const assertion = await signGrant(
    { clientId: env.MASKINPORTEN_CLIENT_ID, privateKey: createPrivateKey(env.MASKINPORTEN_PRIVATE_KEY), algorithm: 'RS256', binding: { kid: env.MASKINPORTEN_KID } },
    { audience: metadata.issuer, scope: DATA_SCOPES['tax-assessment'], consent: { id: consentId, from: `urn:altinn:person:identifier-no:${b.syntheticPerson}` } },
  );
  const token = await json(metadata.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: grantForm(assertion) });
  b.tokens.maskinporten.ownRequest(`consent ${DATA_SCOPES['tax-assessment']} ${consentId}`);
  b.lifetimes.maskinporten = Number(token.expires_in);
  return /** @type {string} */ (token.access_token);
}

/** One accounts consent, registered with the customer's own token (the contract's only way). @param {Bench} b @param {string} customerToken */
async function accountsConsent(b, customerToken) {
  const created = await json(`${b.serviceUrl}/v1/consents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dataset: 'accounts', durationDays: 90 }),
  });
  return /** @type {string} */ (created.id);
}

/** The customer's token from the sandbox issuer. @param {Bench} b @param {string} scope */
async function customerToken(b, scope) {
  return /** @type {string} */ ((await json(`${b.idpUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope, national_id: b.syntheticPerson }) })).access_token);
}

/** The partner bank's client-credentials token (api mode), asked as the service asks it. @param {Bench} b */
async function bankToken(b) {
  const env = b.providerEnv;
  const token = await json(env.OPENBANKING_TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: env.OPENBANKING_CLIENT_ID, client_secret: env.OPENBANKING_CLIENT_SECRET, audience: env.OPENBANKING_AUDIENCE }),
  });
  b.tokens.bank.ownRequest(`client_credentials ${env.OPENBANKING_CLIENT_ID} ${env.OPENBANKING_AUDIENCE}`);
  b.lifetimes.bank = Number(token.expires_in);
  return /** @type {string} */ (token.access_token);
}

/** A latency fault on a simulator's endpoint until `done`. @param {string} origin @param {string} endpoint @param {number} latencyMs */
async function slowDown(origin, endpoint, latencyMs) {
  await json(`${origin}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint, kind: 'latency', latencyMs }) });
  return async () => void (await fetch(`${origin}/_sandbox/faults`, { method: 'DELETE' }));
}

module.exports = { taxAssessmentConsent, maskinportenConsentToken, accountsConsent, customerToken, bankToken, slowDown };
