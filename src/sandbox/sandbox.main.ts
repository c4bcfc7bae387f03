import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { SANDBOX_AUDIENCE, SANDBOX_CLIENT } from '../config/config.loader';
import { cliArgs } from './cli-args';
import { startNogiSandbox } from '../providers/nogi/sandbox';
import { partnerBankSandboxSetup, startPartnerBankSandbox } from '../providers/openbanking/sandbox';
import { sandboxKeyFile } from './sandbox-runtime';
import { SandboxIssuer, sandboxIssuerPlugin } from './sandbox-issuer';

/**
 * `npm run sandbox`: the NoGi and partner-bank simulators and the caller-token issuer on their own loopback ports,
 * for tests, benchmarks and a service started with `npm run start:prod` (production mode).
 */
async function main(): Promise<void> {
  const { values } = cliArgs({
    'nogi-port': { type: 'string', default: '4010' },
    'idp-port': { type: 'string', default: '4020' },
    'openbanking-port': { type: 'string', default: '4030' },
    'redirect-uri': { type: 'string', default: 'http://localhost:3000/v1/consent-flows/callback' },
    'client-id': { type: 'string', default: SANDBOX_CLIENT.id },
    'client-secret': { type: 'string', default: SANDBOX_CLIENT.secret },
    audience: { type: 'string', default: SANDBOX_AUDIENCE },
    'id-token': { type: 'boolean', default: true },
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

  process.stdout.write(
    [
      'NoGi and partner-bank simulators and caller-token issuer (sandbox; synthetic data only)',
      `  NoGi  ${nogi.url}   (control: ${nogi.url}/_sandbox/faults, /_sandbox/calls, /_sandbox/consents)`,
      `  Bank  ${bank.url}   (partner bank; control: ${bank.url}/_sandbox/faults, /_sandbox/calls)`,
      `  IdP   ${idpUrl}   (POST ${idpUrl}/token with scope=…&national_id=…, or npm run token -- <scopes> --issuer ${idpUrl})`,
      '',
      'Run the service against them in production mode with:',
      `  NODE_ENV=production NOGI_ENV=preprod NOGI_ISSUER=${nogi.url} NOGI_API_URL=${nogi.url} \\`,
      `  NOGI_CLIENT_ID=${values['client-id']} NOGI_CLIENT_SECRET=<the client secret> NOGI_REDIRECT_URI=${values['redirect-uri']} \\`,
      `  AUTH_ISSUER=${idpUrl} AUTH_AUDIENCE=${values.audience} AUTH_JWKS_URL=${idpUrl}/.well-known/jwks.json \\`,
      '  DATABASE_URL=… REDIS_URL=… RETURN_URL_ALLOWLIST=… DATA_ENCRYPTION_KEY=… NATIONAL_ID_HMAC_KEY=… npm run start:prod',
      '',
      'and for the accounts dataset add PROVIDERS=nogi,openbanking and either (api mode)',
      `  OPENBANKING_API_URL=${ob.OPENBANKING_API_URL} OPENBANKING_TOKEN_URL=${ob.OPENBANKING_TOKEN_URL} OPENBANKING_AUDIENCE=${ob.OPENBANKING_AUDIENCE} \\`,
      `  OPENBANKING_CLIENT_ID=${ob.OPENBANKING_CLIENT_ID} OPENBANKING_CLIENT_SECRET=${ob.OPENBANKING_CLIENT_SECRET}`,
      'or (fallback mode, with this run\'s test QSeal)',
      `  OPENBANKING_MODE=fallback OPENBANKING_API_URL=${ob.OPENBANKING_API_URL} OPENBANKING_FALLBACK_AUDIENCE='spv fallback prod' OPENBANKING_TPP_NAME='${ob.OPENBANKING_TPP_NAME}' \\`,
      '  OPENBANKING_QSEAL_KEY="$(cat .sandbox/openbanking-qseal-key.pem)" OPENBANKING_QSEAL_CERT_CHAIN="$(cat .sandbox/openbanking-qseal-chain.pem)"',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await Promise.allSettled([nogi.close(), idp.close(), bank.close()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
