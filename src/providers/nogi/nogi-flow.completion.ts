import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { AuditActor } from '../../audit/audit.service';
import { NationalIdHasher } from '../../common/crypto/data-cipher';
import { AppError } from '../../common/problem';
import { ConsentRepository } from '../../consents/consent.repository';
import { ConsentsService } from '../../consents/consents.service';
import { ConsentFlowService, flowErrorOf } from '../../consent-flow/consent-flow.service';
import type { FlowError } from '../../consent-flow/consent-flow.dto';
import type { FlowRecord, FlowSecrets } from '../../consent-flow/flow.store';
import { UpstreamTransportError } from '../upstream/upstream';
import { humanPaced } from '../upstream/upstream-circuit';
import type { DebtInformationDto } from './debt.dto';
import { isNogiDebtInformation, NogiDebtInformation, toDebtResponse } from './debt.mapper';
import { grantedBaseScopes } from './flow-scope';
import { NogiAuthCodeClient } from './nogi-auth-code.client';
import { InvalidIdTokenError, NogiIdTokenVerifier } from './nogi-id-token.verifier';
import { NogiGrant, NogiOAuthStrategy } from './nogi-oauth.strategy';

/** The callback request as the completion reads it (passport reads the code from it too). */
export interface CallbackHttpRequest {
  query: Record<string, unknown>;
}

const DENIED: ReadonlySet<string> = new Set(['consent_denied', 'login_cancelled']);

/**
 * NoGi's side of a flow's callback, in order: take the state once, exchange the code (passport),
 * check the granted scope and the ID token, collect the debt once, check it is the flow's customer,
 * record the consent and keep the debt for the flow's reads.
 */
@Injectable()
export class NogiFlowCompletion {
  private readonly logger = new Logger(NogiFlowCompletion.name);

  constructor(
    private readonly flows: ConsentFlowService,
    private readonly hasher: NationalIdHasher,
    private readonly authCode: NogiAuthCodeClient,
    private readonly idTokens: NogiIdTokenVerifier,
    private readonly consents: ConsentRepository,
    private readonly consentsService: ConsentsService,
    private readonly strategy: NogiOAuthStrategy,
  ) {}

  /** NoGi redirected with an error: take the state once and end the flow. */
  async fail(state: unknown, error: string, requestId: string): Promise<URL> {
    const { flow } = await this.flows.takeFlow(state, 'nogi');
    const code = flowErrorOf(error);
    return this.flows.finish(flow, DENIED.has(code) ? 'denied' : 'failed', code, requestId);
  }

  /**
   * NoGi redirected with a code: take the state once (unknown, reused or tampered → 400 before any
   * upstream call), exchange the code (passport), collect once, check, record. A valid state with a
   * code is always exchanged, even while NoGi's breakers are open (the customer has just consented).
   */
  async complete(request: CallbackHttpRequest, response: unknown, requestId: string): Promise<URL> {
    const query = request.query;
    const { flow, secrets } = await this.flows.takeFlow(query.state, 'nogi');
    let grant: NogiGrant;
    try {
      grant = await humanPaced(() => this.strategy.exchange(request, response, secrets.codeVerifier));
    } catch (error) {
      return this.flows.finish(flow, 'failed', exchangeFailure(error), requestId);
    }
    return humanPaced(() => this.collect(flow, secrets, grant, query.scope, requestId));
  }

