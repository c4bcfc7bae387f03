import { Altinn2FlowStarter } from './altinn2-flow.starter';
import type { FlowStartInput } from '../../provider-capabilities';
import { parseAltinn2Date } from './oslo-time';

const NOW = Date.parse('2026-03-28T23:30:00.600Z');
const starter = new Altinn2FlowStarter(
  { url: 'https://tt02.altinn.no', resources: { 'tax-assessment': { code: '4628', edition: '210607' }, income: { code: '4804', edition: '210607' } }, orgNumber: '910514458', redirectUri: 'https://bank.example/v1/consent-flows/callback/altinn?tenant=a' },
  () => NOW,
);
const input = (over: Partial<FlowStartInput>): FlowStartInput => ({
  flowId: 'f',
  dataset: 'tax-assessment',
  nationalId: '14842249091',
  parameters: { incomeYear: 2025 },
  durationDays: undefined,
  message: undefined,
  purpose: undefined,
  state: 'st/ate+1',
  expiresAt: new Date(NOW + 600_000),
  requestId: 'r',
  ...over,
});

describe('Altinn2FlowStarter', () => {
  it('links to AccessConsent with the resource name as scope and 30 days by default', async () => {
    const out = await starter.start(input({}));
    expect(out.scope).toBe('ske-samtykke-sbl-summert-skattegrunnlag');
    expect(out.durationDays).toBe(30);
    const url = new URL(out.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe('https://tt02.altinn.no/ui/AccessConsent/');
    expect(url.searchParams.get('CoveredBy')).toBe('910514458');
    expect(url.searchParams.get('ResponseType')).toBe('code');
    const redirect = new URL(url.searchParams.get('RedirectUrl')!);
    expect(redirect.searchParams.get('tenant')).toBe('a');
    expect(redirect.searchParams.get('state')).toBe('st/ate+1');
    // 30 days on, whole seconds, written in Oslo time (summer time has begun by then).
    expect(url.searchParams.get('ValidToDate')).toBe('2026-04-28 01:30:00');
    expect(parseAltinn2Date(url.searchParams.get('ValidToDate'))!.toISOString()).toBe('2026-04-27T23:30:00.000Z');
    expect(out.flowData).toEqual({ altinnVersion: 2, altinn2Service: '4628;210607', validTo: '2026-04-27T23:30:00.000Z' });
  });

  it('sends the message as DelegationContext, and income with its period', async () => {
    const out = await starter.start(input({ dataset: 'income', parameters: { fromMonth: '2025-01', toMonth: '2025-12' }, durationDays: 7, message: 'Søknad & lån' }));
    expect(out.scope).toBe('ske-samtykke-sbl-inntekt');
    expect(out.durationDays).toBe(7);
    const url = new URL(out.authorizationUrl);
    expect(url.searchParams.get('DelegationContext')).toBe('Søknad & lån');
    expect(url.searchParams.get('Resources')).toBe('4804;210607');
    expect(url.searchParams.get('Metadata')).toBe('4804_210607_fraOgMed;2025-01,4804_210607_tilOgMed;2025-12');
  });

  it('refuses a dataset that is not Altinn\u2019s', async () => {
    await expect(starter.start(input({ dataset: 'debt' }))).rejects.toThrow(RangeError);
  });
});
