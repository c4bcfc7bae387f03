import { escapeHtml, sandboxPage } from '../../../sandbox/sandbox-page.html';
import { SYNTHETIC_NATIONAL_IDS } from './synthetic-persons';

export { escapeHtml };

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
label{display:block;margin:.5rem 0 .25rem}input[type=text]{font-size:1.1rem;padding:.4rem;width:12rem}
button{font-size:1rem;padding:.5rem 1rem;margin:.5rem .5rem 0 0}.error{color:#a00000}.note{color:#555;font-size:.9rem}`;

function layout(title: string, body: string): string {
  return sandboxPage({ upstream: 'Norsk Gjeldsinformasjon', title, style: STYLE, body });
}

export interface ConsentPageModel {
  actionUrl: string;
  challenge: string;
  clientId: string;
  scope: string;
  /** undefined = NoGi's default consent (10 minutes, one use). */
  durationDays?: number;
  openid: boolean;
  nationalId?: string;
  error?: string;
}

/** Plain HTML form that works without JavaScript; state and redirect_uri never appear in it. */
export function consentPage(m: ConsentPageModel): string {
  const purpose = m.scope === 'debt.unsecured.processing' ? 'kredittbehandling (credit processing)' : 'visning av gjeldsinformasjon (presentation)';
  const duration = m.durationDays === undefined ? 'én gang innen 10 minutter (one use within 10 minutes)' : `${m.durationDays} dager (days)`;
  const persons = SYNTHETIC_NATIONAL_IDS.map((id) => `<option value="${escapeHtml(id)}"></option>`).join('');
  const personList = SYNTHETIC_NATIONAL_IDS.map((id) => `<code>${escapeHtml(id)}</code>`).join(' og ');
  return layout(
    'Samtykke — Norsk Gjeldsinformasjon (sandbox)',
    `<h1>Samtykke til deling av gjeldsinformasjon</h1>
<div class="box">
<p><strong>${escapeHtml(m.clientId)}</strong> ber om å hente din usikrede gjeld.</p>
<p>Formål: ${escapeHtml(purpose)}<br>Varighet: ${escapeHtml(duration)}${m.openid ? '<br>Identitet (openid) deles med tjenesten.' : ''}</p>
</div>
${m.error ? `<p class="error" role="alert">${escapeHtml(m.error)}</p>` : ''}
<form method="post" action="${escapeHtml(m.actionUrl)}">
<input type="hidden" name="consent_challenge" value="${escapeHtml(m.challenge)}">
<label for="nationalId">Fødselsnummer (test person)</label>
<input type="text" id="nationalId" name="nationalId" inputmode="numeric" autocomplete="off" pattern="[0-9]{11}" list="synthetic-persons" value="${escapeHtml(m.nationalId ?? SYNTHETIC_NATIONAL_IDS[0])}">
<datalist id="synthetic-persons">${persons}</datalist>
<p class="note">Syntetiske personer med gjeld: ${personList}. Alle gyldige fødselsnummer godtas (andre har ingen gjeld).</p>
<button type="submit" name="decision" value="approve">Godta (approve)</button>
<button type="submit" name="decision" value="deny" formnovalidate>Avslå (deny)</button>
<button type="submit" name="decision" value="cancel" formnovalidate>Avbryt (cancel)</button>
</form>`,
  );
}

/** Shown instead of redirecting when the client or redirect_uri cannot be trusted. */
export function errorPage(error: string, description: string): string {
  return layout(
    `Feil — ${error}`,
    `<h1>Det oppstod en feil</h1>
<div class="box"><p><strong>${escapeHtml(error)}</strong></p><p>${escapeHtml(description)}</p></div>`,
  );
}
