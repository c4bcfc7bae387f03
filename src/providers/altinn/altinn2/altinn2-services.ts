/** An Altinn 2 service: service code and service edition code (Skatteetaten's `4628;210607`). */
export interface Altinn2Service {
  code: string;
  edition: string;
}

/** A service named in a token, with the metadata the consent was given for (`inntektsaar=2024`). */
export interface Altinn2GrantedService extends Altinn2Service {
  metadata: Record<string, string>;
}

/** `code;edition` as configured and as the link's `Resources` writes it. */
export function parseServiceSetting(value: string): Altinn2Service | undefined {
  const m = /^\s*(\d{1,10})\s*;\s*(\d{1,10})\s*$/.exec(value);
  return m ? { code: m[1], edition: m[2] } : undefined;
}

export const serviceKey = (s: Altinn2Service) => `${s.code};${s.edition}`;

/**
 * One entry of a token's `ServiceCodes`/`Services`. Altinn's documents mix every separator between
 * code, edition and metadata (`4629,2`, `4630;2`, `4629_2`, `4629,2,inntektsaar=2015`,
 * `4629_2_inntektsaar=2016`, `4630,2,fraOgMed=november 2016,tilOgMed=januar 2017`), so a metadata
 * item starts after any of `,` `_` `;` that is followed by `name=`.
 */
export function parseServiceEntry(entry: string): Altinn2GrantedService | undefined {
  const m = /^\s*(\d{1,10})\s*[,_;]\s*(\d{1,10})\s*(?:[,_;](.*))?$/s.exec(entry);
  if (!m) return undefined;
  const metadata: Record<string, string> = {};
  const rest = m[3]?.trim();
  if (rest) {
    for (const item of rest.split(/[,_;](?=\s*[A-Za-z][A-Za-z0-9]*\s*=)/)) {
      const eq = item.indexOf('=');
      if (eq <= 0) return undefined;
      metadata[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    }
  }
  return { code: m[1], edition: m[2], metadata };
}

/**
 * Every service a token's claims name: `ServiceCodes` (old: one string, or an array) and
 * `Services` (an array). Entries that parse as nothing are dropped (they can never match).
 */
export function grantedServices(claims: Record<string, unknown>): Altinn2GrantedService[] {
  const entries: unknown[] = [];
  for (const name of ['ServiceCodes', 'Services']) {
    const value = claims[name];
    if (typeof value === 'string') entries.push(value);
    else if (Array.isArray(value)) entries.push(...value);
  }
  return entries.flatMap((entry) => {
    const parsed = typeof entry === 'string' ? parseServiceEntry(entry) : undefined;
    return parsed ? [parsed] : [];
  });
}

/**
 * Whether the token grants the requested service with every requested metadata value. Entries of
 * the same service are read together (`4629_2`, `4629_2_inntektsaar=2016` may come separately);
 * metadata names compare without letter case (Altinn 3 writes `fraogmed`), values exactly.
 */
export function grantsService(granted: readonly Altinn2GrantedService[], wanted: Altinn2Service, metadata: Record<string, string> = {}): 'granted' | 'service_missing' | 'metadata_mismatch' {
  const same = granted.filter((s) => s.code === wanted.code && s.edition === wanted.edition);
  if (same.length === 0) return 'service_missing';
  for (const [name, value] of Object.entries(metadata)) {
    const found = same.some((s) => Object.entries(s.metadata).some(([n, v]) => n.toLowerCase() === name.toLowerCase() && v === value));
    if (!found) return 'metadata_mismatch';
  }
  return 'granted';
}
