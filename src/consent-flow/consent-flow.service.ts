import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { actorOf, AuditService } from '../audit/audit.service';
import { Caller, customerMayAccess, customerNationalId } from '../auth/caller';
import { NationalIdHasher } from '../common/crypto/data-cipher';
import { secureRandomBytes } from '../common/crypto/random';
import { AppError } from '../common/problem';
import { isUniqueViolation, ConsentRepository } from '../consents/consent.repository';
import { GrantedConsentRecorder } from '../consents/granted-consent.recorder';
import type { ConsentEntity } from '../database/entities/consent.entity';
import { providerFor, type Dataset } from '../providers/datasets';
import { ProviderRegistry } from '../providers/provider-registry';
import { ConsentFlowResponseDto, FLOW_ERRORS, FlowError, StartConsentFlowRequestDto, StartConsentFlowResponseDto } from './consent-flow.dto';
import { checkFlowInput } from './flow-input';
import { FlowRecord, FlowSecrets, FlowStore, NO_DATA } from './flow.store';

/**
 * Consent flows, whatever the provider: start (checks, one-time state, the provider's consent
 * page), the one-time take of the state in a callback, recording a granted consent, ending the
 * flow, and reading the flow and the data it collected. Each provider's callback route (NoGi's,
 * Altinn's) does its own exchange and collection with these.
 */
@Injectable()
export class ConsentFlowService {
  constructor(
    private readonly config: AppConfig,
    private readonly flows: FlowStore,
    private readonly hasher: NationalIdHasher,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditService,
    private readonly registry: ProviderRegistry,
    private readonly recorder: GrantedConsentRecorder,
  ) {}

