import { Injectable } from '@nestjs/common';
import { NationalIdHasher } from '../../common/crypto/data-cipher';
import { isValidNationalId } from '../../common/national-id';
import type { ConsentEntity } from '../../database/entities/consent.entity';
import { ConsentEndedAtProviderError, type ProviderRead } from '../provider-capabilities';
import type { DebtInformationDto } from './debt.dto';
import { toDebtResponse } from './debt.mapper';
import { NogiDebtClient, NogiInvalidConsentError } from './nogi-debt.client';
import { endedStatus } from './nogi.provider';

/** Debt by consent at NoGi: a client-credentials token and the consent id; NoGi's `ssn` names the person. */
@Injectable()
export class NogiDebtReader {
  constructor(
    private readonly debt: NogiDebtClient,
    private readonly hasher: NationalIdHasher,
  ) {}

  async read(consent: ConsentEntity, requestId: string | undefined): Promise<ProviderRead<DebtInformationDto>> {
    let debt;
    try {
      debt = await this.debt.getDebt(consent.providerConsentId, requestId);
    } catch (error) {
      // NoGi's 403 `invalid consent`: the consent is over at NoGi.
      if (error instanceof NogiInvalidConsentError) throw new ConsentEndedAtProviderError(endedStatus(error.reason, consent), `nogi_${error.reason}`);
      throw error;
    }
    return {
      personHash: typeof debt.ssn === 'string' && isValidNationalId(debt.ssn) ? this.hasher.hash(debt.ssn) : null,
      disclose: () => toDebtResponse(debt, consent.id),
    };
  }
}
