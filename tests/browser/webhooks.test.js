'use strict';
// The webhooks page as an Owner uses it: create an endpoint, send a lead
// from the demo page, watch its delivery in the log, look inside it and
// redeliver it; test events, secret rotation, "redeliver every failed
// delivery since", editing and deleting.

const assert = require('node:assert/strict');
const { test, after } = require('node:test');
const h = require('./harness');

after(h.closeBrowser);

// The card of the endpoint whose URL is url.
function card(page, url) {
  return page.locator('article.endpoint').filter({ has: page.getByRole('heading', { name: url, exact: true }) });
}

function rows(cardLocator) {
  return cardLocator.locator('table.log tbody tr');
}

test('create a webhook, send a lead from the demo page, see it delivered, redeliver it', async (t) => {
  const srv = await h.startApp(t);
  const rcv = await h.withReceiver(t);
  // The first request fails, so that there is something to redeliver.
  rcv.next({ status: 500, body: 'receiver down' });
  const page = await h.openPage(t);
  await h.signIn(page, srv);

  await page.getByRole('link', { name: 'Webhooks' }).first().click();
  await page.waitForURL(`${srv.url}/app/integrations/webhooks`);
  await h.see(page, page.getByText('No endpoints yet.'));
  await page.getByRole('button', { name: 'Add endpoint' }).click();

  const dialog = page.getByRole('dialog', { name: 'Add an endpoint' });
  await h.see(page, dialog);
  assert.ok(await dialog.getByLabel('Endpoint URL').evaluate((el) => el === document.activeElement), 'the URL field has the focus');
  assert.equal(await dialog.getByRole('checkbox', { name: /lead\.captured/ }).isChecked(), true);
  assert.equal(await dialog.getByRole('checkbox', { name: /lead\.updated/ }).isDisabled(), true, 'reserved events are not selectable');
  await dialog.getByLabel('Endpoint URL').fill(rcv.url('/hook'));
  await dialog.getByLabel('Description').fill('CRM intake');
  await h.screenshot(page, 'webhooks-create-dialog');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();

  const ep = card(page, rcv.url('/hook'));
  await h.see(page, ep);
  await h.see(page, page.getByText('Endpoint added.'));
  await h.see(page, ep.getByText('No deliveries yet.'));
  await h.see(page, ep.getByText('CRM intake'));

  // The secret, revealed, is the one the API holds and the one that signs.
  await ep.getByRole('button', { name: 'Reveal' }).click();
  const secret = (await ep.locator('.secret-value').innerText()).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
  const [listed] = await srv.client.listAll('/api/v1/webhooks');
  assert.equal(listed.secret, secret);
  rcv.secret = secret;

  // A visitor sends the demo form, which the page links to.
  const tryIt = page.getByRole('link', { name: 'Try the lead form' });
  assert.equal(await tryIt.getAttribute('href'), `/demo/${srv.widgetKey}`);
  const demo = await h.openPage(t);
  await demo.goto(`${srv.url}/demo/${srv.widgetKey}`);
  await h.see(demo, demo.getByLabel('Name'));
  await demo.getByLabel('Name').fill('Dana Example');
  await demo.getByLabel('E-mail (required)').fill('Dana@Example.com');
  await demo.getByLabel('Company').fill('Acme');
  await demo.getByLabel('Message').fill('Pricing for 20 seats?');
  await demo.getByRole('button', { name: 'Send' }).click();
  await h.see(demo, demo.getByText('Thank you! Your message was sent'));
  await h.screenshot(demo, 'demo-sent');
  await h.assertClean(demo);

  const [first] = await rcv.waitFor(1);
  rcv.assertVerified(first);
  assert.equal(first.json.event, 'lead.captured');
  assert.equal(first.json.data.name, 'Dana Example');
  assert.equal(first.json.data.email, 'dana@example.com');
  assert.equal(first.json.data.company, 'Acme');
  assert.equal(first.json.data.page_url, `${srv.url}/demo/${srv.widgetKey}`);

  // The failed delivery shows in the log (the page polls while one is
  // pending; Refresh covers one that was already settled).
  await ep.getByRole('button', { name: 'Refresh' }).click();
  const failed = rows(ep).filter({ hasText: 'Failed' });
  await h.see(page, failed);
  assert.equal(await rows(ep).count(), 1);
  const cells = await failed.first().locator('td').allInnerTexts();
  assert.equal(cells[1], '500');
  assert.match(cells[2], /Server error/);
  assert.match(cells[4], /lead\.captured/);
  assert.match(cells[4], /Dana Example · dana@example\.com/);
  await h.screenshot(page, 'webhooks-delivery-failed');

  // Its detail: request headers and body, response headers and body.
  const details = failed.first().getByRole('button', { name: 'Details' });
  await details.click();
  const detail = page.getByRole('dialog', { name: /^Delivery dlv_/ });
  await h.see(page, detail.getByText('X-Pitchbar-Signature'));
  await h.see(page, detail.getByText('"name": "Dana Example"'));
  await h.see(page, detail.getByText('receiver down'));
  assert.equal(await detail.locator('table').count(), 2, 'request and response headers');
  await h.screenshot(page, 'webhooks-delivery-detail');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  assert.ok(await details.evaluate((el) => el === document.activeElement), 'focus returns to the Details button');

  // Redeliver: a new delivery, the same body, now answered 200.
  await failed.first().getByRole('button', { name: 'Redeliver' }).click();
  await h.see(page, ep.getByText('Redelivery queued'));
  const redone = rows(ep).filter({ hasText: 'Succeeded' }).filter({ hasText: 'Redelivery' });
  await h.see(page, redone);
  assert.equal((await redone.first().locator('td').allInnerTexts())[1], '200');
  const [, second] = await rcv.waitFor(2);
  rcv.assertVerified(second);
  assert.deepEqual(second.body, first.body, 'a redelivery sends the same bytes');
  await h.screenshot(page, 'webhooks-redelivered');

  // The same page at phone width: nothing runs off to the side.
  await page.setViewportSize({ width: 375, height: 740 });
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'webhooks-phone');
  await h.assertClean(page);
});

