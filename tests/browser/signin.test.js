'use strict';
// Signing in and out, and the integrations page an Owner lands on.

const assert = require('node:assert/strict');
const { test, after } = require('node:test');
const h = require('./harness');

after(h.closeBrowser);

test('a wrong password says so; the right one opens the integrations page', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, {
    // The refused sign-in itself: the browser logs the 401 answer.
    allow: [/status of 401/],
  });

  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(srv.owner.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The e-mail or the password is wrong.' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  await h.screenshot(page, 'signin-wrong-password');

  page.allowed = [];
  await page.getByLabel('Password').fill(srv.owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${srv.url}/app/integrations`);
  const who = page.locator('#who');
  await who.getByText('Owner', { exact: true }).waitFor();
  await who.getByText('My workspace').waitFor();
  await who.getByText(srv.owner.email).waitFor();

  // A row per integration, each with its state.
  const rows = await h.see(page, page.locator('li.integration'));
  const names = await rows.locator('h2').allTextContents();
  assert.deepEqual(names, ['Notion', 'Google Docs', 'Slack', 'Webhooks', 'HubSpot', 'Salesforce']);
  for (const provider of ['notion', 'google', 'slack']) {
    await page.locator(`li[data-provider="${provider}"] .badge`).getByText('Not configured').waitFor();
  }
  for (const provider of ['hubspot', 'salesforce']) {
    await page
      .locator(`li[data-provider="${provider}"]`)
      .getByText('Coming soon — use a webhook and Zapier meanwhile')
      .waitFor();
  }
  await page.locator('li[data-provider="webhooks"] .badge').getByText('No endpoint enabled').waitFor();
  assert.equal(await page.locator('#member-note').isVisible(), false, 'an Owner is told Owners manage integrations');
  await h.screenshot(page, 'integrations-owner');
  await h.assertClean(page);

  // The Webhooks row leads to the webhooks page.
  await page.getByRole('link', { name: 'Manage webhooks' }).click();
  await page.waitForURL(`${srv.url}/app/integrations/webhooks`);
  await h.see(page, page.getByText('No endpoints yet.'));
  await h.assertClean(page);

  // Signing out ends the session: the app pages send to /login again.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${srv.url}/login`);
  page.allowed = [/status of 401/];
  await page.goto(`${srv.url}/app/integrations`);
  await page.waitForURL(/\/login\?next=%2Fapp%2Fintegrations$/);
  await h.assertClean(page);
});

test('signing in from a deep link returns there', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { allow: [/status of 401/] });

  await page.goto(`${srv.url}/app/integrations/webhooks`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('E-mail').fill(srv.owner.email);
  await page.getByLabel('Password').fill(srv.owner.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/app/integrations/webhooks`);
  await h.see(page, page.getByRole('heading', { name: 'Webhooks', level: 1 }));
  await h.see(page, page.getByText('No endpoints yet.'));
  await h.screenshot(page, 'signin-deep-link');
  await h.assertClean(page);
});

test('too many wrong passwords: the wait is shown', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { allow: [/status of 401/, /status of 429/] });

  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(srv.owner.email);
  let shown = '';
  for (let i = 0; i < 10 && !/Too many/.test(shown); i++) {
    await page.getByLabel('Password').fill(`wrong ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-error .alert').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    shown = await page.locator('#login-error').innerText();
  }
  assert.match(shown, /Too many failed sign-ins\. Try again in \d+ (second|minute)s?\./);
  await h.screenshot(page, 'signin-too-many');
  await h.assertClean(page);
});

test('the pages fit a phone screen', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { viewport: { width: 375, height: 740 } });

  await page.goto(`${srv.url}/login`);
  await h.assertNoHorizontalScroll(page);
  await h.signIn(page, srv);
  await h.see(page, page.locator('li.integration'));
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'integrations-phone');
  await h.assertClean(page);
});

test('the checks above would see an inline script, an inline style or an exception', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t);

  await page.goto(`${srv.url}/login`);
  await h.assertClean(page);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.head.append(s);
    const d = document.createElement('div');
    d.setAttribute('style', 'color: red');
    document.body.append(d);
    setTimeout(() => {
      throw new Error('thrown on purpose');
    }, 0);
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.inlineRan === true), false, 'the CSP blocks inline script');
  await h.screenshot(page, 'signin-self-check');
  assert.ok(
    page.problems.some((p) => p.startsWith('CSP violation') && /script-src/.test(p)),
    `the securitypolicyviolation listener reported: ${JSON.stringify(page.problems)}`,
  );
  await assert.rejects(h.assertClean(page), (err) => {
    assert.match(err.message, /script-src/);
    assert.match(err.message, /style-src/);
    assert.match(err.message, /thrown on purpose/);
    return true;
  });
});