  async start(caller: Caller, body: StartConsentFlowRequestDto, requestId: string): Promise<StartConsentFlowResponseDto> {
    const dataset = body.dataset ?? 'debt';
    if (dataset === 'accounts') throw AppError.validation([{ field: 'dataset', message: 'accounts has no consent flow: register the consent with POST /v1/consents' }]);
    const provider = providerFor(dataset, this.config.providers);
    const capabilities = this.registry.of(provider);
    if (!capabilities.startFlow) throw AppError.validation([{ field: 'dataset', message: `${dataset} is not available in this service` }]);
    const input = checkFlowInput(dataset, body, new Date());
    const nationalId = customerNationalId(caller, body.nationalId, true);
    const returnUrl = this.checkReturnUrl(body.returnUrl);
    const now = new Date();
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + this.config.flowTtlSeconds * 1000);
    // 256 bits from the CSPRNG, base64url (RFC 9700 §4.7: unguessable).
    const state = secureRandomBytes(32).toString('base64url');
    const started = await capabilities.startFlow({ flowId: id, dataset, nationalId, ...input, state, expiresAt, requestId });
    const flow: FlowRecord = {
      id,
      dataset,
      provider,
      status: 'pending',
      purpose: input.purpose ?? 'processing',
      durationDays: started.durationDays,
      requestedScope: started.scope,
      ...(input.parameters && Object.keys(input.parameters).length > 0 ? { parameters: input.parameters } : {}),
      ...(started.flowData ? { providerData: started.flowData } : {}),
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      returnUrl,
      nationalIdHash: this.hasher.hash(nationalId),
      ownerClientId: caller.clientId,
    };
    await this.flows.create(flow, state, { ...started.secrets, flowId: id });
    return { id, dataset, provider, authorizationUrl: started.authorizationUrl, expiresAt: flow.expiresAt, scope: started.scope, durationDays: started.durationDays };
  }

  /** RFC 9700 §4.1: the return URL's origin must match an allowlisted origin exactly. */
  private checkReturnUrl(value: string): string {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw AppError.validation([{ field: 'returnUrl', message: 'must be an absolute URL' }]);
    }
    if (url.username || url.password || !this.config.returnUrlAllowlist.includes(url.origin)) {
      throw AppError.validation([{ field: 'returnUrl', message: 'its origin is not in the allowlist' }]);
    }
    url.hash = '';
    return url.toString();
  }

  /**
   * A callback's one-time take of its state (unknown, expired, reused or tampered → 400 before any
   * upstream call), with the pending flow it belongs to, for the provider named.
   */
  async takeFlow(state: unknown, provider: FlowRecord['provider']): Promise<{ flow: FlowRecord; secrets: FlowSecrets }> {
    if (typeof state !== 'string' || state.length < 16 || state.length > 256) throw new AppError('INVALID_STATE', 'The state is missing or malformed.');
    const secrets = await this.flows.takeSecrets(state);
    if (!secrets) throw new AppError('INVALID_STATE', 'The state is unknown, expired or already used. Start the consent again from your bank.');
    const flow = await this.flows.get(secrets.flowId);
    // The state outlives nothing: a taken state whose flow is gone, no longer pending, or another provider's is not usable.
    if (!flow || flow.status !== 'pending' || (flow.provider ?? 'nogi') !== provider) throw new AppError('INVALID_STATE', 'This consent flow is no longer waiting for its consent.');
    return { flow, secrets };
  }

  /**
   * Records a consent a provider granted in a flow's callback (GrantedConsentRecorder: brief
   * retries, else revoked at the provider directly). Null when it could not be recorded.
   */
  recordGranted(flow: FlowRecord, providerConsentId: string, requestId: string, write: () => Promise<ConsentEntity>): Promise<ConsentEntity | null> {
    const provider = flow.provider ?? 'nogi';
    return this.recorder.record({ provider, providerConsentId, requestId, context: { flowId: flow.id } }, async () => {
      try {
        return await write();
      } catch (error) {
        // An earlier attempt's commit went through although its answer was lost: it is recorded.
        const recorded = isUniqueViolation(error) ? await this.consents.findByProviderConsentId(provider, providerConsentId).catch(() => null) : null;
        if (recorded) return recorded;
        throw error;
      }
    });
  }

  /** Ends the flow (one audit row) and gives the browser's way back to the bank: returnUrl with flowId and status. */
  async finish(flow: FlowRecord, status: FlowRecord['status'], error: FlowError | undefined, requestId: string): Promise<URL> {
    flow.status = status;
    flow.completedAt = new Date().toISOString();
    if (error) flow.error = error;
    await this.flows.save(flow);
    await this.audit.record({
      action: status === 'completed' ? 'flow.completed' : 'flow.failed',
      actor: { subject: `flow:${flow.id}`, clientId: flow.ownerClientId, requestId },
      outcome: error ?? 'success',
      dataset: flow.dataset ?? 'debt',
      flowId: flow.id,
      consentId: flow.consentId ?? null,
    });
    const url = new URL(flow.returnUrl);
    url.searchParams.set('flowId', flow.id);
    url.searchParams.set('status', status);
    return url;
  }

  /** Keeps what the callback collected (or that the source had none) for FLOW_DEBT_TTL_SECONDS. */
  saveData(flowId: string, data: unknown): Promise<void> {
    return this.flows.saveData(flowId, data);
  }

  async get(caller: Caller, id: string): Promise<ConsentFlowResponseDto> {
    return toFlowResponse(await this.readable(caller, id));
  }

  /** The data the flow collected, for this route's dataset; never fetched a second time. */
  async getData<T>(caller: Caller, id: string, dataset: Dataset, requestId: string): Promise<T> {
    const flow = await this.readable(caller, id);
    const actor = actorOf(caller, requestId);
    const outcome = async (result: string) =>
      this.audit.record({ action: dataset === 'debt' ? 'flow.debt_read' : 'flow.data_read', actor, outcome: result, dataset, flowId: flow.id, consentId: flow.consentId ?? null });
    if ((flow.dataset ?? 'debt') !== dataset) {
      await outcome('dataset_mismatch');
      throw new AppError('DATASET_MISMATCH', `The flow is for ${flow.dataset}, not ${dataset}.`);
    }
    if (flow.status === 'expired') {
      await outcome('flow_expired');
      throw new AppError('FLOW_DEBT_GONE', 'The flow expired before it completed.');
    }
    if (flow.status !== 'completed') {
      await outcome('flow_not_completed');
      throw new AppError('FLOW_NOT_COMPLETED', `The flow is ${flow.status}.`);
    }
    const data = await this.flows.getData(flow.id);
    if (data === null) {
      await outcome('debt_purged');
      throw new AppError('FLOW_DEBT_GONE', `The collected data is kept for ${this.config.flowDebtTtlSeconds} seconds after collection.`);
    }
    if (data === NO_DATA) {
      await outcome('no_data');
      throw new AppError('NO_DATA', 'The source has no data for this period.');
    }
    await outcome('success');
    return data as T;
  }

  /** Object-level rule: the customer it is for, or the client that started it; anyone else gets 404. */
  private async readable(caller: Caller, id: string): Promise<FlowRecord> {
    const flow = await this.flows.get(id);
    const allowed =
      flow !== null && (caller.nationalId !== undefined ? customerMayAccess(caller, flow.nationalIdHash, (n) => this.hasher.hash(n)) : flow.ownerClientId === caller.clientId);
    if (!flow || !allowed) throw new AppError('FLOW_NOT_FOUND', 'No consent flow with this id.');
    if (flow.status === 'pending' && Date.parse(flow.expiresAt) <= Date.now()) flow.status = 'expired';
    return flow;
  }
}

/** A provider's error code, or server_error for one we do not know. */
export function flowErrorOf(error: string): FlowError {
  return (FLOW_ERRORS as readonly string[]).includes(error) ? (error as FlowError) : 'server_error';
}

export function toFlowResponse(flow: FlowRecord): ConsentFlowResponseDto {
  return {
    id: flow.id,
    dataset: flow.dataset ?? 'debt',
    provider: flow.provider ?? 'nogi',
    status: flow.status,
    purpose: flow.purpose,
    durationDays: flow.durationDays,
    createdAt: flow.createdAt,
    ...(flow.consentId ? { consentId: flow.consentId } : {}),
    ...(flow.consentExpiresAt ? { consentExpiresAt: flow.consentExpiresAt } : {}),
    ...(flow.error ? { error: flow.error as FlowError } : {}),
  };
}
