import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { SANDBOX_AUDIENCE, SANDBOX_CLIENT } from '../config/config.loader';
import { cliArgs } from './cli-args';
import { startNogiSandbox } from '../providers/nogi/sandbox';
import { partnerBankSandboxSetup, startPartnerBankSandbox } from '../providers/openbanking/sandbox';
import { SANDBOX_MASKINPORTEN_CLIENT_ID, SANDBOX_ORG_NUMBER } from '../providers/altinn/altinn-settings';
import { startAltinnSimulators } from '../providers/altinn/sandbox/altinn-simulators';
import { generateSandboxClientKey } from '../providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { ALTINN2_SANDBOX_API_KEY, ALTINN2_SANDBOX_RESOURCES } from '../providers/altinn/altinn2/altinn2.config';
import { startAltinn2Sandbox } from '../providers/altinn/sandbox/altinn2';
import { altinn2SamtykkeVerifier } from '../providers/altinn/sandbox/skatteetaten';
import { sandboxKeyFile } from './sandbox-runtime';
import { SandboxIssuer, sandboxIssuerPlugin } from './sandbox-issuer';

/**
 * `npm run sandbox`: the NoGi, Altinn 3, Altinn 2, Maskinporten, Skatteetaten and partner-bank simulators and the caller-token issuer on their own loopback ports,
 * for tests, benchmarks and a service started with `npm run start:prod` (production mode).
 */
