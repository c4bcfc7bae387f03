import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { NogiHttpClient, nogiBadResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { basicAuthorization } from './nogi-token.client';

export interface AuthCodeTokens {
  accessToken: string;
  idToken: string | undefined;
  scope: string;
}

/** The calls made with a customer's authorization code and the token it yields. */
@Injectable()
export class NogiAuthCodeClient {
  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly discovery: NogiDiscoveryClient,
  ) {}

  /**
   * Exchanges the code once. Never retried: a reused code can make the authorization server
   * revoke the grant (RFC 6749 §4.1.2), so an ambiguous failure fails the flow instead.
   * Client authentication is the Basic header only: NoGi accepts client_secret_basic alone and
   * RFC 6749 §2.3 forbids a second method (no client_secret in the body).
   */
  async exchange(code: string, codeVerifier: string, traceId?: string): Promise<AuthCodeTokens> {
    const { token_endpoint } = await this.discovery.metadata();
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.nogiRedirectUri,
      client_id: this.config.nogiClientId,
      code_verifier: codeVerifier,
    });
    let response;
    try {
      response = await this.http.send({
        operation: 'token.authorization_code',
        method: 'POST',
        url: token_endpoint,
        headers: { authorization: basicAuthorization(this.config.nogiClientId, this.config.nogiClientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        traceId,
      });
    } catch (error) {
      throw nogiFailure(error, 'token exchange');
    }
    const tokens = response.body as { access_token?: unknown; id_token?: unknown; scope?: unknown; token_type?: unknown };
    if (response.status !== 200) throw nogiStatusFailure(response.status, 'token exchange');
    if (typeof tokens?.access_token !== 'string' || !tokens.access_token || String(tokens.token_type).toLowerCase() !== 'bearer') {
      throw nogiBadResponse(response.status, 'token exchange', 'NoGi returned no usable access token.');
    }
    return {
      accessToken: tokens.access_token,
      idToken: typeof tokens.id_token === 'string' ? tokens.id_token : undefined,
      scope: typeof tokens.scope === 'string' ? tokens.scope : '',
    };
  }

  /** `GET /v1/debt` with the flow's own token: the one collection a flow makes. Not retried (a default consent is single-use). */
  async collectDebt(accessToken: string, traceId?: string): Promise<unknown> {
    let response;
    try {
      response = await this.http.send({ operation: 'debt.collect', method: 'GET', url: `${this.config.nogiApiUrl}/v1/debt`, headers: { authorization: `Bearer ${accessToken}` }, traceId });
    } catch (error) {
      throw nogiFailure(error, 'debt collection');
    }
    if (response.status !== 200) throw nogiStatusFailure(response.status, 'debt collection');
    return response.body;
  }
}
