import { createServer, Server } from 'node:http';

export interface BankFrontend {
  /** The page's origin, e.g. http://127.0.0.1:41234 (the flow's returnUrl is this origin + '/'). */
  origin: string;
  /** What the page's script talks to, and the logged-in customer's bearer token; set before a page loads. */
  session: { apiUrl: string; token: string };
  close(): Promise<void>;
}

/**
 * A bank's loan-application page as a frontend team writes it: a logged-in customer presses a
 * button, the script starts a consent flow at the service (cross-origin, so CORS applies) and sends
 * the browser to NoGi (debt) or Altinn (income); back on this page with ?flowId=…&status=…, it
 * shows the outcome and, when the consent was given, the debt or income the service collected.
 */
export async function startBankFrontend(): Promise<BankFrontend> {
  const session = { apiUrl: '', token: '' };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://bank.invalid').pathname;
    if (req.method !== 'GET' || path !== '/') {
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the bank frontend did not bind a TCP port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    session,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // Chromium keeps idle keep-alive connections open
        server.close(() => resolve());
      }),
  };
}

function page(session: { apiUrl: string; token: string }): string {
  // The session goes in as JSON data, never as script text; '<' is escaped so it cannot end the element.
  const sessionJson = JSON.stringify(session).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Nettbanken — lånesøknad</title></head>
<body>
<h1>Lånesøknad</h1>
<p>Vi henter gjeldsinformasjonen din fra Norsk Gjeldsinformasjon med ditt samtykke.</p>
<button type="button" id="start">Hent gjeldsinformasjon</button>
<button type="button" id="start-income">Hent inntekt fra Skatteetaten</button>
<p id="status" role="status"></p>
<table id="debt" hidden>
<thead><tr><th>Kreditor</th><th>Type</th><th>Saldo (øre)</th></tr></thead>
<tbody></tbody>
</table>
<table id="income" hidden>
<thead><tr><th>Måned</th><th>Arbeidsgiver</th><th>Beløp (kr)</th></tr></thead>
<tbody></tbody>
</table>
<script type="application/json" id="session">${sessionJson}</script>
<script>
const session = JSON.parse(document.getElementById('session').textContent);
const auth = { authorization: 'Bearer ' + session.token };
const status = document.getElementById('status');

document.getElementById('start').addEventListener('click', () => start({ purpose: 'presentation', returnUrl: location.origin + '/' }));
document.getElementById('start-income').addEventListener('click', () => start({ dataset: 'income', fromMonth: '2026-01', toMonth: '2026-06', returnUrl: location.origin + '/?data=income' }));

async function start(body) {
  status.textContent = 'Starter samtykke …';
  let res;
  try {
    res = await fetch(session.apiUrl + '/v1/consent-flows', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    status.textContent = 'Fikk ikke kontakt med tjenesten'; // a network or CORS failure
    return;
  }
  if (res.status !== 201) {
    status.textContent = 'Kunne ikke starte samtykket (' + res.status + ')';
    return;
  }
  const flow = await res.json();
  location.assign(flow.authorizationUrl);
}

const back = new URLSearchParams(location.search);
if (back.has('flowId')) {
  status.textContent = 'Samtykke: ' + back.get('status');
  if (back.get('status') === 'completed') (back.get('data') === 'income' ? showIncome : showDebt)(back.get('flowId'));
}

async function showIncome(flowId) {
  const res = await fetch(session.apiUrl + '/v1/consent-flows/' + encodeURIComponent(flowId) + '/income', { headers: auth });
  if (res.status !== 200) {
    status.textContent += ' — inntekten kunne ikke leses (' + res.status + ')';
    return;
  }
  const income = await res.json();
  const rows = document.querySelector('#income tbody');
  for (const statement of income.oppgaveInntektsmottaker) {
    const sum = statement.inntekt.reduce((total, item) => total + item.beloep, 0);
    const row = rows.insertRow();
    for (const text of [statement.kalendermaaned, statement.opplysningspliktigId, String(sum)]) row.insertCell().textContent = text;
  }
  document.getElementById('income').hidden = false;
}

async function showDebt(flowId) {
  const res = await fetch(session.apiUrl + '/v1/consent-flows/' + encodeURIComponent(flowId) + '/debt', { headers: auth });
  if (res.status !== 200) {
    status.textContent += ' — gjelden kunne ikke leses (' + res.status + ')';
    return;
  }
  const debt = await res.json();
  const rows = document.querySelector('#debt tbody');
  for (const { creditorName, loan } of debt.loans) {
    const row = rows.insertRow();
    const balance = loan === null ? '' : loan.type === 'repaymentLoan' ? loan.balance : loan.interestBearingBalance + loan.nonInterestBearingBalance;
    for (const text of [creditorName, loan === null ? 'svarte ikke' : loan.type, String(balance)]) row.insertCell().textContent = text;
  }
  document.getElementById('debt').hidden = false;
}
</script>
</body>
</html>`;
}
