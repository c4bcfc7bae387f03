/**
 * What the Maskinporten simulator needs to know of a consent request held by the Altinn 3
 * simulator, to decide whether a grant's `authorization_details` consent may be used: the
 * request's status, parties, validity and rights. The Altinn 3 simulator answers it; the sandbox
 * runtime hands that lookup to the Maskinporten simulator.
 */
export interface AltinnConsentView {
  id: string;
  status: 'created' | 'accepted' | 'rejected' | 'revoked' | 'deleted' | 'expired';
  /** `urn:altinn:person:identifier-no:<fnr>` */
  from: string;
  /** `urn:altinn:organization:identifier-no:<orgnr>` */
  to: string;
  validTo: Date;
  /** When the customer accepted. */
  consented?: Date;
  rights: Array<{ resource: string; metadata: Record<string, string> }>;
}

export type AltinnConsentLookup = (id: string) => AltinnConsentView | undefined;
