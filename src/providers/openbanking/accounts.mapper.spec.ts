import { mapAccountList, mapBalances, mapTransactions, UnusableAnswerError } from './accounts.mapper';

const account = { resourceId: 'spv-1', bban: '36330000001', currency: 'NOK', name: 'BRUKSKONTO', cashAccountType: 'CACC' };

describe('accounts.mapper', () => {
  it('keeps amounts as the decimal strings the bank sent', () => {
    expect(mapBalances({ balances: [{ balanceType: 'closingBooked', balanceAmount: { amount: '-0.5', currency: 'NOK' } }] })).toEqual([{ type: 'closingBooked', amount: '-0.5', currency: 'NOK' }]);
    expect(mapBalances({ balances: [{ balanceType: 'x', balanceAmount: { amount: '12345678901234.123', currency: 'NOK' } }] })[0].amount).toBe('12345678901234.123');
  });

  it.each([10000.0, '10 000,00', '1e5', '1.2345', '', '+5.00'])('refuses the amount %p', (amount) => {
    expect(() => mapBalances({ balances: [{ balanceType: 'x', balanceAmount: { amount, currency: 'NOK' } }] })).toThrow(UnusableAnswerError);
  });

  it('maps accounts, leaving out what the bank did not send and what we do not show', () => {
    expect(mapAccountList({ accounts: [account] })).toEqual([{ id: 'spv-1', name: 'BRUKSKONTO', bban: '36330000001', currency: 'NOK' }]);
  });

  it('refuses a resourceId outside [A-Za-z0-9._-]{1,100}, a missing list or a bad currency', () => {
    expect(() => mapAccountList({ accounts: [{ ...account, resourceId: 'a/b' }] })).toThrow(UnusableAnswerError);
    expect(() => mapAccountList({ accounts: [{ ...account, resourceId: 'x'.repeat(101) }] })).toThrow(UnusableAnswerError);
    expect(() => mapAccountList({})).toThrow(UnusableAnswerError);
    expect(() => mapAccountList({ accounts: [{ ...account, currency: 'nok' }] })).toThrow(UnusableAnswerError);
  });

  it('keeps the NextGenPSD2 transaction fields only, and takes a missing pending list as empty', () => {
    const booked = [{ transactionId: 't1', bookingDate: '2026-11-30', valueDate: '2026-11-30', transactionAmount: { amount: '-40.00', currency: 'NOK' }, creditorName: 'Skyss', remittanceInformationUnstructured: 'Billett', internalNote: 'x' }];
    expect(mapTransactions({ transactions: { booked } })).toEqual({ booked: [{ ...booked[0], internalNote: undefined }].map(({ internalNote: _, ...t }) => t), pending: [] });
    expect(() => mapTransactions({ transactions: { booked: [{ ...booked[0], bookingDate: '30.11.2026' }] } })).toThrow(UnusableAnswerError);
  });
});
