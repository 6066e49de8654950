'use strict';
// The embeddable form: on the demo page, and on a customer's page of
// another origin that carries nothing but the one script tag.

const assert = require('node:assert/strict');
const http = require('node:http');
const { test, after } = require('node:test');
const h = require('./harness');

after(h.closeBrowser);

// A customer's site: another origin, one page embedding the widget.
async function customerSite(t, srv) {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>' +
    '<link rel="icon" href="data:,"></head><body><h1>Acme pricing</h1>' +
    '<p>Questions? Write to us:</p>' +
    `<script src="${srv.url}/widget/v1/widget.js" data-widget-key="${srv.widgetKey}" ` +
    'data-fields="budget:Budget" async></script>' +
    '<footer>Acme Inc.</footer></body></html>';
  const site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => site.close(resolve)));
  // localhost, not 127.0.0.1: a different origin from the server's.
  return `http://localhost:${site.address().port}/pricing?utm=x`;
}

test('the demo page: its form checks the e-mail, then sends the lead', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { allow: [/status of 422/] });
  await page.goto(`${srv.url}/demo/${srv.widgetKey}`);
  await h.see(page, page.getByRole('heading', { name: 'Lead form demo' }));

  // The tag to copy names this agent's key.
  const snippet = await page.locator('#snippet').innerText();
  assert.equal(snippet, `<script src="${srv.url}/widget/v1/widget.js" data-widget-key="${srv.widgetKey}" async></script>`);

  // No e-mail: said before anything is sent.
  await page.getByLabel('Name').fill('Noel');
  await page.getByRole('button', { name: 'Send' }).click();
  await h.see(page, page.getByText('Please give your e-mail so that we can answer.'));
  assert.equal(await srv.client.leadCount(), 0);

  // A bad e-mail: the API's 422 message stands by the field.
  const email = page.getByLabel('E-mail (required)');
  await email.fill('noel-at-example.com');
  await page.getByRole('button', { name: 'Send' }).click();
  await h.see(page, page.locator('.pbw-error'));
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  assert.equal(await srv.client.leadCount(), 0);
  await h.screenshot(page, 'demo-invalid-email');

  await email.fill('noel@example.com');
  await page.getByLabel('Message').fill('Hello');
  await page.getByRole('button', { name: 'Send' }).click();
  await h.see(page, page.getByText('Thank you! Your message was sent'));
  const leads = await srv.client.listAll('/api/v1/leads');
  assert.equal(leads.length, 1);
  assert.equal(leads[0].email, 'noel@example.com');
  assert.equal(leads[0].name, 'Noel');
  assert.equal(leads[0].message, 'Hello');
  assert.equal(leads[0].page_url, `${srv.url}/demo/${srv.widgetKey}`);
  await h.screenshot(page, 'demo-thank-you');
  await h.assertClean(page);
});

test('one script tag on a site of another origin: the form, its look, a cross-origin lead', async (t) => {
  const srv = await h.startApp(t);
  const siteUrl = await customerSite(t, srv);
  const page = await h.openPage(t, { viewport: { width: 375, height: 740 } });

  // Every widget request, to check the Idempotency-Key it carries.
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r);
  });

  await page.goto(siteUrl);
  const form = page.locator('form.pbw-form');
  await h.see(page, form);
  // Drawn where the tag stands: after the paragraph, before the footer.
  const order = await page.evaluate(() => [...document.body.children].map((e) => e.tagName + (e.className ? `.${e.className}` : '')));
  assert.deepEqual(order, ['H1', 'P', 'SCRIPT', 'DIV.pbw', 'FOOTER']);
  // Its stylesheet came from the widget's own origin.
  const bg = await page.getByRole('button', { name: 'Send' }).evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(bg, 'rgb(59, 75, 216)');

  await page.getByLabel('Name').fill('Casey Customer');
  await page.getByLabel('E-mail (required)').fill('casey@example.com');
  await page.getByLabel('Company').fill('Acme');
  await page.getByLabel('Budget').fill('5k');
  await page.getByRole('button', { name: 'Send' }).click();
  await h.see(page, page.getByText('Thank you!'));
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'widget-customer-site');

  assert.equal(posts.length, 1);
  assert.equal(posts[0].url(), `${srv.url}/widget/v1/${srv.widgetKey}/leads`);
  assert.match(posts[0].headers()['idempotency-key'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const leads = await srv.client.listAll('/api/v1/leads');
  assert.equal(leads.length, 1);
  assert.equal(leads[0].page_url, siteUrl);
  assert.equal(leads[0].company, 'Acme');
  assert.deepEqual(leads[0].fields, { budget: '5k' });
  await h.assertClean(page);
});
