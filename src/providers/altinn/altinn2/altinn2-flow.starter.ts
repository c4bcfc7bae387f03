import type { FlowStartInput, FlowStartOutput } from '../../provider-capabilities';
import { ALTINN_RESOURCE_NAMES, altinn2DatasetOf, type Altinn2Resources } from './altinn2-dataset';
import { altinn2ConsentFor, buildAltinn2ConsentLink } from './altinn2-link';
import { serviceKey } from './altinn2-services';

/** api.md: durationDays defaults to 30. */
const DEFAULT_DURATION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Altinn2FlowStarterSettings {
  /** ALTINN2_URL, without a trailing slash. */
  url: string;
  resources: Altinn2Resources;
  /** ALTINN_ORG_NUMBER: `CoveredBy`. */
  orgNumber: string;
  /** ALTINN_REDIRECT_URI: the one-time state is added to its query. */
  redirectUri: string;
}

/**
 * The start of an Altinn 2 flow (ALTINN_VERSION=2): Altinn 2's `/ui/AccessConsent/` link, built
 * here without any upstream call. `ValidToDate` = now + durationDays (written in Norwegian local
 * time by the link builder); `DelegationContext` = the bank's message or the dataset's default
 * text. `scope` is the dataset's Altinn resource name, as with Altinn 3, so callers see one value
 * per dataset whatever the version; the Altinn 2 service is kept in the flow's data.
 */
export class Altinn2FlowStarter {
  constructor(
    private readonly settings: Altinn2FlowStarterSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async start(input: FlowStartInput): Promise<FlowStartOutput> {
    const dataset = altinn2DatasetOf(input.dataset);
    const durationDays = input.durationDays ?? DEFAULT_DURATION_DAYS;
    // Whole seconds: ValidToDate carries no fraction, and the token's ValidToDate must match it.
    const validTo = new Date(Math.floor((this.now() + durationDays * DAY_MS) / 1000) * 1000);
    const consent = altinn2ConsentFor(dataset, this.settings.resources, { ...input.parameters, message: input.message });
    const authorizationUrl = buildAltinn2ConsentLink({
      altinn2Url: this.settings.url,
      ...consent,
      coveredBy: this.settings.orgNumber,
      redirectUri: this.settings.redirectUri,
      state: input.state,
      validTo,
    });
    return {
      authorizationUrl,
      scope: ALTINN_RESOURCE_NAMES[dataset],
      durationDays,
      // `altinnVersion` lets the callback serve flows started before ALTINN_VERSION changed.
      flowData: { altinnVersion: 2, altinn2Service: serviceKey(consent.service), validTo: validTo.toISOString() },
    };
  }
}
