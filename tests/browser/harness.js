'use strict';
// What the browser tests share: a real pitchbar server (with the Owner's
// sign-in read from its first-start banner), Debian's Chromium driven by
// playwright-core, pages that record every console error, uncaught
// exception, CSP violation and JavaScript dialog, and screenshots under
// tests/out/screenshots/.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// The Owner's e-mail and password are printed once, in the first-start
// banner.  A startServer that does not hand them over (ownerEmail,
// ownerPassword) keeps the child's stdout to itself: tee every child's
// stdout before tests/api/lib/server.js takes its own reference to
// spawn, so that the banner can be read here all the same.
const banners = new Map();
const realSpawn = childProcess.spawn;
childProcess.spawn = function spawnTeed(...args) {
  const child = realSpawn.apply(this, args);
  if (child.stdout) {
    banners.set(child, '');
    child.stdout.on('data', (chunk) => banners.set(child, banners.get(child) + chunk));
    child.on('exit', () => setTimeout(() => banners.delete(child), 1000));
  }
  return child;
};

const { startServer, ROOT } = require('../api/lib/server');
const { startReceiver } = require('../api/lib/receiver');
const { api } = require('../api/lib/api');
const { waitUntil } = require('../api/lib/wait');
const { chromium } = require('playwright-core');

const SHOTS = path.join(ROOT, 'tests', 'out', 'screenshots');
const CHROMIUM = process.env.PITCHBAR_CHROMIUM || '/usr/bin/chromium';
const XSS_NAME = '<img src=x onerror=alert(1)>';

function ownerFromBanner(text) {
  const email = /^\s*E-mail\s+(\S+)\s*$/m.exec(text);
  const password = /^\s*Password\s+(\S+)\s*$/m.exec(text);
  assert.ok(email && password, `no E-mail and Password lines in the first-start banner:\n${text}`);
  return { email: email[1], password: password[1] };
}

/*
 * startApp(t, opts) -> the server of startServer, plus owner {email,
 * password} and client (the JSON API with the Owner's API token).  It
 * is stopped (exit 0, no sanitizer report) when the test ends.
 */
async function startApp(t, opts = {}) {
  const before = new Set(banners.keys());
  const srv = await startServer({ label: 'browser', ...opts });
  t.after(() => srv.stop());
  if (srv.ownerEmail && srv.ownerPassword) {
    srv.owner = { email: srv.ownerEmail, password: srv.ownerPassword };
  } else {
    const mine = [...banners.entries()].filter(([child]) => !before.has(child) && child.pid === srv.pid());
    assert.equal(mine.length, 1, 'the server child was not seen being spawned');
    srv.owner = ownerFromBanner(mine[0][1]);
  }
  srv.client = api(srv);
  return srv;
}

async function withReceiver(t, opts) {
  const rcv = await startReceiver(opts);
  t.after(() => rcv.close());
  return rcv;
}

let browser = null;

async function launch() {
  if (!browser) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }
  return browser;
}

async function closeBrowser() {
  if (browser) {
    const b = browser;
    browser = null;
    await b.close();
  }
}

/*
 * openPage(t, {viewport, allow}) -> page, in a fresh browser context (its
 * own cookies).  page.problems lists every console error or warning,
 * uncaught exception and CSP violation; page.dialogs every alert,
 * confirm or prompt (dismissed).  allow: regexps of console messages
 * that the test expects (a 422 it provoked, say).
 */
async function openPage(t, { viewport = { width: 1280, height: 900 }, allow = [] } = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.allowed = allow;
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const text = msg.text();
    if (page.allowed.some((re) => re.test(text))) return;
    page.problems.push(`console ${msg.type()} at ${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => page.problems.push(`uncaught at ${page.url()}: ${err.message}`));
  page.on('dialog', async (dialog) => {
    page.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  // Every document of the context reports its CSP violations here, so
  // that none is lost when the page navigates on.  Init scripts run
  // outside the page's CSP; this one only listens.
  await context.exposeFunction('__pitchbarCspViolation', (text) => {
    page.problems.push(`CSP violation at ${page.url()}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__pitchbarCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile || 'the page'}:${e.lineNumber}`);
    });
  });
  page.setDefaultTimeout(15000);
  return page;
}

// Asserts that the page met no CSP violation, console error or exception
// since it was opened, whatever documents it went through.
async function assertClean(page) {
  // Reports travel asynchronously: let those under way arrive.
  await page.waitForTimeout(100);
  assert.deepEqual(page.problems, [], 'the page reported problems');
}

async function screenshot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/*
 * see(page, locator) -> locator, once its first match is visible.  On a
 * time-out the error also tells what the page was showing: its alerts
 * (API errors land there) and the problems recorded so far.
 */
async function see(page, locator, { timeout } = {}) {
  try {
    await locator.first().waitFor({ timeout });
    return locator;
  } catch (err) {
    const alerts = await page
      .locator('[role="alert"]')
      .allInnerTexts()
      .catch(() => []);
    err.message += `\n  at ${page.url()}\n  alerts shown: ${JSON.stringify(alerts.filter(Boolean))}` +
      `\n  problems: ${JSON.stringify(page.problems)}`;
    throw err;
  }
}

// Signs in through the /login form and waits for the integrations page.
async function signIn(page, srv, { email = srv.owner.email, password = srv.owner.password } = {}) {
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${srv.url}/app/integrations`);
  await see(page, page.locator('#who .role'));
}

// The page must not be wider than its viewport (phone widths).
async function assertNoHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `the page scrolls sideways: ${scroll}px of content in ${client}px`);
}

module.exports = {
  startApp,
  withReceiver,
  openPage,
  closeBrowser,
  assertClean,
  assertNoHorizontalScroll,
  screenshot,
  see,
  signIn,
  waitUntil,
  XSS_NAME,
};
