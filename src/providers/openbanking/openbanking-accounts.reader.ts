import { Injectable } from '@nestjs/common';
import { DataCipher } from '../../common/crypto/data-cipher';
import { nationalIdContext } from '../../consents/accounts-consent.registration';
import type { ConsentEntity } from '../../database/entities/consent.entity';
import type { ProviderRead } from '../provider-capabilities';
import type { AccountsDto, TransactionsDto } from './accounts.dto';
import { OpenbankingAccountsService } from './openbanking-accounts.service';

/**
 * The `accounts` dataset by consent: the customer's national id is read back from the consent
 * (encrypted, bound to its id) for PSU-ID, and the partner bank is asked. Its answers name no
 * person (no ssn, no PSU-ID echoed back: the bank answers for the PSU-ID we sent), so there is
 * nothing to check the customer against: the person is the consent's own (personHash), which is
 * who we asked about.
 */
@Injectable()
export class OpenbankingAccountsReader {
  constructor(
    private readonly accounts: OpenbankingAccountsService,
    private readonly cipher: DataCipher,
  ) {}

  async accountsWithBalances(consent: ConsentEntity): Promise<ProviderRead<AccountsDto>> {
    const data = await this.accounts.accountsWithBalances(await this.nationalId(consent));
    return { personHash: consent.nationalIdHash, disclose: () => data };
  }

  /** `dateFrom`/`dateTo` already checked (transactionsRequest). */
  async transactions(consent: ConsentEntity, accountId: string, dateFrom: string, dateTo: string): Promise<ProviderRead<TransactionsDto>> {
    const data = await this.accounts.transactions(await this.nationalId(consent), accountId, dateFrom, dateTo);
    return { personHash: consent.nationalIdHash, disclose: () => data };
  }

  private nationalId(consent: ConsentEntity): Promise<string> {
    if (consent.secretCiphertext === null) throw new Error(`accounts consent ${consent.id} has no encrypted national id`);
    return this.cipher.decrypt(consent.secretCiphertext, nationalIdContext(consent.id));
  }
}
