import { Injectable } from '@nestjs/common';
import type { ProviderCapabilities } from '../provider-capabilities';

/**
 * Open banking's capabilities: none beyond its name. Its consents are captured in the bank's own
 * channel (POST /v1/consents, no flow), and the partner bank holds no consent of ours to revoke or
 * re-read: a DELETE is recorded `revoked` here at once and is final. Registered by
 * OpenbankingModule when PROVIDERS enables openbanking.
 */
@Injectable()
export class OpenbankingProvider implements ProviderCapabilities {
  readonly provider = 'openbanking' as const;
}
