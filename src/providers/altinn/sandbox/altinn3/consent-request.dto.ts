import { formatValidTo } from '../../altinn3/consent-request.mapping';
import type { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { StoredRequest } from './altinn3-sandbox.types';

/** .NET enum names: System.Text.Json ignores the lowercase EnumMember values (notes 1.5). */
function enumName(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function iso(ms: number): string {
  return formatValidTo(new Date(ms));
}

/** ConsentRequestDetailsDto as Altinn writes it: capitalised enums, events with capital `ID` names. */
export function detailsDto(sandbox: Altinn3Sandbox, request: StoredRequest): Record<string, unknown> {
  return {
    id: request.id,
    from: request.from,
    to: request.to,
    requiredDelegator: request.requiredDelegator ?? null,
    handledBy: request.handledBy ?? null,
    validTo: iso(request.validTo),
    consentRights: request.consentRights.map((r) => ({ action: r.action, resource: r.resource, metadata: r.metadata })),
    requestMessage: request.requestMessage ?? null,
    status: enumName(request.status),
    consented: request.consented !== undefined ? iso(request.consented) : null,
    redirectUrl: request.redirectUrl,
    consentRequestEvents: sandbox.eventsOnRead(request).map((e) => ({
      consentEventID: e.consentEventID || null,
      created: iso(e.created),
      performedBy: e.performedBy,
      eventType: enumName(e.eventType),
      consentRequestID: request.id,
    })),
    viewUri: sandbox.viewUri(request.id),
    portalViewMode: enumName(request.portalViewMode),
  };
}
