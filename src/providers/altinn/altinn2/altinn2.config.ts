import { Altinn2Service, parseServiceSetting } from './altinn2-services';

export type AltinnEnv = 'tt02' | 'prod';

/** Altinn 2's hosts per ALTINN_ENV (AccessConsent, token and key set live on the same host). */
export const ALTINN2_PRESETS: Record<AltinnEnv, string> = {
  tt02: 'https://tt02.altinn.no',
  prod: 'https://www.altinn.no',
};

/** Skatteetaten's Altinn 2 services (contract notes §3), the sandbox's defaults. */
export const ALTINN2_SANDBOX_RESOURCES = { 'tax-assessment': '4628;210607', income: '4804;210607' } as const;
/** The ApiKey the Altinn 2 simulator registers for the sandbox organisation; never a real key. */
export const ALTINN2_SANDBOX_API_KEY = 'altinn2-sandbox-api-key-not-for-production';

export interface Altinn2Settings {
  /** Without a trailing slash: `${url}/ui/AccessConsent/`, `${url}/api/authorization/token`, `${url}/api/metadata/jwk`. */
  url: string;
  /** Secret: our ApiKey at Altinn. */
  apiKey: string;
  resources: { 'tax-assessment': Altinn2Service; income: Altinn2Service };
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export interface Altinn2ConfigContext {
  sandbox: boolean;
  altinnEnv: AltinnEnv;
  /** Where the embedded Altinn 2 simulator answers in sandbox mode (e.g. `http://localhost:3000/sandbox/altinn2`). */
  sandboxUrl: string;
}

type Altinn2Variables = Partial<Record<'ALTINN2_URL' | 'ALTINN2_API_KEY' | 'ALTINN2_RESOURCES_TAX_ASSESSMENT' | 'ALTINN2_RESOURCES_INCOME', string>>;

/**
 * Altinn 2's settings from the environment, for ALTINN_VERSION=2. Outside sandbox mode the ApiKey
 * and both services are required and the URL defaults to ALTINN_ENV's host; in sandbox mode all
 * four default to the simulator. Problems never quote a value (the ApiKey is a secret).
 */
export function altinn2Config(vars: Altinn2Variables, ctx: Altinn2ConfigContext): { settings?: Altinn2Settings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const present = (name: keyof Altinn2Variables) => {
    const value = vars[name]?.trim();
    return value ? value : undefined;
  };

  const rawUrl = present('ALTINN2_URL') ?? (ctx.sandbox ? ctx.sandboxUrl : ALTINN2_PRESETS[ctx.altinnEnv]);
  const url = checkUrl(rawUrl, (message) => problems.push({ variable: 'ALTINN2_URL', message }));

  let apiKey = present('ALTINN2_API_KEY');
  if (!apiKey) {
    if (ctx.sandbox) apiKey = ALTINN2_SANDBOX_API_KEY;
    else problems.push({ variable: 'ALTINN2_API_KEY', message: 'is required with ALTINN_VERSION=2 outside sandbox mode' });
  } else if (/\s/.test(apiKey)) {
    problems.push({ variable: 'ALTINN2_API_KEY', message: 'must not contain whitespace' });
  }

  const service = (variable: 'ALTINN2_RESOURCES_TAX_ASSESSMENT' | 'ALTINN2_RESOURCES_INCOME', sandboxDefault: string) => {
    const value = present(variable) ?? (ctx.sandbox ? sandboxDefault : undefined);
    if (value === undefined) {
      problems.push({ variable, message: 'is required with ALTINN_VERSION=2 outside sandbox mode (service code and edition, e.g. 4628;210607)' });
      return undefined;
    }
    const parsed = parseServiceSetting(value);
    if (!parsed) problems.push({ variable, message: 'must be the service code and edition as code;edition (digits), e.g. 4628;210607' });
    return parsed;
  };
  const taxAssessment = service('ALTINN2_RESOURCES_TAX_ASSESSMENT', ALTINN2_SANDBOX_RESOURCES['tax-assessment']);
  const income = service('ALTINN2_RESOURCES_INCOME', ALTINN2_SANDBOX_RESOURCES.income);

  if (problems.length > 0 || !url || !apiKey || !taxAssessment || !income) return { problems };
  return { settings: { url, apiKey, resources: { 'tax-assessment': taxAssessment, income } }, problems };
}

function checkUrl(value: string, problem: (message: string) => void): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem('must be an absolute URL');
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problem('must use https (plain http is accepted for loopback addresses only)');
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    problem('must not carry credentials, a query or a fragment');
    return undefined;
  }
  return url.toString().replace(/\/+$/, '');
}
