import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { NogiAuthCodeClient } from './nogi-auth-code.client';
import { FlowRecord, FlowSecrets, FlowStore } from '../../consent-flow/flow.store';

export type CallbackRequest = FastifyRequest & { nogiFlowSecrets?: FlowSecrets; nogiFlow?: FlowRecord };

export interface NogiGrant {
  accessToken: string;
  idToken: string | undefined;
  scope: string;
}

type Done = (error: Error | null, ok?: string | false, info?: unknown) => void;

/**
 * passport-oauth2's state store on our FlowStore: the state is taken once, atomically, and the
 * flow's PKCE verifier handed back (passport sends it as code_verifier). Flows start at
 * POST /v1/consent-flows, never through passport's redirecting `store`.
 *
 * The flow itself is read here too, before the code is exchanged: once NoGi has handed us a
 * consent, nothing but our database stands between it and its record (a state store failing
 * after the exchange left the consent live at NoGi and unrecorded).
 */
class FlowStatePassportStore {
  constructor(private readonly flows: FlowStore) {}

  store(_req: unknown, _verifier: unknown, _state: unknown, _meta: unknown, done: Done): void {
    done(new Error('Consent flows start at POST /v1/consent-flows'));
  }

  verify(req: CallbackRequest, providedState: unknown, _meta: unknown, done: Done): void {
    if (typeof providedState !== 'string' || providedState.length < 16 || providedState.length > 256) {
      done(null, false, { message: 'invalid state' });
      return;
    }
    const taken = async () => {
      const secrets = await this.flows.takeSecrets(providedState);
      const flow = secrets ? await this.flows.get(secrets.flowId) : null;
      return { secrets, flow };
    };
    taken().then(
      ({ secrets, flow }) => {
        // A taken state whose flow is gone or no longer pending is not usable.
        if (!secrets || !flow || flow.status !== 'pending') return done(null, false, { message: 'unknown, expired or used state' });
        req.nogiFlowSecrets = secrets;
        req.nogiFlow = flow;
        done(null, secrets.codeVerifier, { flowId: secrets.flowId });
      },
      (error: Error) => done(error),
    );
  }
}

/**
 * The NoGi authorization-code callback on @nestjs/passport + passport-oauth2, as the customer
 * chose. Two of passport-oauth2's defaults are wrong for NoGi and are replaced:
 * - its token request (node-oauth) sends client_secret in the body and has no timeout; NoGi takes
 *   client_secret_basic only and RFC 6749 §2.3 forbids two methods, so the exchange goes through
 *   NogiAuthCodeClient (Basic header only, NOGI_TIMEOUT_MS, never retried);
 * - it has no ID-token or nonce checks: the service verifies the ID token after the exchange.
 * A callback with neither code nor error never reaches passport (it would restart the flow).
 */
@Injectable()
export class NogiOAuthStrategy extends PassportStrategy(OAuth2Strategy, 'nogi', 6) {
  constructor(config: AppConfig, flows: FlowStore, authCode: NogiAuthCodeClient) {
    super({
      authorizationURL: `${config.nogiIssuer}/oauth2/auth`,
      tokenURL: `${config.nogiIssuer}/oauth2/token`,
      clientID: config.nogiClientId,
      clientSecret: config.nogiClientSecret,
      callbackURL: config.nogiRedirectUri,
      store: new FlowStatePassportStore(flows) as never,
      pkce: true, // S256 in passport-oauth2
      skipUserProfile: true,
      passReqToCallback: true,
    });
    const oauth2 = (this as unknown as { _oauth2: { getOAuthAccessToken: unknown } })._oauth2;
    oauth2.getOAuthAccessToken = (code: string, params: { code_verifier?: string }, callback: (err: unknown, access?: string, refresh?: string, results?: unknown) => void) => {
      authCode.exchange(code, params.code_verifier ?? '').then(
        (tokens) => callback(null, tokens.accessToken, undefined, { id_token: tokens.idToken, scope: tokens.scope }),
        (error: unknown) => callback(error),
      );
    };
  }

  validate(_req: CallbackRequest, accessToken: string, _refreshToken: string | undefined, params: { id_token?: string; scope?: string }): NogiGrant {
    return { accessToken, idToken: params.id_token, scope: params.scope ?? '' };
  }
}