async function main(): Promise<void> {
  const { values } = cliArgs({
    'nogi-port': { type: 'string', default: '4010' },
    'idp-port': { type: 'string', default: '4020' },
    'openbanking-port': { type: 'string', default: '4040' },
    'redirect-uri': { type: 'string', default: 'http://localhost:3000/v1/consent-flows/callback' },
    'client-id': { type: 'string', default: SANDBOX_CLIENT.id },
    'client-secret': { type: 'string', default: SANDBOX_CLIENT.secret },
    audience: { type: 'string', default: SANDBOX_AUDIENCE },
    'id-token': { type: 'boolean', default: true },
    'maskinporten-port': { type: 'string', default: '4030' },
    'altinn-port': { type: 'string', default: '4031' },
    'skatteetaten-port': { type: 'string', default: '4032' },
    'altinn2-port': { type: 'string', default: '4033' },
  });
  const nogi = await startNogiSandbox({
    port: Number(values['nogi-port']),
    issueIdToken: values['id-token'],
    clients: [{ clientId: values['client-id'], clientSecret: values['client-secret'], redirectUris: [values['redirect-uri']] }],
  });
  const idpUrl = `http://127.0.0.1:${values['idp-port']}`;
  const issuer = await SandboxIssuer.create({ issuer: idpUrl, audience: values.audience, nationalIdClaim: 'pid', keyFile: sandboxKeyFile(join(process.cwd(), '.sandbox')) });
  const idp = Fastify({ logger: false });
  await idp.register(formbody);
  await idp.register(sandboxIssuerPlugin, { issuer });
  await idp.listen({ port: Number(values['idp-port']), host: '127.0.0.1' });
  const bankUrl = `http://127.0.0.1:${values['openbanking-port']}`;
  const bankSetup = await partnerBankSandboxSetup(bankUrl);
  const bank = await startPartnerBankSandbox({ ...bankSetup.simulator, port: Number(values['openbanking-port']) });
  // The test QSeal (made now, valid for this run's simulator only) for OPENBANKING_MODE=fallback.
  const qsealDir = join(process.cwd(), '.sandbox');
  mkdirSync(qsealDir, { recursive: true });
  writeFileSync(join(qsealDir, 'openbanking-qseal-key.pem'), bankSetup.defaults.OPENBANKING_QSEAL_KEY!, { mode: 0o600 });
  writeFileSync(join(qsealDir, 'openbanking-qseal-chain.pem'), bankSetup.defaults.OPENBANKING_QSEAL_CERT_CHAIN!);
  const ob = bankSetup.defaults;
  // Altinn 3, Maskinporten and Skatteetaten, with a Maskinporten client key made for this run.
  const key = generateSandboxClientKey();
  const keyFile = join(process.cwd(), '.sandbox', 'maskinporten-key.pem');
  mkdirSync(join(process.cwd(), '.sandbox'), { recursive: true });
  writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
  // Altinn 2 (for ALTINN_VERSION=2): Skatteetaten checks AltinnSamtykke with its keys.
  const altinn2 = await startAltinn2Sandbox({ port: Number(values['altinn2-port']), apiKeys: { [ALTINN2_SANDBOX_API_KEY]: SANDBOX_ORG_NUMBER } });
  const altinn = await startAltinnSimulators({
    clientId: SANDBOX_MASKINPORTEN_CLIENT_ID,
    orgNumber: SANDBOX_ORG_NUMBER,
    key,
    altinnSamtykke: altinn2SamtykkeVerifier(altinn2.sandbox.verifyConsentToken),
    ports: { maskinporten: Number(values['maskinporten-port']), altinn: Number(values['altinn-port']), skatteetaten: Number(values['skatteetaten-port']) },
  });

  process.stdout.write(
    [
      'NoGi, Altinn 3, Altinn 2, Maskinporten, Skatteetaten and partner-bank simulators and the caller-token issuer (sandbox; synthetic data only)',
      `  NoGi  ${nogi.url}   (control: ${nogi.url}/_sandbox/faults, /_sandbox/calls, /_sandbox/consents)`,
      `  Bank  ${bank.url}   (partner bank; control: ${bank.url}/_sandbox/faults, /_sandbox/calls)`,
      `  IdP   ${idpUrl}   (POST ${idpUrl}/token with scope=…&national_id=…, or npm run token -- <scopes> --issuer ${idpUrl})`,
      `  Maskinporten  ${altinn.urls.issuer}   Altinn 3  ${altinn.urls.altinn}   Skatteetaten  ${altinn.urls.skatteetaten}   (each: /_sandbox/faults, /_sandbox/calls)`,
      `  Altinn 2  ${altinn2.url}   (control: ${altinn2.url}/_sandbox/faults, /_sandbox/calls, /_sandbox/keys/rotate, /_sandbox/clock/advance)`,
      '',
      'Run the service against them in production mode with:',
      `  NODE_ENV=production NOGI_ENV=preprod NOGI_ISSUER=${nogi.url} NOGI_API_URL=${nogi.url} \\`,
      `  NOGI_CLIENT_ID=${values['client-id']} NOGI_CLIENT_SECRET=<the client secret> NOGI_REDIRECT_URI=${values['redirect-uri']} \\`,
      `  AUTH_ISSUER=${idpUrl} AUTH_AUDIENCE=${values.audience} AUTH_JWKS_URL=${idpUrl}/.well-known/jwks.json \\`,
      '  DATABASE_URL=… REDIS_URL=… RETURN_URL_ALLOWLIST=… DATA_ENCRYPTION_KEY=… NATIONAL_ID_HMAC_KEY=… npm run start:prod',
      'and, for tax-assessment and income, add:',
      `  PROVIDERS=nogi,altinn,openbanking ALTINN_PLATFORM_URL=${altinn.urls.altinn} ALTINN_ORG_NUMBER=${SANDBOX_ORG_NUMBER} \\`,
      '  ALTINN_REDIRECT_URI=http://localhost:3000/v1/consent-flows/callback/altinn \\',
      `  MASKINPORTEN_ISSUER=${altinn.urls.issuer} MASKINPORTEN_CLIENT_ID=${SANDBOX_MASKINPORTEN_CLIENT_ID} MASKINPORTEN_KID=${key.kid} MASKINPORTEN_PRIVATE_KEY="$(cat ${keyFile})" \\`,
      `  SKATTEETATEN_TAX_ASSESSMENT_URL=${altinn.urls.taxAssessment} SKATTEETATEN_INCOME_URL=${altinn.urls.income}`,
      'and, for them through Altinn 2, also:',
      `  ALTINN_VERSION=2 ALTINN2_URL=${altinn2.url} ALTINN2_API_KEY=${ALTINN2_SANDBOX_API_KEY} \\`,
      `  ALTINN2_RESOURCES_TAX_ASSESSMENT='${ALTINN2_SANDBOX_RESOURCES['tax-assessment']}' ALTINN2_RESOURCES_INCOME='${ALTINN2_SANDBOX_RESOURCES.income}'`,
      '',
      'and for the accounts dataset add openbanking to PROVIDERS and either (api mode)',
      `  OPENBANKING_API_URL=${ob.OPENBANKING_API_URL} OPENBANKING_TOKEN_URL=${ob.OPENBANKING_TOKEN_URL} OPENBANKING_AUDIENCE=${ob.OPENBANKING_AUDIENCE} \\`,
      `  OPENBANKING_CLIENT_ID=${ob.OPENBANKING_CLIENT_ID} OPENBANKING_CLIENT_SECRET=${ob.OPENBANKING_CLIENT_SECRET}`,
      'or (fallback mode, with this run\'s test QSeal)',
      `  OPENBANKING_MODE=fallback OPENBANKING_API_URL=${ob.OPENBANKING_API_URL} OPENBANKING_FALLBACK_AUDIENCE='spv fallback prod' OPENBANKING_TPP_NAME='${ob.OPENBANKING_TPP_NAME}' \\`,
      '  OPENBANKING_QSEAL_KEY="$(cat .sandbox/openbanking-qseal-key.pem)" OPENBANKING_QSEAL_CERT_CHAIN="$(cat .sandbox/openbanking-qseal-chain.pem)"',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await Promise.allSettled([nogi.close(), idp.close(), bank.close(), altinn.close(), altinn2.close()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
