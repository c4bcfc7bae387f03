import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataCipher, NationalIdHasher } from '../../../common/crypto/data-cipher';
import { AppError } from '../../../common/problem';
import type { ConsentRepository } from '../../../consents/consent.repository';
import type { FlowError } from '../../../consent-flow/consent-flow.dto';
import type { ConsentFlowService } from '../../../consent-flow/consent-flow.service';
import { type FlowRecord, NO_DATA } from '../../../consent-flow/flow.store';
import { MaskinportenGrantRefusedError } from '../maskinporten/maskinporten.client';
import { SkatteetatenConsentError } from '../skatteetaten/skatteetaten-call';
import { type Altinn2Collector, type Altinn2ConsentToken, type Altinn2Fetched } from './altinn2-collector';
import { altinn2CodeContext, altinn2ProviderConsentId } from './altinn2-consent-secret';
import { altinn2DatasetOf } from './altinn2-dataset';
import { Altinn2TokenRefusedError } from './altinn2-token.client';
import { Altinn2TokenInvalidError } from './altinn2-token.verifier';

/** Altinn 2's codes are GUIDs; anything far from that shape is not worth an upstream call. */
const CODE_SHAPE = /^[A-Za-z0-9-]{8,128}$/;

/**
 * Altinn 2's side of the callback `/v1/consent-flows/callback/altinn`, after the caller took the
 * one-time state (ConsentFlowService.takeFlow(state, 'altinn')). `Status=Failed` → denied; `OK`
 * with an `AuthorizationCode` is trusted only once the token fetched with it verifies for the
 * flow's customer, our organisation and the asked service. Then one collection at Skatteetaten,
 * whose answer must name that customer too; the consent is recorded with the code encrypted (a
 * later read needs a fresh token) and the data kept for the flow's reads.
 */
export class Altinn2FlowCompletion {
  private readonly logger = new Logger(Altinn2FlowCompletion.name);

  constructor(
    private readonly flows: ConsentFlowService,
    private readonly collector: Altinn2Collector,
    private readonly consents: ConsentRepository,
    private readonly cipher: DataCipher,
    private readonly hasher: NationalIdHasher,
  ) {}

  async complete(flow: FlowRecord, query: Record<string, unknown>, requestId: string): Promise<URL> {
    const status = text(query.Status);
    if (status === 'Failed') {
      // ErrorMessage is Altinn's free text: never matched on, never logged.
      this.logger.log({ flowId: flow.id, errorMessage: text(query.ErrorMessage) !== undefined }, 'Altinn 2 consent not given');
      return this.flows.finish(flow, 'denied', 'consent_denied', requestId);
    }
    const code = text(query.AuthorizationCode);
    if (status !== 'OK' || code === undefined || !CODE_SHAPE.test(code)) return this.flows.finish(flow, 'failed', 'consent_not_accepted', requestId);

    const dataset = altinn2DatasetOf(flow.dataset);
    let token: Altinn2ConsentToken;
    try {
      token = await this.collector.consentToken(dataset, code, flow.parameters, (offeredBy) => this.hasher.hash(offeredBy) === flow.nationalIdHash);
    } catch (error) {
      this.logger.warn({ flowId: flow.id, reason: reasonOf(error) }, 'Altinn 2 consent token not usable');
      return this.flows.finish(flow, 'failed', tokenFailure(error), requestId);
    }

    let fetched: Altinn2Fetched;
    try {
      fetched = await this.collector.fetch(dataset, flow.parameters, token);
    } catch (error) {
      this.logger.warn({ flowId: flow.id, reason: reasonOf(error) }, 'Altinn 2 collection failed');
      return this.flows.finish(flow, 'failed', collectFailure(error), requestId);
    }
    // Skatteetaten's answer about anyone else: nothing is kept, the code is dropped with it.
    if (fetched.kind === 'found' && fetched.persons.some((person) => person !== token.consent.offeredBy)) {
      this.logger.warn({ flowId: flow.id }, 'Skatteetaten answered for another person than the Altinn 2 consent names; nothing kept');
      return this.flows.finish(flow, 'failed', 'identity_mismatch', requestId);
    }

    const consentId = randomUUID();
    const providerConsentId = altinn2ProviderConsentId(code);
    const now = new Date();
    const consent = await this.flows.recordGranted(flow, providerConsentId, requestId, async () =>
      this.consents.insert({
        id: consentId,
        provider: 'altinn',
        dataset,
        providerConsentId,
        parameters: flow.parameters ?? null,
        clientConsentId: null,
        purpose: 'processing',
        scope: flow.requestedScope,
        durationDays: flow.durationDays,
        source: 'flow',
        createdBy: flow.ownerClientId,
        status: 'active',
        nationalIdHash: flow.nationalIdHash,
        expiresAt: validToOf(flow, token),
        secretCiphertext: await this.cipher.encrypt(code, altinn2CodeContext(consentId)),
        lastUsedAt: now,
      }),
    );
    if (!consent) return this.flows.finish(flow, 'failed', 'server_error', requestId);
    await this.flows.saveData(flow.id, fetched.kind === 'found' ? fetched.data : NO_DATA);
    flow.consentId = consent.id;
    flow.consentExpiresAt = consent.expiresAt?.toISOString();
    return this.flows.finish(flow, 'completed', undefined, requestId);
  }
}

/** The verified token's ValidToDate, never later than the one the flow asked for (durationDays). */
function validToOf(flow: FlowRecord, token: Altinn2ConsentToken): Date {
  const asked = Date.parse(String(flow.providerData?.validTo ?? ''));
  return Number.isFinite(asked) && asked < token.consent.validTo.getTime() ? new Date(asked) : token.consent.validTo;
}

/** A query value as Altinn sends it: one string (a repeated parameter is not Altinn's). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Why the token step failed, as the flow's error. */
export function tokenFailure(error: unknown): FlowError {
  if (error instanceof Altinn2TokenRefusedError) return 'token_exchange_failed';
  if (error instanceof Altinn2TokenInvalidError) return error.reason === 'wrong_person' ? 'identity_mismatch' : 'token_exchange_failed';
  if (error instanceof AppError && error.code.startsWith('ALTINN_')) return 'altinn_unavailable';
  return 'server_error';
}

/** Why the collection at Skatteetaten failed, as the flow's error. */
export function collectFailure(error: unknown): FlowError {
  if (error instanceof SkatteetatenConsentError) return 'consent_not_accepted';
  if (error instanceof MaskinportenGrantRefusedError) return 'maskinporten_unavailable';
  if (error instanceof AppError && error.code.startsWith('MASKINPORTEN_')) return 'maskinporten_unavailable';
  if (error instanceof AppError && error.code.startsWith('SKATTEETATEN_')) return 'skatteetaten_unavailable';
  return 'server_error';
}

/** For the log: a refusal's reason or an error's code, never a message that could quote a secret. */
export function reasonOf(error: unknown): string {
  if (error instanceof Altinn2TokenInvalidError) return error.reason;
  if (error instanceof Altinn2TokenRefusedError) return `altinn2_token_refused_${error.status}`;
  if (error instanceof SkatteetatenConsentError) return error.kode;
  if (error instanceof AppError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
