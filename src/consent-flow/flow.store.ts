import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DataCipher } from '../common/crypto/data-cipher';
import type { ConsentParameters, ConsentPurpose } from '../database/entities/consent.entity';
import type { Dataset, Provider } from '../providers/datasets';
import { StateStore } from '../redis/state-store';

export type FlowStatus = 'pending' | 'completed' | 'denied' | 'failed' | 'expired';

/** A flow as kept in Redis for 24 hours. No national id: only its keyed hash. */
export interface FlowRecord {
  id: string;
  /** Absent on flows stored before datasets existed: those are debt flows at NoGi. */
  dataset?: Dataset;
  provider?: Provider;
  status: FlowStatus;
  purpose: ConsentPurpose;
  durationDays: number | null;
  /** The scope (NoGi) or resource (Altinn) asked for. */
  requestedScope: string;
  /** NoGi's base scope, on flows stored before providerData existed. */
  baseScope?: string;
  /** The dataset's fields (tax-assessment's income year, income's months). */
  parameters?: ConsentParameters;
  /** The provider's bookkeeping from the start (NoGi's base scope, …). */
  providerData?: Record<string, string | number | null>;
  createdAt: string;
  /** The callback is accepted until then (FLOW_TTL_SECONDS). */
  expiresAt: string;
  returnUrl: string;
  nationalIdHash: string;
  /** Who started it: a flow is readable by the same client, or by the customer it is for. */
  ownerClientId: string;
  consentId?: string;
  consentExpiresAt?: string;
  error?: string;
  completedAt?: string;
}

/** One-time values of a flow, consumed exactly once by its callback: the flow's id and the provider's own (NoGi: nonce, PKCE verifier). */
export type FlowSecrets = { flowId: string } & Record<string, string>;

/** What a flow keeps as its data when the source had none for the period (read → 404 NO_DATA). */
export const NO_DATA = Symbol('no data');
const NO_DATA_MARK = { noData: true };
/** A member no provider's answer has: marks a stored NO_DATA. */
const FLOW_DATA_MARK = '$flow';

export const FLOW_RECORD_TTL_SECONDS = 24 * 60 * 60;

/**
 * The flows in the StateStore: `flow:<id>` (24 h), `flow-state:<sha256(state)>` (one-time, until
 * the flow stops accepting its callback) and `flow-debt:<id>` (the collected data, encrypted, FLOW_DEBT_TTL_SECONDS).
 * The state is stored hashed, so a dump of Redis does not hold live states.
 */
@Injectable()
export class FlowStore {
  constructor(
    private readonly store: StateStore,
    private readonly cipher: DataCipher,
    private readonly config: AppConfig,
  ) {}

  async create(flow: FlowRecord, state: string, secrets: FlowSecrets): Promise<void> {
    await this.store.setMany([
      { key: `flow:${flow.id}`, value: JSON.stringify(flow), ttlSeconds: FLOW_RECORD_TTL_SECONDS },
      { key: stateKey(state), value: JSON.stringify(secrets), ttlSeconds: this.config.flowTtlSeconds },
    ]);
  }

  /** Atomic take: of two callbacks with the same state exactly one gets the secrets. */
  async takeSecrets(state: string): Promise<FlowSecrets | null> {
    const value = await this.store.take(stateKey(state));
    return value ? (JSON.parse(value) as FlowSecrets) : null;
  }

  async get(id: string): Promise<FlowRecord | null> {
    const value = await this.store.get(`flow:${id}`);
    return value ? (JSON.parse(value) as FlowRecord) : null;
  }

  async save(flow: FlowRecord): Promise<void> {
    const remaining = Math.max(1, Math.floor((Date.parse(flow.createdAt) + FLOW_RECORD_TTL_SECONDS * 1000 - Date.now()) / 1000));
    await this.store.set(`flow:${flow.id}`, JSON.stringify(flow), remaining);
  }

  /** The collected data (or NO_DATA), encrypted; the key keeps its first name, `flow-debt:`, for every dataset. */
  async saveData(flowId: string, data: unknown): Promise<void> {
    const key = `flow-debt:${flowId}`;
    const stored = data === NO_DATA ? { [FLOW_DATA_MARK]: NO_DATA_MARK } : data;
    await this.store.set(key, await this.cipher.encrypt(JSON.stringify(stored), key), this.config.flowDebtTtlSeconds);
  }

  async getData(flowId: string): Promise<unknown | typeof NO_DATA | null> {
    const key = `flow-debt:${flowId}`;
    const value = await this.store.get(key);
    if (!value) return null;
    const data = JSON.parse(await this.cipher.decrypt(value, key)) as Record<string, unknown>;
    return data && typeof data === 'object' && FLOW_DATA_MARK in data ? NO_DATA : data;
  }
}

function stateKey(state: string): string {
  return `flow-state:${hash('sha256', state, 'base64url')}`;
}
