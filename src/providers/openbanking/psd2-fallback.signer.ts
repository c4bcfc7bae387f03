import { createPublicKey, randomBytes } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import type { UpstreamResponse } from '../upstream/upstream';
import type { OpenbankingCredentials } from './openbanking-credentials';
import type { QsealMaterial } from './openbanking.config';
import { sha1Kid, sha1X5t } from './qseal-material';

export const FALLBACK_CERT_HEADER = 'SPV-PSD2-Fallback-TPP-Cert';
export const FALLBACK_JWT_HEADER = 'SPV-PSD2-Fallback-TPP-Qseal';

/** SPV: "no longer than one hour from the time the token was issued". */
const LIFETIME_SECONDS = 3600;
/** A JWT with less than this left is replaced, so none expires in flight. */
const RENEW_BEFORE_SECONDS = 300;

/**
 * The two PSD2 fallback headers SPV wants on every request: the QSeal certificate chain as a JWK
 * (built once) and a JWT signed with the QSeal key, reused for most of its hour and re-signed with
 * a new `jti` when less than 5 minutes remain. The key never leaves this object and is never logged.
 */
export class Psd2FallbackSigner implements OpenbankingCredentials {
  private certHeader?: Promise<string>;
  private current?: { jwt: string; exp: number };
  private signing?: Promise<string>;

  constructor(
    private readonly qseal: QsealMaterial,
    private readonly now: () => number = Date.now,
  ) {}

  /** `fallback` mode's credentials: both headers on every call, no token. */
  async authorize(call: (headers: Record<string, string>) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    return call(await this.headers());
  }

  async headers(): Promise<Record<string, string>> {
    const [cert, jwt] = await Promise.all([this.certificateHeader(), this.jwt()]);
    return { [FALLBACK_CERT_HEADER]: cert, [FALLBACK_JWT_HEADER]: jwt };
  }

  /** base64(UTF-8 JSON JWK) with `x5c`: standard base64 DER, leaf first (RFC 7517 §4.7). jose's exportJWK leaves x5c out. */
  certificateHeader(): Promise<string> {
    this.certHeader ??= (async () => {
      const jwk = await exportJWK(createPublicKey(this.qseal.key));
      const withChain = { ...jwk, alg: this.qseal.alg, use: 'sig', x5c: this.qseal.chain.map((cert) => cert.raw.toString('base64')) };
      return Buffer.from(JSON.stringify(withChain), 'utf8').toString('base64');
    })();
    return this.certHeader;
  }

  /** The current JWT, or a new one when less than 5 minutes of it remain (one signing at a time). */
  jwt(): Promise<string> {
    const nowSeconds = Math.floor(this.now() / 1000);
    if (this.current && this.current.exp - nowSeconds > RENEW_BEFORE_SECONDS) return Promise.resolve(this.current.jwt);
    this.signing ??= this.sign(nowSeconds).finally(() => (this.signing = undefined));
    return this.signing;
  }

  private async sign(iat: number): Promise<string> {
    const leaf = this.qseal.chain[0];
    const exp = iat + LIFETIME_SECONDS;
    const jwt = await new SignJWT({ jti: randomBytes(16).toString('hex') })
      .setProtectedHeader({ alg: this.qseal.alg, kid: sha1Kid(leaf), x5t: sha1X5t(leaf), typ: 'JWT' })
      .setIssuer(this.qseal.tppName)
      .setAudience(this.qseal.audience)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .sign(this.qseal.key);
    this.current = { jwt, exp };
    return jwt;
  }
}
