import { hash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { actorOf, AuditActor, AuditService } from '../audit/audit.service';
import { Caller, customerMayAccess, customerNationalId } from '../auth/caller';
import { NationalIdHasher } from '../common/crypto/data-cipher';
import { secureRandomBytes } from '../common/crypto/random';
import { AppError } from '../common/problem';
import { ConsentRepository, isUniqueViolation } from '../consents/consent.repository';
import type { ConsentEntity } from '../database/entities/consent.entity';
import { ConsentsService } from '../consents/consents.service';
import { DebtInformationDto } from '../providers/nogi/debt.dto';
import { isNogiDebtInformation, NogiDebtInformation, toDebtResponse } from '../providers/nogi/debt.mapper';
import { MetricsService } from '../metrics/metrics.service';
import { providerFor } from '../providers/datasets';
import { NogiAuthCodeClient } from '../providers/nogi/nogi-auth-code.client';
import { NogiDebtClient } from '../providers/nogi/nogi-debt.client';
import { UpstreamTransportError } from '../providers/upstream/upstream';
import { InvalidIdTokenError, NogiIdTokenVerifier } from '../providers/nogi/nogi-id-token.verifier';
import { ConsentFlowResponseDto, FLOW_ERRORS, FlowError, StartConsentFlowRequestDto, StartConsentFlowResponseDto } from './consent-flow.dto';
import { buildFlowScope, grantedBaseScopes } from './flow-scope';
import { FlowRecord, FlowStore } from './flow.store';
import type { CallbackOutcome } from '../providers/nogi/nogi-callback.guard';

const DENIED: ReadonlySet<string> = new Set(['consent_denied', 'login_cancelled']);
/** Waits before recording a granted consent again: about a second in all, while the browser waits. */
const RECORD_RETRY_DELAYS_MS = [250, 1000];

/**
 * state, nonce and PKCE verifier: 256 bits each from the CSPRNG, base64url (RFC 9700 §4.7: they
 * must be unguessable).
 */
function flowSecrets(): { state: string; nonce: string; codeVerifier: string } {
  const bytes = secureRandomBytes(96);
  return { state: bytes.subarray(0, 32).toString('base64url'), nonce: bytes.subarray(32, 64).toString('base64url'), codeVerifier: bytes.subarray(64).toString('base64url') };
}

@Injectable()
export class ConsentFlowService {
  private readonly logger = new Logger(ConsentFlowService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly flows: FlowStore,
    private readonly hasher: NationalIdHasher,
    private readonly authCode: NogiAuthCodeClient,
    private readonly idTokens: NogiIdTokenVerifier,
    private readonly consents: ConsentRepository,
    private readonly consentsService: ConsentsService,
    private readonly audit: AuditService,
    private readonly debt: NogiDebtClient,
    metrics: MetricsService,
  ) {
    this.unrecorded = metrics.counter('nogi_unrecorded_consents_total', 'Consents NoGi granted that our database could not record, by what became of them at NoGi (revoked, left_at_nogi)', ['outcome']);
    const url = new URL(`${config.nogiIssuer}/oauth2/auth`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: config.nogiClientId, redirect_uri: config.nogiRedirectUri }).toString();
    this.authorizationBase = url.toString();
  }

  private readonly unrecorded;

  /** NoGi's authorization endpoint with the parameters every flow shares, built once. */
  private readonly authorizationBase: string;

  async start(caller: Caller, body: StartConsentFlowRequestDto): Promise<StartConsentFlowResponseDto> {
    const dataset = body.dataset ?? 'debt';
    if (dataset === 'accounts') throw AppError.validation([{ field: 'dataset', message: 'accounts has no consent flow: register the consent with POST /v1/consents' }]);
    const provider = providerFor(dataset, this.config.providers);
    const nationalId = customerNationalId(caller, body.nationalId, true);
    const returnUrl = this.checkReturnUrl(body.returnUrl);
    const scope = buildFlowScope(body.purpose, body.durationDays);
    const now = new Date();
    const flow: FlowRecord = {
      id: randomUUID(),
      dataset,
      provider,
      status: 'pending',
      purpose: body.purpose,
      durationDays: scope.durationDays,
      requestedScope: scope.requested,
      baseScope: scope.baseScope,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.config.flowTtlSeconds * 1000).toISOString(),
      returnUrl,
      nationalIdHash: this.hasher.hash(nationalId),
      ownerClientId: caller.clientId,
    };
    const { state, nonce, codeVerifier } = flowSecrets();
    await this.flows.create(flow, state, { flowId: flow.id, nonce, codeVerifier });

    const query = new URLSearchParams({
      scope: scope.requested,
      state,
      nonce,
      code_challenge: hash('sha256', codeVerifier, 'base64url'),
      code_challenge_method: 'S256',
    });
    const authorizationUrl = `${this.authorizationBase}&${query.toString()}`;
    return { id: flow.id, dataset, provider, authorizationUrl, expiresAt: flow.expiresAt, scope: scope.requested, durationDays: scope.durationDays };
  }


  /** RFC 9700 §4.1: the return URL's origin must match an allowlisted origin exactly. */
  private checkReturnUrl(value: string): string {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw AppError.validation([{ field: 'returnUrl', message: 'must be an absolute URL' }]);
    }
    if (url.username || url.password || !this.config.returnUrlAllowlist.includes(url.origin)) {
      throw AppError.validation([{ field: 'returnUrl', message: 'its origin is not in the allowlist' }]);
    }
    url.hash = '';
    return url.toString();
  }

  /** NoGi redirected with an error: take the state once and end the flow. */
  async handleNogiError(state: unknown, error: string, requestId: string): Promise<URL> {
    if (typeof state !== 'string' || !state) throw new AppError('INVALID_STATE', 'The state is missing.');
    const secrets = await this.flows.takeSecrets(state);
    if (!secrets) throw new AppError('INVALID_STATE', 'The state is unknown, expired or already used. Start the consent again from your bank.');
    const flow = await this.pendingFlow(secrets.flowId);
    const code: FlowError = (FLOW_ERRORS as readonly string[]).includes(error) ? (error as FlowError) : 'server_error';
    return this.finish(flow, DENIED.has(code) ? 'denied' : 'failed', code, requestId);
  }

  /** NoGi redirected with a code and passport exchanged it (or failed to). */
  async complete(outcome: CallbackOutcome, grantedScope: unknown, requestId: string): Promise<URL> {
    const flow = outcome.flow;
    if (!outcome.grant) return this.finish(flow, 'failed', exchangeFailure(outcome.error), requestId);
    const grant = outcome.grant;
    const granted = grantedBaseScopes(`${typeof grantedScope === 'string' ? grantedScope : ''} ${grant.scope}`);
    if (!granted.has(flow.baseScope)) return this.finish(flow, 'failed', 'invalid_scopes', requestId);

    let pid: string | undefined;
    if (grant.idToken) {
      try {
        ({ pid } = await this.idTokens.verify(grant.idToken, outcome.secrets.nonce));
      } catch (error) {
        if (!(error instanceof InvalidIdTokenError)) return this.finish(flow, 'failed', 'nogi_unavailable', requestId);
        this.logger.warn({ flowId: flow.id, reason: error.message }, 'NoGi ID token refused');
        return this.finish(flow, 'failed', 'token_exchange_failed', requestId);
      }
    }

    let debt: NogiDebtInformation;
    try {
      const body = await this.authCode.collectDebt(grant.accessToken, requestId);
      if (!isNogiDebtInformation(body) || typeof body.consent?.id !== 'string') throw new AppError('NOGI_BAD_RESPONSE', 'NoGi debt response is malformed.');
      debt = body;
    } catch (error) {
      this.logger.warn({ flowId: flow.id, error: error instanceof Error ? error.message : 'unknown' }, 'Debt collection failed');
      return this.finish(flow, 'failed', 'nogi_unavailable', requestId);
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
    const consent = await this.recordGranted(flow, debt, requestId, () =>
      this.consents.insert({
        ...this.consentValues(flow, debt, consentId),
        // NoGi's default consent allows one collection, which the callback just made.
        status: flow.durationDays === null ? 'expired' : 'active',
        nationalIdHash: flow.nationalIdHash,
        lastUsedAt: now,
      }),
    );
    if (!consent) return this.finish(flow, 'failed', 'server_error', requestId);
    await this.flows.saveDebt(flow.id, collected);
    flow.consentId = consent.id;
    flow.consentExpiresAt = consent.expiresAt?.toISOString();
    return this.finish(flow, 'completed', undefined, requestId);
  }

  /**
   * NoGi granted a consent but its debt cannot be kept (it belongs to someone else, or cannot be
   * represented): fail the flow, keep no debt, and revoke that consent at NoGi through the outbox —
   * recorded `revoking` with its revocation queued in one transaction before NoGi is called.
   */
  private async discard(flow: FlowRecord, debt: NogiDebtInformation, error: 'identity_mismatch' | 'nogi_unavailable', requestId: string): Promise<URL> {
    const actor: AuditActor = { subject: `flow:${flow.id}`, clientId: flow.ownerClientId, requestId };
    const values = { ...this.consentValues(flow, debt, randomUUID()), lastUsedAt: null };
    const consent = await this.recordGranted(flow, debt, requestId, () => this.consentsService.recordForRevocation(values, actor, error));
    if (consent) this.logger.warn({ flowId: flow.id, consentId: consent.id, error }, 'Consent discarded: its revocation at NoGi is queued, no debt kept');
    return this.finish(flow, 'failed', error, requestId);
  }

  private consentValues(flow: FlowRecord, debt: NogiDebtInformation, id: string) {
    return {
      id,
      providerConsentId: debt.consent!.id!,
      clientConsentId: null,
      purpose: flow.purpose,
      scope: flow.baseScope,
      durationDays: flow.durationDays,
      source: 'flow' as const,
      createdBy: flow.ownerClientId,
      expiresAt: typeof debt.consent?.exp === 'number' ? new Date(debt.consent.exp * 1000) : null,
    };
  }

  /**
   * Records a consent NoGi granted, retrying briefly when our database fails (a dropped connection,
   * a failover). NoGi's consent must never stay live without a record here; when the database
   * stays away the revocation cannot be queued in it either, so the last resort is to revoke it at
   * NoGi directly, with an error line ops alert on. Null when it could not be recorded.
   */
  private async recordGranted(flow: FlowRecord, debt: NogiDebtInformation, requestId: string, write: () => Promise<ConsentEntity>): Promise<ConsentEntity | null> {
    const providerConsentId = debt.consent!.id!;
    let cause: unknown;
    for (let attempt = 0; attempt <= RECORD_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_DELAYS_MS[attempt - 1]));
      try {
        return await write();
      } catch (error) {
        cause = error;
        // An earlier attempt's commit went through although its answer was lost: it is recorded.
        const recorded = isUniqueViolation(error) ? await this.consents.findByProviderConsentId('nogi', providerConsentId).catch(() => null) : null;
        if (recorded) return recorded;
        this.logger.warn({ flowId: flow.id, attempt: attempt + 1, err: error }, 'Recording a consent NoGi granted failed');
      }
    }
    await this.revokeUnrecorded(flow, providerConsentId, requestId, cause);
    return null;
  }

  private async revokeUnrecorded(flow: FlowRecord, providerConsentId: string, requestId: string, cause: unknown): Promise<void> {
    const event = 'consent.unrecorded';
    try {
      const nogi = await this.debt.revoke(providerConsentId, requestId);
      this.unrecorded.inc({ outcome: 'revoked' });
      this.logger.error({ event, outcome: 'revoked', flowId: flow.id, providerConsentId, nogi, err: cause }, 'A consent NoGi granted could not be recorded; it was revoked at NoGi directly');
    } catch (error) {
      this.unrecorded.inc({ outcome: 'left_at_nogi' });
      this.logger.error(
        { event, outcome: 'left_at_nogi', flowId: flow.id, providerConsentId, revokeError: error instanceof AppError ? error.code : 'internal_error', err: cause },
        'A consent NoGi granted could neither be recorded nor revoked: revoke it at NoGi by hand (DELETE /v1/debt/{providerConsentId})',
      );
    }
  }

  private async pendingFlow(id: string): Promise<FlowRecord> {
    const flow = await this.flows.get(id);
    // The state outlives nothing: a taken state whose flow is gone or no longer pending is not usable.
    if (!flow || flow.status !== 'pending') throw new AppError('INVALID_STATE', 'This consent flow is no longer waiting for NoGi.');
    return flow;
  }

  private async finish(flow: FlowRecord, status: FlowRecord['status'], error: FlowError | undefined, requestId: string): Promise<URL> {
    flow.status = status;
    flow.completedAt = new Date().toISOString();
    if (error) flow.error = error;
    await this.flows.save(flow);
    await this.audit.record({
      action: status === 'completed' ? 'flow.completed' : 'flow.failed',
      actor: { subject: `flow:${flow.id}`, clientId: flow.ownerClientId, requestId },
      outcome: error ?? 'success',
      flowId: flow.id,
      consentId: flow.consentId ?? null,
    });
    const url = new URL(flow.returnUrl);
    url.searchParams.set('flowId', flow.id);
    url.searchParams.set('status', status);
    return url;
  }

  async get(caller: Caller, id: string): Promise<ConsentFlowResponseDto> {
    return toFlowResponse(await this.readable(caller, id));
  }

  async getDebt(caller: Caller, id: string, requestId: string): Promise<DebtInformationDto> {
    const flow = await this.readable(caller, id);
    const actor = actorOf(caller, requestId);
    const outcome = async (result: string) => this.audit.record({ action: 'flow.debt_read', actor, outcome: result, flowId: flow.id, consentId: flow.consentId ?? null });
    if ((flow.dataset ?? 'debt') !== 'debt') {
      await outcome('dataset_mismatch');
      throw new AppError('DATASET_MISMATCH', `The flow is for ${flow.dataset}, not debt.`);
    }
    if (flow.status === 'expired') {
      await outcome('flow_expired');
      throw new AppError('FLOW_DEBT_GONE', 'The flow expired before it completed.');
    }
    if (flow.status !== 'completed') {
      await outcome('flow_not_completed');
      throw new AppError('FLOW_NOT_COMPLETED', `The flow is ${flow.status}.`);
    }
    const debt = (await this.flows.getDebt(flow.id)) as DebtInformationDto | null;
    if (!debt) {
      await outcome('debt_purged');
      throw new AppError('FLOW_DEBT_GONE', `The debt information is kept for ${this.config.flowDebtTtlSeconds} seconds after collection.`);
    }
    await outcome('success');
    return debt;
  }

  /** Object-level rule: the customer it is for, or the client that started it; anyone else gets 404. */
  private async readable(caller: Caller, id: string): Promise<FlowRecord> {
    const flow = await this.flows.get(id);
    const allowed =
      flow !== null && (caller.nationalId !== undefined ? customerMayAccess(caller, flow.nationalIdHash, (n) => this.hasher.hash(n)) : flow.ownerClientId === caller.clientId);
    if (!flow || !allowed) throw new AppError('FLOW_NOT_FOUND', 'No consent flow with this id.');
    if (flow.status === 'pending' && Date.parse(flow.expiresAt) <= Date.now()) flow.status = 'expired';
    return flow;
  }
}

function exchangeFailure(error: unknown): FlowError {
  const cause = (error as { oauthError?: unknown })?.oauthError ?? error;
  if (cause instanceof UpstreamTransportError) return 'nogi_unavailable';
  if (cause instanceof AppError && (cause.code === 'NOGI_UNAVAILABLE' || cause.code === 'NOGI_TIMEOUT')) return 'nogi_unavailable';
  return 'token_exchange_failed';
}

export function toFlowResponse(flow: FlowRecord): ConsentFlowResponseDto {
  return {
    id: flow.id,
    dataset: flow.dataset ?? 'debt',
    provider: flow.provider ?? 'nogi',
    status: flow.status,
    purpose: flow.purpose,
    durationDays: flow.durationDays,
    createdAt: flow.createdAt,
    ...(flow.consentId ? { consentId: flow.consentId } : {}),
    ...(flow.consentExpiresAt ? { consentExpiresAt: flow.consentExpiresAt } : {}),
    ...(flow.error ? { error: flow.error as FlowError } : {}),
  };
}
