import { escapeHtml, sandboxPage } from '../../../../sandbox/sandbox-page.html';
import type { StoredRequest } from './altinn3-sandbox.types';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
button{font-size:1rem;padding:.5rem 1rem;margin:.5rem .5rem 0 0}.note{color:#555;font-size:.9rem}dt{font-weight:600}`;

function layout(title: string, body: string): string {
  return sandboxPage({ upstream: 'Altinn', title, style: STYLE, body });
}

/** Only the birth date part: the page need not show a whole national id. */
function maskedParty(urn: string): string {
  const id = urn.slice(urn.lastIndexOf(':') + 1);
  return id.length === 11 ? `${id.slice(0, 6)}*****` : id;
}

/**
 * The customer's consent page: plain HTML that works without JavaScript, submit buttons
 * `decision=approve|deny`, showing who asks, the resource and its metadata. A request already
 * answered or expired is shown without the form.
 */
export function consentPage(request: StoredRequest, actionUrl: string, state: { answerable: boolean; statusText: string }): string {
  const rights = request.consentRights
    .map((r) => {
      const metadata = Object.entries(r.metadata)
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('');
      return `<li><code class="resource">${escapeHtml(r.resource[0].value)}</code><dl>${metadata}</dl></li>`;
    })
    .join('');
  const message = request.requestMessage ? Object.values(request.requestMessage).map((m) => `<p class="message">${escapeHtml(m)}</p>`).join('') : '';
  const form = state.answerable
    ? `<form method="post" action="${escapeHtml(actionUrl)}">
<input type="hidden" name="id" value="${escapeHtml(request.id)}">
<button type="submit" name="decision" value="approve">Godta (approve)</button>
<button type="submit" name="decision" value="deny">Avslå (deny)</button>
</form>`
    : `<p class="status" role="status">${escapeHtml(state.statusText)}</p>`;
  return layout(
    'Samtykke — Altinn (sandbox)',
    `<h1>Forespørsel om samtykke</h1>
<div class="box">
<p><strong>${escapeHtml(maskedParty(request.to))}</strong> ber om ditt samtykke (innlogget som ${escapeHtml(maskedParty(request.from))}).</p>
<ul>${rights}</ul>
<p>Gyldig til: ${escapeHtml(new Date(request.validTo).toISOString())}</p>
${message}
</div>
${form}`,
  );
}

export function errorPage(title: string, text: string): string {
  return layout(`Feil — ${title}`, `<h1>${escapeHtml(title)}</h1><div class="box"><p>${escapeHtml(text)}</p></div>`);
}
