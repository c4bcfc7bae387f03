import { Inject, Injectable } from '@nestjs/common';
import { DataCipher, NationalIdHasher } from '../../common/crypto/data-cipher';
import { AppError } from '../../common/problem';
import type { ConsentEntity } from '../../database/entities/consent.entity';
import { ConsentEndedAtProviderError, type ProviderRead } from '../provider-capabilities';
import { type AltinnClients, ALTINN_CLIENTS, requireAltinn } from './altinn-clients';
import { AltinnCollector, type AltinnData, type Collected } from './altinn-collector';
import { altinnStatusOf } from './altinn.provider';
import { consentSecretContext } from './altinn-flow.completion';
import { MaskinportenGrantRefusedError } from './maskinporten/maskinporten.client';
import { SkatteetatenConsentError } from './skatteetaten/skatteetaten-call';
import type { Altinn2ConsentReader } from './altinn2/altinn2-consent.reader';
import { ALTINN2_READER, isAltinn2Consent, requireAltinn2 } from './altinn2/altinn2.providers';

/**
 * tax-assessment and income by consent: a consent token for the stored Altinn request, then
 * Skatteetaten. When Maskinporten refuses the consent grant or Skatteetaten refuses the consent,
 * the request is re-checked at Altinn: ended there → the consent ends here (410); still accepted →
 * the refusal is passed on (502). Every answer's person must be the consent's customer. An Altinn 2
 * consent (providerConsentId `altinn2:…`) is read by Altinn2ConsentReader.
 */
@Injectable()
export class AltinnDataReader {
  constructor(
    @Inject(ALTINN_CLIENTS) private readonly clients: AltinnClients | null,
    private readonly collector: AltinnCollector,
    private readonly cipher: DataCipher,
    private readonly hasher: NationalIdHasher,
    @Inject(ALTINN2_READER) private readonly altinn2: Altinn2ConsentReader | null,
  ) {}

  async read<T extends AltinnData>(consent: ConsentEntity, requestId?: string): Promise<ProviderRead<T>> {
    if (isAltinn2Consent(consent)) return requireAltinn2(this.altinn2).read<T>(consent, requestId);
    const clients = requireAltinn(this.clients);
    if (!consent.secretCiphertext) throw new AppError('CONSENT_NOT_ACTIVE', 'This consent cannot be used for a collection.');
    const nationalId = await this.cipher.decrypt(consent.secretCiphertext, consentSecretContext(consent.id));
    let collected: Collected;
    try {
      collected = await this.collector.collect(consent.dataset, consent.providerConsentId, nationalId, consent.parameters);
    } catch (error) {
      const consentRefused = error instanceof SkatteetatenConsentError || (error instanceof MaskinportenGrantRefusedError && error.consentGrant);
      if (!consentRefused) throw error;
      const status = altinnStatusOf(await clients.altinn3.get(consent.providerConsentId));
      if (!status.active) throw new ConsentEndedAtProviderError(status.ended, error instanceof SkatteetatenConsentError ? 'skatteetaten_consent_error' : 'maskinporten_consent_refused');
      throw error instanceof SkatteetatenConsentError ? new AppError('SKATTEETATEN_REJECTED', 'Skatteetaten refused the consent although Altinn holds it active.', { cause: error }) : error;
    }
    if (collected.kind === 'no_data') throw new AppError('NO_DATA', 'The source has no data for this period.');
    const persons = new Set(collected.persons);
    // One person in every answer, or none we can vouch for: ConsentDataService refuses (IDENTITY_MISMATCH) before disclose.
    const personHash = persons.size === 1 && !persons.has('') ? this.hasher.hash([...persons][0]) : null;
    if (collected.kind === 'other_person') return { personHash, disclose: () => { throw new AppError('IDENTITY_MISMATCH', 'The consent token names another person.'); } };
    const data = collected.data;
    return { personHash, disclose: () => data as T };
  }
}
