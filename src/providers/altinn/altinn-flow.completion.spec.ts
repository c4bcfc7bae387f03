import { AppError } from '../../common/problem';
import { collectFailure } from './altinn-flow.completion';
import { MaskinportenGrantRefusedError } from './maskinporten/maskinporten.client';
import { SkatteetatenConsentError } from './skatteetaten/skatteetaten-call';

describe('collectFailure', () => {
  it('reads a refused consent as not accepted, whoever refused it', () => {
    expect(collectFailure(new SkatteetatenConsentError('IM-010'))).toBe('consent_not_accepted');
    expect(collectFailure(new MaskinportenGrantRefusedError('invalid_grant', true, 400))).toBe('consent_not_accepted');
  });

  it('reads a refusal of our own client and failures of an upstream as that upstream being unavailable', () => {
    expect(collectFailure(new MaskinportenGrantRefusedError('invalid_client', false, 400))).toBe('maskinporten_unavailable');
    expect(collectFailure(new AppError('MASKINPORTEN_TIMEOUT', 'slow'))).toBe('maskinporten_unavailable');
    expect(collectFailure(new AppError('SKATTEETATEN_UNAVAILABLE', 'down'))).toBe('skatteetaten_unavailable');
    expect(collectFailure(new AppError('SKATTEETATEN_BAD_RESPONSE', 'odd'))).toBe('skatteetaten_unavailable');
    expect(collectFailure(new Error('bug'))).toBe('server_error');
  });
});
