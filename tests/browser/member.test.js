'use strict';
// A Member sees the integrations, the endpoints and their deliveries, and
// no control that would change anything.

const assert = require('node:assert/strict');
const { test, after } = require('node:test');
const h = require('./harness');

after(h.closeBrowser);

const CHANGE_BUTTONS = [
  'Add endpoint',
  'Edit',
  'Send test event',
  'Rotate secret',
  'Delete',
  'Redeliver',
  'Redeliver failed',
  'Reveal',
  'Copy',
  'Connect',
  'Disconnect',
];

test('a Member sees everything read-only', async (t) => {
  const srv = await h.startApp(t);
  const rcv = await h.withReceiver(t);
  const endpoint = await srv.client.createEndpoint(rcv.url('/hook'), { description: 'Sales inbox' });
  rcv.secret = endpoint.secret;
  const lead = await srv.client.lead({ email: 'visitor@example.com', name: 'Vera Visitor' });
  assert.equal(lead.status, 201, lead.text);
  await srv.client.settledDeliveries(endpoint.id, 1);

  const made = await srv.client.post('/api/v1/members', { email: 'mia@example.com', role: 'member', name: 'Mia Member' });
  assert.equal(made.status, 201, `POST /api/v1/members: ${made.status} ${made.text}`);
  assert.equal(typeof made.json.password, 'string', `a new user's password is returned once: ${made.text}`);

  const page = await h.openPage(t);
  await h.signIn(page, srv, { email: 'mia@example.com', password: made.json.password });
  await h.see(page, page.locator('#who').getByText('Member', { exact: true }));
  await h.see(page, page.getByText('Owners and Admins manage integrations.'));
  await h.see(page, page.locator('li.integration'));
  assert.equal(await page.locator('li.integration').count(), 6);
  for (const name of CHANGE_BUTTONS) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button for a Member`);
    assert.equal(await page.getByRole('link', { name, exact: true }).count(), 0, `no "${name}" link for a Member`);
  }
  await h.screenshot(page, 'integrations-member');
  await h.assertClean(page);

  await page.getByRole('link', { name: 'View webhooks' }).click();
  await page.waitForURL(`${srv.url}/app/integrations/webhooks`);
  await h.see(page, page.getByText('Owners and Admins manage integrations.'));
  const ep = page.locator('article.endpoint');
  await h.see(page, ep.getByRole('heading', { name: rcv.url('/hook') }));
  await h.see(page, ep.getByText('Sales inbox'));
  const row = ep.locator('table.log tbody tr').filter({ hasText: 'Succeeded' });
  await h.see(page, row.filter({ hasText: 'Vera Visitor' }));
  assert.equal(await ep.locator('.secret').count(), 0, 'no signing secret for a Member');
  assert.equal(await page.getByText(endpoint.secret).count(), 0, 'the secret is nowhere on the page');
  assert.equal(await ep.locator('form.redeliver-since').count(), 0);
  for (const name of CHANGE_BUTTONS) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button for a Member`);
  }

  // Looking inside a delivery is reading, so it is there.
  await row.first().getByRole('button', { name: 'Details' }).click();
  const detail = page.getByRole('dialog', { name: /^Delivery dlv_/ });
  await h.see(page, detail.getByText('"name": "Vera Visitor"'));
  await h.screenshot(page, 'webhooks-member-detail');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  await h.screenshot(page, 'webhooks-member');
  await h.assertClean(page);
});
