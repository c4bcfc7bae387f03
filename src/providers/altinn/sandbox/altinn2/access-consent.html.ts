import type { PendingConsentRequest } from './altinn2-sandbox.state';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The consent page: what is asked, for how long, and the two answers. No script, no external resources. */
export function accessConsentPage(input: { action: string; requestId: string; request: PendingConsentRequest; validTo: string }): string {
  const { request } = input;
  const services = request.services
    .map((s) => {
      const metadata = Object.entries(request.metadata[`${s.code};${s.edition}`] ?? {}).map(([name, value]) => `${escape(name)}: ${escape(value)}`);
      return `<li>Tjeneste ${escape(s.code)}, utgave ${escape(s.edition)}${metadata.length ? ` (${metadata.join(', ')})` : ''}</li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="${escape(request.languageCode)}"><head><meta charset="utf-8"><title>Samtykke – Altinn (sandbox)</title></head>
<body>
<h1>Samtykke til bruk av data</h1>
<p>Organisasjon ${escape(request.coveredBy)} ber om ditt samtykke.</p>
<p id="delegation-context">${escape(request.delegationContext)}</p>
<ul id="services">${services}</ul>
<p>Samtykket gjelder til ${escape(input.validTo)}.</p>
<form method="post" action="${escape(input.action)}">
<input type="hidden" name="requestId" value="${escape(input.requestId)}">
<label>Fødselsnummer (innlogging) <input name="offeredBy" inputmode="numeric" autocomplete="off"></label>
<button type="submit" name="decision" value="approve">Jeg gir samtykke</button>
<button type="submit" name="decision" value="deny">Nei, jeg vil ikke gi samtykke</button>
</form>
</body></html>`;
}

export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Feil – Altinn (sandbox)</title></head>
<body><h1>Feil i forespørselen</h1><p id="error">${escape(message)}</p></body></html>`;
}
