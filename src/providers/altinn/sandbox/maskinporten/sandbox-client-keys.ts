import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

export interface SandboxClientKey {
  /** PKCS#8 PEM, as MASKINPORTEN_PRIVATE_KEY takes it. */
  privateKeyPem: string;
  kid: string;
  /** The public half to register on the simulator's client. */
  publicJwk: JWK;
}

/** A fresh 2048-bit RSA key for a Maskinporten client (sandbox mode generates one per run). */
export function generateSandboxClientKey(kid = `sandbox-${randomBytes(6).toString('hex')}`): SandboxClientKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    kid,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' },
  };
}
