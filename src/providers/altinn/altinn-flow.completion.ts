import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataCipher, NationalIdHasher } from '../../common/crypto/data-cipher';
import { AppError } from '../../common/problem';
import { AuditService } from '../../audit/audit.service';
import { ConsentRepository } from '../../consents/consent.repository';
import { ConsentFlowService } from '../../consent-flow/consent-flow.service';
import type { FlowError } from '../../consent-flow/consent-flow.dto';
import { type FlowRecord, NO_DATA } from '../../consent-flow/flow.store';
import { type AltinnClients, ALTINN_CLIENTS, requireAltinn } from './altinn-clients';
import { AltinnCollector, type Collected } from './altinn-collector';
import { PERSON_URN_PREFIX, type ConsentRequestDetails } from './altinn3/consent-request.types';
import { MaskinportenGrantRefusedError } from './maskinporten/maskinporten.client';
import { SkatteetatenConsentError } from './skatteetaten/skatteetaten-call';
import type { Altinn2FlowCompletion } from './altinn2/altinn2-flow.completion';
import { ALTINN2_COMPLETION } from './altinn2/altinn2.providers';

/**
 * Altinn's side of a flow's callback: take the state once, read the consent request at Altinn
 * (the redirect's `Status` is never trusted), collect once with the consent token, check that
 * every answer names the flow's customer, record the consent and keep the data for the flow's reads.
 * A flow Altinn 2 started (providerData.altinnVersion 2; its redirect brings `AuthorizationCode`
 * to the same route) goes to Altinn2FlowCompletion with the whole query once the state is taken.
 */
@Injectable()
export class AltinnFlowCompletion {
  private readonly logger = new Logger(AltinnFlowCompletion.name);

  constructor(
    @Inject(ALTINN_CLIENTS) private readonly clients: AltinnClients | null,
    private readonly flows: ConsentFlowService,
    private readonly collector: AltinnCollector,
    private readonly hasher: NationalIdHasher,
    private readonly cipher: DataCipher,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditService,
    @Inject(ALTINN2_COMPLETION) private readonly altinn2: Altinn2FlowCompletion | null,
  ) {}

  /** The redirect's query: `state` (ours), and Altinn's `Status`, which is never trusted (Altinn 2's `AuthorizationCode` with it). */
  async complete(query: Record<string, unknown>, requestId: string): Promise<URL> {
    const { flow } = await this.flows.takeFlow(query.state, 'altinn');
    if (flow.providerData?.altinnVersion === 2) {
      // Started under ALTINN_VERSION=2 but this replica runs without it: the code cannot be used here.
      if (!this.altinn2) return this.flows.finish(flow, 'failed', 'altinn_unavailable', requestId);
      return this.altinn2.complete(flow, query, requestId);
    }
    const consentRequestId = String(flow.providerData?.consentRequestId ?? '');
    let details: ConsentRequestDetails;
    try {
      details = await requireAltinn(this.clients).altinn3.get(consentRequestId);
    } catch (error) {
      this.logger.warn({ flowId: flow.id, code: codeOf(error) }, 'Altinn consent request could not be read');
      return this.flows.finish(flow, 'failed', 'altinn_unavailable', requestId);
    }
    if (details.status === 'rejected') return this.flows.finish(flow, 'denied', 'consent_denied', requestId);
    if (details.status !== 'accepted') return this.flows.finish(flow, 'failed', 'consent_not_accepted', requestId);

    // `from` is the customer we asked for; it is also the only place the flow's national id is kept.
    const nationalId = details.from.startsWith(PERSON_URN_PREFIX) ? details.from.slice(PERSON_URN_PREFIX.length) : '';
    if (this.hasher.hash(nationalId) !== flow.nationalIdHash) return this.flows.finish(flow, 'failed', 'identity_mismatch', requestId);

    let collected: Collected;
    try {
      collected = await this.collector.collect(flow.dataset!, consentRequestId, nationalId, flow.parameters ?? null);
    } catch (error) {
      this.logger.warn({ flowId: flow.id, code: codeOf(error) }, 'Altinn collection failed');
      return this.discard(flow, details, collectFailure(error), requestId);
    }
    if (collected.persons.some((person) => this.hasher.hash(person) !== flow.nationalIdHash)) return this.discard(flow, details, 'identity_mismatch', requestId);

    const now = new Date();
    const consent = await this.flows.recordGranted(flow, consentRequestId, requestId, async () =>
      this.consents.insert({
        ...this.values(flow, details),
        status: 'active',
        nationalIdHash: flow.nationalIdHash,
        // Read back for each later collection (Skatteetaten's URL and the grant's `from`).
        secretCiphertext: await this.cipher.encrypt(nationalId, consentSecretContext(consentRequestId)),
        lastUsedAt: now,
      }),
    );
    if (!consent) return this.flows.finish(flow, 'failed', 'server_error', requestId);
    await this.flows.saveData(flow.id, collected.kind === 'found' ? collected.data : NO_DATA);
    flow.consentId = consent.id;
    flow.consentExpiresAt = consent.expiresAt?.toISOString();
    return this.flows.finish(flow, 'completed', undefined, requestId);
  }

