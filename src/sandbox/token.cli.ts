import { join } from 'node:path';
import { SCOPES } from '../auth/caller';
import { isValidNationalId } from '../common/national-id';
import { loadConfig } from '../config/config.loader';
import { cliArgs } from './cli-args';
import { sandboxKeyFile } from './sandbox-runtime';
import { SandboxIssuer } from './sandbox-issuer';

const USAGE = `usage: npm run token -- <scope…> [--national-id N] [--issuer URL] [--ttl SECONDS]
  scopes: ${SCOPES.join(', ')}
  Prints a caller JWT signed with the sandbox issuer's key (.sandbox/idp-key.json), which the
  service in sandbox mode (npm start) and npm run sandbox both verify.`;

/** `npm run token`: a caller token for the sandbox, as the bank's IdP would issue it. */
async function main(): Promise<void> {
  const { values, positionals } = cliArgs({
    'national-id': { type: 'string' },
    issuer: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    help: { type: 'boolean', default: false },
  });
  const scopes = positionals.flatMap((p) => p.split(/[\s,]+/)).filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (values.help || scopes.length === 0 || unknown.length > 0) {
    process.stderr.write(`${unknown.length ? `unknown scope: ${unknown.join(', ')}\n` : ''}${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const nationalId = values['national-id'];
  if (nationalId !== undefined && !isValidNationalId(nationalId)) {
    process.stderr.write('--national-id must be an 11-digit national id with valid check digits\n');
    process.exit(2);
  }
  // The service's own sandbox defaults (PORT, AUTH_* if set), so the token matches what it verifies.
  const config = loadConfig({ ...process.env, NOGI_ENV: 'sandbox', NODE_ENV: undefined });
  const issuer = await SandboxIssuer.create({
    issuer: values.issuer ?? config.authIssuer,
    audience: config.authAudience,
    nationalIdClaim: config.authNationalIdClaim,
    keyFile: sandboxKeyFile(join(process.cwd(), '.sandbox')),
  });
  const ttl = Number(values.ttl);
  process.stdout.write(`${await issuer.mint({ scopes, nationalId, expiresInSeconds: Number.isInteger(ttl) && ttl > 0 ? ttl : 3600 })}\n`);
}

void main();
