import { Logger } from '@nestjs/common';
import type { DataCipher, NationalIdHasher } from '../../../common/crypto/data-cipher';
import { isValidNationalId } from '../../../common/national-id';
import { AppError } from '../../../common/problem';
import type { ConsentEntity } from '../../../database/entities/consent.entity';
import { ConsentEndedAtProviderError, type ProviderConsentStatus, type ProviderRead } from '../../provider-capabilities';
import { SkatteetatenConsentError } from '../skatteetaten/skatteetaten-call';
import type { Altinn2Collector, Altinn2ConsentToken, Altinn2Data, Altinn2Fetched } from './altinn2-collector';
import { altinn2CodeContext } from './altinn2-consent-secret';
import { altinn2DatasetOf } from './altinn2-dataset';
import { reasonOf } from './altinn2-flow.completion';
import { Altinn2TokenRefusedError } from './altinn2-token.client';
import { Altinn2TokenInvalidError } from './altinn2-token.verifier';

/**
 * tax-assessment and income by an Altinn 2 consent, for ConsentDataService: past its ValidToDate
 * the consent is over without asking anyone; otherwise the stored authorization code fetches a
 * fresh token (it lives 30 s, so it is never kept), verified, then Skatteetaten with it. Altinn
 * refusing the code, or Skatteetaten refusing the consent, ends the consent here (410). `status`
 * is the same token step, for `?refresh=true`.
 */
export class Altinn2ConsentReader {
  private readonly logger = new Logger(Altinn2ConsentReader.name);

  constructor(
    private readonly collector: Altinn2Collector,
    private readonly cipher: DataCipher,
    private readonly hasher: NationalIdHasher,
    private readonly now: () => number = Date.now,
  ) {}

  async read<T extends Altinn2Data = Altinn2Data>(consent: ConsentEntity, _requestId?: string): Promise<ProviderRead<T>> {
    const dataset = altinn2DatasetOf(consent.dataset);
    const token = await this.token(consent);
    const offeredByHash = this.hasher.hash(token.consent.offeredBy);
    if (consent.nationalIdHash !== null && offeredByHash !== consent.nationalIdHash) {
      // Not sent to Skatteetaten: the mismatch is refused (and audited) by the caller.
      return { personHash: offeredByHash, disclose: () => { throw new AppError('IDENTITY_MISMATCH', 'The consent token names another person.'); } };
    }

    let fetched: Altinn2Fetched;
    try {
      fetched = await this.collector.fetch(dataset, consent.parameters, token);
    } catch (error) {
      if (!(error instanceof SkatteetatenConsentError)) throw error;
      this.logger.warn({ consentId: consent.id, reason: error.kode }, 'Skatteetaten refused an Altinn 2 consent that Altinn still gives tokens for');
      throw new ConsentEndedAtProviderError('archived', 'skatteetaten_consent_error');
    }
    if (fetched.kind === 'no_data') throw new AppError('NO_DATA', 'The source has no data for this period.');
    const persons = new Set(fetched.persons);
    persons.add(token.consent.offeredBy);
    const [person] = persons;
    const data = fetched.data;
    return {
      // One person in the token and in every statement, or none we can vouch for (nothing disclosed).
      personHash: persons.size === 1 && isValidNationalId(person) ? this.hasher.hash(person) : null,
      disclose: () => data as T,
    };
  }

  /** Altinn 2's view of the consent (`?refresh=true`): a token for the code is asked for (Altinn 2 has no status API). */
  async status(consent: ConsentEntity, _requestId?: string): Promise<ProviderConsentStatus> {
    try {
      const token = await this.token(consent);
      return { active: true, expiresAt: token.consent.validTo };
    } catch (error) {
      if (error instanceof ConsentEndedAtProviderError) return { active: false, ended: error.ended, reason: error.reason };
      throw error;
    }
  }

  /** A fresh, verified token for the stored code; the consent's end when Altinn says it is over. */
  private async token(consent: ConsentEntity): Promise<Altinn2ConsentToken> {
    const dataset = altinn2DatasetOf(consent.dataset);
    if (!consent.expiresAt || consent.expiresAt.getTime() <= this.now()) throw new ConsentEndedAtProviderError('expired', 'altinn2_valid_to_passed');
    if (!consent.secretCiphertext) throw new AppError('CONSENT_NOT_ACTIVE', 'This consent cannot be used for a collection.');
    const code = await this.cipher.decrypt(consent.secretCiphertext, altinn2CodeContext(consent.id));
    try {
      // Any person passes the verifier here: who it names is told to ConsentDataService, which refuses a stranger.
      return await this.collector.consentToken(dataset, code, consent.parameters, () => true);
    } catch (error) {
      this.logger.warn({ consentId: consent.id, reason: reasonOf(error) }, 'Altinn 2 consent token not usable');
      // 403: the code is no longer valid at Altinn (withdrawn by the customer: ValidToDate is still ahead).
      if (error instanceof Altinn2TokenRefusedError) throw new ConsentEndedAtProviderError('archived', 'altinn2_token_refused');
      if (error instanceof Altinn2TokenInvalidError && error.reason === 'consent_expired') throw new ConsentEndedAtProviderError('expired', 'altinn2_consent_expired');
      if (error instanceof Altinn2TokenInvalidError) throw new AppError('ALTINN_BAD_RESPONSE', 'Altinn 2 answered with a consent token that does not verify.', { cause: error });
      throw error;
    }
  }
}