test('test event, secret rotation, redeliver failed since, edit and delete', async (t) => {
  const srv = await h.startApp(t);
  const rcv = await h.withReceiver(t);
  const endpoint = await srv.client.createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  const page = await h.openPage(t);
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/integrations/webhooks`);
  const ep = card(page, rcv.url('/hook'));
  await h.see(page, ep.getByText('No deliveries yet.'));

  // Send test event: a lead.captured marked "test": true.
  await ep.getByRole('button', { name: 'Send test event' }).click();
  await h.see(page, ep.getByText('Test event queued'));
  const testRow = rows(ep).filter({ hasText: 'Succeeded' }).filter({ hasText: 'Test' });
  await h.see(page, testRow);
  const [testReq] = await rcv.waitFor(1);
  rcv.assertVerified(testReq);
  assert.equal(testReq.json.test, true);
  assert.equal(testReq.json.event, 'lead.captured');

  // Rotate: a new secret; the old one keeps signing for 24 hours.
  await ep.getByRole('button', { name: 'Rotate secret' }).click();
  const confirm = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
  await h.see(page, confirm.getByText('keeps signing as well for 24 hours'));
  await confirm.getByRole('button', { name: 'Rotate secret' }).click();
  await h.see(page, page.getByText(/New signing secret made\. The previous one keeps signing until/));
  await h.see(page, ep.getByText('The previous secret also signs every request until'));
  await ep.getByRole('button', { name: 'Reveal' }).click();
  const rotated = (await ep.locator('.secret-value').innerText()).trim();
  assert.notEqual(rotated, endpoint.secret);
  const fresh = (await srv.client.get(`/api/v1/webhooks/${endpoint.id}`)).json;
  assert.equal(fresh.secret, rotated);
  assert.ok(fresh.previous_secret_expires_at, 'previous_secret_expires_at is set after a rotation');
  await h.screenshot(page, 'webhooks-rotated');

  // A lead that fails, then "redeliver every failed delivery since".
  rcv.secret = rotated;
  rcv.respond({ status: 503, body: 'busy' });
  const lead = await srv.client.lead({ email: 'since@example.com', name: 'Sam Since' });
  assert.equal(lead.status, 201, lead.text);
  await ep.getByRole('button', { name: 'Refresh' }).click();
  await h.see(page, rows(ep).filter({ hasText: 'Failed' }).filter({ hasText: 'Sam Since' }));
  rcv.respond({ status: 200, body: 'ok' });
  const since = ep.getByLabel('Redeliver every failed delivery since');
  assert.match(await since.inputValue(), /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
  await ep.getByRole('button', { name: 'Redeliver failed' }).click();
  await h.see(page, ep.getByText('1 failed delivery queued again.'));
  await h.see(page, rows(ep).filter({ hasText: 'Succeeded' }).filter({ hasText: 'Sam Since' }));
  const received = await rcv.waitFor(3);
  rcv.assertVerified(received[2]);
  assert.equal(received[2].json.data.name, 'Sam Since');

  // A time past the 14-day window is refused before anything is sent.
  await since.fill('2020-01-01T00:00');
  await ep.getByRole('button', { name: 'Redeliver failed' }).click();
  await h.see(page, ep.getByText('Pick a time within the last 14 days.'));

  // Edit: description and the enabled flag.
  await ep.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit endpoint' });
  assert.equal(await edit.getByLabel('Endpoint URL').inputValue(), rcv.url('/hook'));
  await edit.getByLabel('Description').fill('Paused for the migration');
  await edit.getByRole('checkbox', { name: /Enabled/ }).uncheck();
  await edit.getByRole('button', { name: 'Save' }).click();
  await h.see(page, page.getByText('Endpoint saved.'));
  await h.see(page, ep.getByText('Paused for the migration'));
  await h.see(page, ep.locator('.badge', { hasText: 'Disabled' }));
  const saved = (await srv.client.get(`/api/v1/webhooks/${endpoint.id}`)).json;
  assert.equal(saved.enabled, false);
  assert.equal(saved.description, 'Paused for the migration');
  await h.screenshot(page, 'webhooks-edited');

  // Delete, after a confirmation.
  await ep.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: 'Delete this endpoint?' });
  await h.see(page, del);
  await del.getByRole('button', { name: 'Cancel' }).click();
  await del.waitFor({ state: 'detached' });
  assert.equal((await srv.client.get(`/api/v1/webhooks/${endpoint.id}`)).status, 200, 'Cancel deletes nothing');
  await ep.getByRole('button', { name: 'Delete' }).click();
  await del.getByRole('button', { name: 'Delete endpoint' }).click();
  await h.see(page, page.getByText('Endpoint deleted.'));
  await h.see(page, page.getByText('No endpoints yet.'));
  assert.equal((await srv.client.get(`/api/v1/webhooks/${endpoint.id}`)).status, 404);
  await h.screenshot(page, 'webhooks-deleted');
  await h.assertClean(page);
});

test('the endpoint form: field errors from the API, and the keyboard alone', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { viewport: { width: 375, height: 740 }, allow: [/status of 422/] });
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/integrations/webhooks`);
  const add = page.getByRole('button', { name: 'Add endpoint' });
  await h.see(page, add);

  // Escape closes the dialog and gives the focus back.
  await add.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add an endpoint' });
  await h.see(page, dialog);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await add.evaluate((el) => el === document.activeElement), 'focus returns to Add endpoint');

  // A URL the API refuses: its message stands next to the field.
  await page.keyboard.press('Enter');
  await h.see(page, dialog);
  await page.keyboard.type('ftp://example.com/hook');
  await page.keyboard.press('Enter');
  const url = dialog.getByLabel('Endpoint URL');
  await h.see(page, dialog.locator('.field-error'));
  assert.equal(await url.getAttribute('aria-invalid'), 'true');
  const described = await url.getAttribute('aria-describedby');
  assert.ok(described && (await page.locator(`#${described}`).innerText()).length > 0, 'the error is tied to the field');
  await h.see(page, dialog.getByRole('alert').filter({ hasText: 'Some fields are missing or invalid.' }));
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'webhooks-form-error-phone');

  // Fixed from the keyboard: the endpoint is made.
  await url.fill('https://hooks.example.com/pitchbar');
  await page.keyboard.press('Enter');
  await h.see(page, card(page, 'https://hooks.example.com/pitchbar'));
  await h.assertNoHorizontalScroll(page);
  await h.assertClean(page);
});