  /**
   * Altinn granted a consent the flow cannot use: its answers name someone else, or the collection
   * failed. Altinn has no revocation for us, so it is recorded `revoked` (no customer, nothing kept)
   * and audited: never left at Altinn without a record here, never used. The customer can withdraw
   * it in Altinn; the bank starts a new flow.
   */
  private async discard(flow: FlowRecord, details: ConsentRequestDetails, error: FlowError, requestId: string): Promise<URL> {
    const actor = { subject: `flow:${flow.id}`, clientId: flow.ownerClientId, requestId };
    const consent = await this.flows.recordGranted(flow, details.id, requestId, () =>
      this.consents.transaction(async (manager) => {
        const row = await this.consents.insert({ ...this.values(flow, details), status: 'revoked', nationalIdHash: null, revokedAt: new Date() }, manager);
        await this.audit.record({ action: 'consent.revoked', actor, outcome: error, dataset: row.dataset, consentId: row.id, detail: { altinn: 'local' } }, manager);
        return row;
      }),
    );
    this.logger.warn({ flowId: flow.id, consentId: consent?.id, error }, 'Altinn consent discarded: recorded revoked, no data kept');
    return this.flows.finish(flow, 'failed', error, requestId);
  }

  private values(flow: FlowRecord, details: ConsentRequestDetails) {
    return {
      id: details.id,
      provider: 'altinn' as const,
      dataset: flow.dataset!,
      providerConsentId: details.id,
      parameters: flow.parameters ?? null,
      clientConsentId: null,
      purpose: 'processing' as const,
      scope: flow.requestedScope,
      durationDays: flow.durationDays,
      source: 'flow' as const,
      createdBy: flow.ownerClientId,
      expiresAt: details.validTo,
    };
  }
}

/** The DataCipher context of a consent's secret, bound to our consent id (an Altinn 3 consent's id is its request id). */
export function consentSecretContext(consentId: string): string {
  return `consent:${consentId}`;
}

function codeOf(error: unknown): string {
  return error instanceof AppError ? error.code : error instanceof Error ? error.name : 'unknown';
}

/** Why a collection failed, as the flow's error. */
export function collectFailure(error: unknown): FlowError {
  if (error instanceof SkatteetatenConsentError) return 'consent_not_accepted';
  if (error instanceof MaskinportenGrantRefusedError) return error.consentGrant ? 'consent_not_accepted' : 'maskinporten_unavailable';
  if (error instanceof AppError && error.code.startsWith('MASKINPORTEN_')) return 'maskinporten_unavailable';
  if (error instanceof AppError && error.code.startsWith('SKATTEETATEN_')) return 'skatteetaten_unavailable';
  return 'server_error';
}