  private async collect(flow: FlowRecord, secrets: FlowSecrets, grant: NogiGrant, grantedScope: unknown, requestId: string): Promise<URL> {
    const granted = grantedBaseScopes(`${typeof grantedScope === 'string' ? grantedScope : ''} ${grant.scope}`);
    if (!granted.has(baseScopeOf(flow))) return this.flows.finish(flow, 'failed', 'invalid_scopes', requestId);

    let pid: string | undefined;
    if (grant.idToken) {
      try {
        ({ pid } = await this.idTokens.verify(grant.idToken, secrets.nonce));
      } catch (error) {
        if (!(error instanceof InvalidIdTokenError)) return this.flows.finish(flow, 'failed', 'nogi_unavailable', requestId);
        this.logger.warn({ flowId: flow.id, reason: error.message }, 'NoGi ID token refused');
        return this.flows.finish(flow, 'failed', 'token_exchange_failed', requestId);
      }
    }

    let debt: NogiDebtInformation;
    try {
      const body = await this.authCode.collectDebt(grant.accessToken, requestId);
      if (!isNogiDebtInformation(body) || typeof body.consent?.id !== 'string') throw new AppError('NOGI_BAD_RESPONSE', 'NoGi debt response is malformed.');
      debt = body;
    } catch (error) {
      this.logger.warn({ flowId: flow.id, error: error instanceof Error ? error.message : 'unknown' }, 'Debt collection failed');
      return this.flows.finish(flow, 'failed', 'nogi_unavailable', requestId);
    }

    const expected = flow.nationalIdHash;
    const matches = (nid: string | undefined) => nid !== undefined && this.hasher.hash(nid) === expected;
    // A missing ssn counts as a mismatch (contract); the ID token's pid must agree when there is one.
    if (!matches(debt.ssn) || (pid !== undefined && !matches(pid))) {
      return this.discard(flow, debt, 'identity_mismatch', requestId);
    }

    const now = new Date();
    const consentId = randomUUID();
    let collected: DebtInformationDto;
    try {
      // Mapped before anything is recorded: an answer we cannot represent (a loan type NoGi's
      // contract does not name) fails the flow cleanly instead of leaving it half done.
      collected = toDebtResponse(debt, consentId, now);
    } catch (error) {
      this.logger.warn({ flowId: flow.id, error: error instanceof Error ? error.message : 'unknown' }, 'Debt answer unusable');
      return this.discard(flow, debt, 'nogi_unavailable', requestId);
    }
    const consent = await this.flows.recordGranted(flow, debt.consent!.id!, requestId, () =>
      this.consents.insert({
        ...this.consentValues(flow, debt, consentId),
        // NoGi's default consent allows one collection, which the callback just made.
        status: flow.durationDays === null ? 'expired' : 'active',
        nationalIdHash: flow.nationalIdHash,
        lastUsedAt: now,
      }),
    );
    if (!consent) return this.flows.finish(flow, 'failed', 'server_error', requestId);
    await this.flows.saveData(flow.id, collected);
    flow.consentId = consent.id;
    flow.consentExpiresAt = consent.expiresAt?.toISOString();
    return this.flows.finish(flow, 'completed', undefined, requestId);
  }

  /**
   * NoGi granted a consent but its debt cannot be kept (it belongs to someone else, or cannot be
   * represented): fail the flow, keep no debt, and revoke that consent at NoGi through the outbox —
   * recorded `revoking` with its revocation queued in one transaction before NoGi is called.
   */
  private async discard(flow: FlowRecord, debt: NogiDebtInformation, error: 'identity_mismatch' | 'nogi_unavailable', requestId: string): Promise<URL> {
    const actor: AuditActor = { subject: `flow:${flow.id}`, clientId: flow.ownerClientId, requestId };
    const values = { ...this.consentValues(flow, debt, randomUUID()), lastUsedAt: null };
    const consent = await this.flows.recordGranted(flow, debt.consent!.id!, requestId, () => this.consentsService.recordForRevocation(values, actor, error));
    if (consent) this.logger.warn({ flowId: flow.id, consentId: consent.id, error }, 'Consent discarded: its revocation at NoGi is queued, no debt kept');
    return this.flows.finish(flow, 'failed', error, requestId);
  }

  private consentValues(flow: FlowRecord, debt: NogiDebtInformation, id: string) {
    return {
      id,
      providerConsentId: debt.consent!.id!,
      clientConsentId: null,
      purpose: flow.purpose,
      scope: baseScopeOf(flow),
      durationDays: flow.durationDays,
      source: 'flow' as const,
      createdBy: flow.ownerClientId,
      expiresAt: typeof debt.consent?.exp === 'number' ? new Date(debt.consent.exp * 1000) : null,
    };
  }
}

/** NoGi's base scope of the flow (kept in providerData; on the flow itself before that existed). */
function baseScopeOf(flow: FlowRecord): string {
  return String(flow.providerData?.baseScope ?? flow.baseScope);
}

function exchangeFailure(error: unknown): FlowError {
  const cause = (error as { oauthError?: unknown })?.oauthError ?? error;
  if (cause instanceof UpstreamTransportError) return 'nogi_unavailable';
  if (cause instanceof AppError && (cause.code === 'NOGI_UNAVAILABLE' || cause.code === 'NOGI_TIMEOUT')) return 'nogi_unavailable';
  return 'token_exchange_failed';
}
