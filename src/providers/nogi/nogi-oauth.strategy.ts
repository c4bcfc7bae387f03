import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { AppConfig } from '../../config/app-config';
import { NogiAuthCodeClient } from './nogi-auth-code.client';

export interface NogiGrant {
  accessToken: string;
  idToken: string | undefined;
  scope: string;
}

/** The authenticate options this strategy reads: the flow's PKCE verifier, sent as code_verifier. */
interface ExchangeOptions {
  session: false;
  codeVerifier: string;
}

type TokenCallback = (error: unknown, accessToken?: string, refreshToken?: string, results?: { id_token?: string; scope?: string }) => void;

/**
 * The token endpoint as passport-oauth2 calls it (its `_oauth2`, "protected": subclasses may
 * configure it, as passport-github and passport-facebook do). node-oauth's own client sends the
 * client secret in the body and has no timeout; NoGi takes client_secret_basic only, and RFC 6749
 * §2.3 forbids using two methods, so the exchange goes through NogiAuthCodeClient (Basic header,
 * NOGI_TIMEOUT_MS, never retried).
 */
class NogiTokenEndpoint {
  constructor(private readonly authCode: NogiAuthCodeClient) {}

  getOAuthAccessToken(code: string, params: { code_verifier?: string }, callback: TokenCallback): void {
    this.authCode.exchange(code, params.code_verifier ?? '').then(
      (tokens) => callback(null, tokens.accessToken, undefined, { id_token: tokens.idToken, scope: tokens.scope }),
      (error: unknown) => callback(error),
    );
  }
}

/**
 * NoGi's authorization-code exchange on @nestjs/passport + passport-oauth2, as the customer chose.
 * The state is not passport's business here: NogiFlowCompletion takes it once (ConsentFlowService)
 * before the exchange, so passport runs without a state store (PKCE's verifier comes from that
 * flow, through `tokenParams`). ID token and nonce are checked after the exchange (passport-oauth2
 * has no such checks). Flows start at POST /v1/consent-flows, never through passport's redirect.
 */
@Injectable()
export class NogiOAuthStrategy extends PassportStrategy(OAuth2Strategy, 'nogi', 5) {
  constructor(config: AppConfig, authCode: NogiAuthCodeClient) {
    super({
      authorizationURL: `${config.nogiIssuer}/oauth2/auth`,
      tokenURL: `${config.nogiIssuer}/oauth2/token`,
      clientID: config.nogiClientId,
      clientSecret: config.nogiClientSecret,
      callbackURL: config.nogiRedirectUri,
      skipUserProfile: true,
    });
    (this as unknown as { _oauth2: NogiTokenEndpoint })._oauth2 = new NogiTokenEndpoint(authCode);
  }

  /** passport-oauth2's hook for extra token-request parameters: the flow's PKCE verifier. */
  override tokenParams(options: Partial<ExchangeOptions>): Record<string, string> {
    return options.codeVerifier ? { code_verifier: options.codeVerifier } : {};
  }

  /** passport-oauth2 calls this with (accessToken, refreshToken, params, profile) when its arity is 5: params carries the ID token. */
  validate(accessToken: string, _refreshToken: string | undefined, params: { id_token?: string; scope?: string }): NogiGrant {
    return { accessToken, idToken: params.id_token, scope: params.scope ?? '' };
  }

  /**
   * Exchanges the callback's code (passport reads it from the request) with the flow's verifier.
   * Passport augments a strategy instance with the request's success/fail/error actions, so each
   * exchange gets its own object, as passport does for strategies registered by name.
   */
  exchange(request: unknown, response: unknown, codeVerifier: string): Promise<NogiGrant> {
    return new Promise((resolve, reject) => {
      const perRequest = Object.create(this) as NogiOAuthStrategy;
      const options: ExchangeOptions = { session: false, codeVerifier };
      const authenticate = passport.authenticate(perRequest, options, (error: unknown, grant: unknown) => (grant ? resolve(grant as NogiGrant) : reject(error ?? new Error('NoGi issued no grant'))));
      authenticate(request, response, (error?: unknown) => reject(error ?? new Error('NoGi issued no grant')));
    });
  }
}
