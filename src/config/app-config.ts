import type { Provider } from '../providers/datasets';
import type { OpenbankingConfig } from '../providers/openbanking/openbanking.config';
import type { AltinnConfig } from '../providers/altinn/altinn.config';
import type { Altinn2Settings } from '../providers/altinn/altinn2/altinn2.config';
import type { MaskinportenConfig } from '../providers/altinn/maskinporten/maskinporten.config';
import type { SkatteetatenConfig } from '../providers/altinn/skatteetaten/skatteetaten.config';

export type NogiEnv = 'sandbox' | 'preprod' | 'prod';
export type AppConfigValues = Omit<AppConfig, 'nogiAudiences' | 'toJSON' | 'with'>;

/**
 * The service's typed configuration, built once at start-up by `loadConfig` from the environment
 * variables of the contract (`shared/product/api.md`). Feature code reads configuration only here.
 */
export class AppConfig {
  readonly port!: number;
  /** How long SIGTERM waits for requests in flight before the process exits anyway. */
  readonly shutdownDrainSeconds!: number;
  readonly production!: boolean;
  /** NOGI_ENV=sandbox: embedded parts stand in for whatever is not configured. */
  readonly sandbox!: boolean;
  /** Unset only in sandbox mode, where an embedded PostgreSQL is started. */
  readonly databaseUrl!: string | undefined;
  /** PostgreSQL pool size: 1 for the embedded sandbox database (one PGlite session), else 10. */
  readonly databasePoolSize!: number;
  /** Unset only in sandbox mode, where an in-process state store is used. */
  readonly redisUrl!: string | undefined;
  /** PROVIDERS: a dataset whose provider is not here is refused (400 naming `dataset`). */
  readonly providers!: readonly Provider[];
  readonly nogiEnv!: NogiEnv;
  readonly nogiIssuer!: string;
  readonly nogiApiUrl!: string;
  readonly nogiClientId!: string;
  /** @secret */
  readonly nogiClientSecret!: string;
  readonly nogiRedirectUri!: string;
  readonly nogiTimeoutMs!: number;
  /** Exact origins (scheme://host[:port]) a flow's returnUrl may point to. */
  readonly returnUrlAllowlist!: readonly string[];
  readonly corsAllowedOrigins!: readonly string[];
  readonly authIssuer!: string;
  readonly authAudience!: string;
  readonly authJwksUrl!: string;
  readonly authNationalIdClaim!: string;
  /** @secret The first key encrypts; all decrypt (rotation). */
  readonly dataEncryptionKeys!: readonly Buffer[];
  /** @secret Unset only in sandbox mode, where it is generated and kept in the database. */
  readonly nationalIdHmacKey!: Buffer | undefined;
  readonly flowTtlSeconds!: number;
  readonly flowDebtTtlSeconds!: number;
  readonly feedPollIntervalSeconds!: number;
  /** How long a queued revocation is retried before it is recorded as failed. */
  readonly revocationGiveUpHours!: number;
  readonly httpsProxy!: string | undefined;
  /** OPENBANKING_*: present when PROVIDERS enables openbanking (in sandbox mode, once the sandbox runtime made its test QSeal). */
  readonly openbanking?: OpenbankingConfig;
  /** Set when PROVIDERS includes altinn (ALTINN_*). */
  readonly altinn?: AltinnConfig;
  /** @secret privateKey. Set when PROVIDERS includes altinn (MASKINPORTEN_*). */
  readonly maskinporten?: MaskinportenConfig;
  /** Set when PROVIDERS includes altinn (SKATTEETATEN_*). */
  readonly skatteetaten?: SkatteetatenConfig;
  /** @secret apiKey. Set with ALTINN_VERSION=2 (ALTINN2_*). */
  readonly altinn2?: Altinn2Settings;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }

  /** The three NoGi audiences: the API base URL (trailing slash removed) + the path. */
  get nogiAudiences(): { debt: string; agreement: string; feed: string } {
    return {
      debt: `${this.nogiApiUrl}/v1/debt`,
      agreement: `${this.nogiApiUrl}/v1/consent/agreement`,
      feed: `${this.nogiApiUrl}/feed/v1/consent`,
    };
  }

  /** A copy with some values replaced (sandbox start-up fills in what it started). */
  with(values: Partial<AppConfigValues>): AppConfig {
    return new AppConfig({ ...this, ...values });
  }

  /** Keeps secrets out of anything that serialises the configuration (logs, error reports). */
  toJSON(): Record<string, unknown> {
    return {
      ...Object.fromEntries(Object.entries(this)),
      databaseUrl: this.databaseUrl ? '[set]' : undefined,
      redisUrl: this.redisUrl ? '[set]' : undefined,
      nogiClientSecret: '[secret]',
      dataEncryptionKeys: `[${this.dataEncryptionKeys.length} key(s)]`,
      nationalIdHmacKey: this.nationalIdHmacKey ? '[secret]' : undefined,
      maskinporten: this.maskinporten ? { ...this.maskinporten, privateKey: '[secret]' } : undefined,
      altinn2: this.altinn2 ? { ...this.altinn2, apiKey: '[secret]' } : undefined,
    };
  }
}
