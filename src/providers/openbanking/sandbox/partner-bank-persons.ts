/** The simulator's accounts in NextGenPSD2 1.3 shapes; amounts are decimal strings, as the bank sends them. */
export interface SandboxAccount {
  resourceId: string;
  iban?: string;
  bban: string;
  currency: string;
  name: string;
  product: string;
  cashAccountType: string;
  interimAvailable: string;
  closingBooked: string;
  /** Booked transactions as (days before today, amount, counterparty, text); negative amounts are payments. */
  booked: ReadonlyArray<readonly [number, string, string, string]>;
  /** Pending card payments as (amount, creditor, text), dated today. */
  pending: ReadonlyArray<readonly [string, string, string]>;
}

/** Norwegian account number: 10 digits and a MOD11 check digit (weights 5,4,3,2,7,6,5,4,3,2). */
export function norwegianBban(first10: string): string {
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = [...first10].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  const check = (11 - (sum % 11)) % 11;
  if (check === 10) throw new Error(`${first10}: no valid check digit`);
  return `${first10}${check}`;
}

/** ISO 13616 IBAN for a Norwegian BBAN. */
export function norwegianIban(bban: string): string {
  const digits = `${bban}${'NO'.split('').map((c) => c.charCodeAt(0) - 55).join('')}00`;
  const remainder = [...digits].reduce((r, d) => (r * 10 + Number(d)) % 97, 0);
  return `NO${String(98 - remainder).padStart(2, '0')}${bban}`;
}

function account(resourceId: string, first10: string, spec: Omit<SandboxAccount, 'resourceId' | 'bban' | 'iban' | 'currency'>, withIban = true): SandboxAccount {
  const bban = norwegianBban(first10);
  return { resourceId, bban, ...(withIban ? { iban: norwegianIban(bban) } : {}), currency: 'NOK', ...spec };
}

const SALARY_AND_BILLS = [
  [1, '-389.40', 'REMA 1000 Danmarksplass', 'Varekjøp REMA 1000 Danmarksplass'],
  [3, '-1245.00', 'BKK AS', 'Strøm november'],
  [6, '-40.00', 'Skyss', 'Billett Bybanen'],
  [11, '-612.35', 'Kiwi Nygårdsgaten', 'Varekjøp Kiwi'],
  [16, '42150.00', 'Helse Bergen HF', 'Lønn'],
  [24, '-9800.00', 'Bergen Boligbyggelag', 'Husleie'],
  [47, '42150.00', 'Helse Bergen HF', 'Lønn'],
  [75, '-2999.00', 'Elkjøp Lagunen', 'Varekjøp'],
  [140, '40100.00', 'Helse Bergen HF', 'Lønn'],
] as const;

export const SANDBOX_ACCOUNTS: Readonly<Record<string, readonly SandboxAccount[]>> = {
  '14842249091': [
    account('spv-10001-brukskonto', '3633000000', {
      name: 'Brukskonto Kari Nordmann', product: 'Brukskonto', cashAccountType: 'CACC', interimAvailable: '10000.00', closingBooked: '10389.40',
      booked: SALARY_AND_BILLS, pending: [['-189.90', 'Vinmonopolet Bergen Storsenter', 'Varekjøp']],
    }),
    account('spv-10002-hoyrente', '3633000003', {
      name: 'Høyrentekonto', product: 'Høyrente Pluss', cashAccountType: 'SVGS', interimAvailable: '152340.75', closingBooked: '152340.75',
      booked: [[30, '5000.00', 'Kari Nordmann', 'Overføring sparing'], [61, '5000.00', 'Kari Nordmann', 'Overføring sparing']], pending: [],
    }),
    account('spv-10003-bsu', '3633000002', {
      name: 'BSU Kari', product: 'BSU', cashAccountType: 'SVGS', interimAvailable: '27500.00', closingBooked: '27500.00',
      booked: [[20, '2500.00', 'Kari Nordmann', 'BSU-sparing']], pending: [],
    }, false),
  ],
  '29868099311': [
    account('spv-20001-lonnskonto', '3201500000', {
      name: 'Lønnskonto Ola Hansen', product: 'Brukskonto', cashAccountType: 'CACC', interimAvailable: '3412.18', closingBooked: '3902.18',
      booked: [
        [2, '-490.00', 'Circle K Fyllingsdalen', 'Drivstoff'],
        [14, '38720.00', 'Equinor ASA', 'Lønn'],
        [15, '-14250.00', 'Sparebanken Vest', 'Terminbeløp boliglån'],
        [45, '38720.00', 'Equinor ASA', 'Lønn'],
      ],
      pending: [['-129.00', 'Kiwi Fyllingsdalen', 'Varekjøp']],
    }),
    account('spv-20002-felles', '3201500001', {
      name: 'Felleskonto', product: 'Brukskonto', cashAccountType: 'CACC', interimAvailable: '-250.50', closingBooked: '-250.50',
      booked: [[8, '-1990.00', 'Fjordkraft AS', 'Strøm'], [9, '2000.00', 'Ola Hansen', 'Overføring']], pending: [],
    }),
  ],
};
