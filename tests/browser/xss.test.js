'use strict';
// Text from outside is shown as text: a lead named like an HTML element,
// sent through the demo form, shows literally in the delivery log and its
// detail, and no script of its own ever runs.

const assert = require('node:assert/strict');
const { test, after } = require('node:test');
const h = require('./harness');

after(h.closeBrowser);

const XSS_MESSAGE = '<script>alert(2)</script>';
const XSS_DESCRIPTION = '<b onmouseover=alert(3)>bold</b>';

test('a lead named <img src=x onerror=alert(1)> shows as text', async (t) => {
  const srv = await h.startApp(t);
  const rcv = await h.withReceiver(t);
  const endpoint = await srv.client.createEndpoint(rcv.url('/hook'), { description: XSS_DESCRIPTION });
  rcv.secret = endpoint.secret;

  const demo = await h.openPage(t);
  await demo.goto(`${srv.url}/demo/${srv.widgetKey}`);
  await h.see(demo, demo.getByLabel('Name'));
  await demo.getByLabel('Name').fill(h.XSS_NAME);
  await demo.getByLabel('E-mail (required)').fill('xss@example.com');
  await demo.getByLabel('Message').fill(XSS_MESSAGE);
  await demo.getByRole('button', { name: 'Send' }).click();
  await h.see(demo, demo.getByText('Thank you!'));
  const [req] = await rcv.waitFor(1);
  assert.equal(req.json.data.name, h.XSS_NAME);

  const page = await h.openPage(t);
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/integrations/webhooks`);
  const ep = page.locator('article.endpoint');
  await h.see(page, ep.getByText(XSS_DESCRIPTION, { exact: true }));
  const row = ep.locator('table.log tbody tr').filter({ hasText: h.XSS_NAME });
  await h.see(page, row.filter({ hasText: 'Succeeded' }));
  await h.see(page, row.getByText(`${h.XSS_NAME} · xss@example.com`, { exact: true }));

  await h.screenshot(page, 'xss-as-text-log');
  await row.first().getByRole('button', { name: 'Details' }).click();
  const detail = page.getByRole('dialog', { name: /^Delivery dlv_/ });
  await h.see(page, detail.getByText(`"name": "${h.XSS_NAME}"`));
  await h.see(page, detail.getByText(`"message": "${XSS_MESSAGE}"`));

  // No element came out of the visitor's text; give a wrongly made image
  // the time to fail and fire its handler.
  await page.waitForTimeout(500);
  for (const p of [page, demo]) {
    assert.equal(await p.locator('img, script:not([src]), b').count(), 0, `markup from data at ${p.url()}`);
    assert.deepEqual(p.dialogs, [], `a dialog opened at ${p.url()}`);
  }
  await h.screenshot(page, 'xss-as-text-detail');
  await h.assertClean(page);
  await h.assertClean(demo);
});
