import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConsentEntity } from '../../database/entities/consent.entity';
import type { FlowStartInput, FlowStartOutput, ProviderCapabilities, ProviderConsentStatus } from '../provider-capabilities';
import { type AltinnClients, ALTINN_CLIENTS, requireAltinn } from './altinn-clients';
import { AltinnConsentRequestNotFoundError } from './altinn3/altinn3-consent.client';
import { incomeRight, taxAssessmentRight } from './altinn3/consent-request.mapping';
import type { ConsentRequestDetails } from './altinn3/consent-request.types';
import { altinnRedirectUrl } from './altinn3/redirect-url';
import type { Altinn2Clients } from './altinn2/altinn2-clients';
import type { Altinn2ConsentReader } from './altinn2/altinn2-consent.reader';
import { ALTINN2_CLIENTS, ALTINN2_READER, isAltinn2Consent, requireAltinn2 } from './altinn2/altinn2.providers';

/**
 * Altinn's capabilities: the consent flow (Altinn 3 consent request → viewUri, or with
 * ALTINN_VERSION=2 Altinn 2's AccessConsent link) and its status (by the consent: an `altinn2:`
 * one asks Altinn 2 for a token). No `revoke`: Altinn lets only the customer withdraw (in Altinn),
 * so our DELETE records the consent revoked at once and it is never used again. Registered by
 * AltinnModule when PROVIDERS has altinn.
 */
@Injectable()
export class AltinnProvider implements ProviderCapabilities {
  readonly provider = 'altinn' as const;

  constructor(
    @Inject(ALTINN_CLIENTS) private readonly clients: AltinnClients | null,
    @Inject(ALTINN2_CLIENTS) private readonly altinn2: Altinn2Clients | null,
    @Inject(ALTINN2_READER) private readonly altinn2Reader: Altinn2ConsentReader | null,
  ) {}

  async startFlow(input: FlowStartInput): Promise<FlowStartOutput> {
    const clients = requireAltinn(this.clients);
    if (clients.config.version === 2) return requireAltinn2(this.altinn2).starter.start(input);
    const durationDays = input.durationDays ?? 30;
    const right = input.dataset === 'tax-assessment' ? taxAssessmentRight(Number(input.parameters.incomeYear)) : incomeRight(String(input.parameters.fromMonth), String(input.parameters.toMonth));
    // A fresh id per flow: Altinn's idempotency key, and later our consent's id as well.
    const consentRequestId = randomUUID();
    const created = await clients.altinn3.create({
      id: consentRequestId,
      nationalId: input.nationalId,
      validTo: new Date(Date.now() + durationDays * 86_400_000),
      right,
      ...(input.message !== undefined ? { message: input.message } : {}),
      redirectUrl: altinnRedirectUrl(clients.config.redirectUri, input.state),
    });
    return { authorizationUrl: created.viewUri, scope: right.resource, durationDays, flowData: { consentRequestId } };
  }

  /** Altinn's view of the request: accepted and unexpired → active; revoked/deleted → archived; expired → expired. */
  async status(consent: ConsentEntity, requestId?: string): Promise<ProviderConsentStatus> {
    if (isAltinn2Consent(consent)) return requireAltinn2(this.altinn2Reader).status(consent, requestId);
    const clients = requireAltinn(this.clients);
    let details: ConsentRequestDetails;
    try {
      details = await clients.altinn3.get(consent.providerConsentId);
    } catch (error) {
      if (error instanceof AltinnConsentRequestNotFoundError) return { active: false, ended: 'archived', reason: 'altinn_not_found' };
      throw error;
    }
    return altinnStatusOf(details);
  }
}

/** What a consent request's details mean for a consent we recorded from it. */
export function altinnStatusOf(details: Pick<ConsentRequestDetails, 'status' | 'validTo'>, now = new Date()): ProviderConsentStatus {
  if (details.status === 'accepted' && details.validTo > now) return { active: true, expiresAt: details.validTo };
  if (details.status === 'expired' || details.status === 'accepted') return { active: false, ended: 'expired', reason: 'altinn_expired' };
  return { active: false, ended: 'archived', reason: `altinn_${details.status}` };
}
