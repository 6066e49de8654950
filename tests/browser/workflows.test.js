'use strict';
// The workflows page: an Owner creates a workflow of two webhook steps,
// sees a lead's run retry its first step and succeed, looks inside an
// attempt, edits the workflow keeping a step (and its signing secret) and
// deletes it; the form's errors and the keyboard; a Member watching a
// step being retried and then failing, with no control and no secret;
// the run log's pages; a workflow named like markup shows as text.

const assert = require('node:assert/strict');
const { test, after } = require('node:test');
const h = require('./harness');
const { verifyPitchbarSignature } = require('../api/lib/receiver');

after(h.closeBrowser);

// Retries come quickly in these tests (seconds between attempts).
const QUICK_RETRIES = { PITCHBAR_RETRY_DELAYS: '0.2,0.4' };

// The card of the workflow named name.
function card(page, name) {
  return page.locator('article.workflow').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

// Step n (from 1) of the workflow dialog.
function stepGroup(dialog, n) {
  return dialog.getByRole('group', { name: `Step ${n}`, exact: true });
}

function attemptRows(run, stepIndex) {
  return run.locator('li.run-step').nth(stepIndex).locator('table.attempts tbody tr');
}

async function focused(locator) {
  return locator.evaluate((el) => el === document.activeElement);
}

async function workflowByName(srv, name) {
  const list = await srv.client.listAll('/api/v1/workflows');
  return list.find((wf) => wf.name === name);
}

// Waits until the API shows one run of the workflow, settled.
async function settledRun(srv, workflowId) {
  return h.waitUntil(
    async () => {
      const r = await srv.client.get(`/api/v1/workflow-runs?workflow_id=${workflowId}`);
      assert.equal(r.status, 200, r.text);
      const [run] = r.json.data;
      return run && run.status !== 'running' ? run : false;
    },
    { timeoutMs: 15000, intervalMs: 100, what: `a settled run of ${workflowId}` },
  );
}

async function addMember(srv) {
  const made = await srv.client.post('/api/v1/members', { email: 'mia@example.com', role: 'member', name: 'Mia Member' });
  assert.equal(made.status, 201, `POST /api/v1/members: ${made.status} ${made.text}`);
  return { email: 'mia@example.com', password: made.json.password };
}

test('create a two-step workflow, see its run retry and succeed, edit it keeping a step, delete it', async (t) => {
  const srv = await h.startApp(t, { env: QUICK_RETRIES });
  const rcv = await h.withReceiver(t);
  // The first step's first attempt is answered 500, its retry 200.
  rcv.next({ status: 500, body: 'receiver down' });
  const page = await h.openPage(t);
  await h.signIn(page, srv);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
  await page.waitForURL(`${srv.url}/app/workflows`);
  await h.see(page, page.getByText('No workflows yet.'));
  await h.see(page, page.getByText('No runs yet.'));
  assert.equal(await page.locator('#member-note').isVisible(), false);

  // The dialog: name, trigger, enabled, and ordered steps.
  await page.getByRole('button', { name: 'Create workflow' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a workflow' });
  await h.see(page, dialog);
  assert.ok(await focused(dialog.getByLabel('Name')), 'the name field has the focus');
  assert.equal(await dialog.getByLabel('Trigger', { exact: true }).inputValue(), 'lead.captured');
  assert.equal(await dialog.getByRole('checkbox', { name: /Enabled/ }).isChecked(), true);
  const type = stepGroup(dialog, 1).getByLabel('Type');
  assert.equal(await type.inputValue(), 'webhook');
  const slack = type.locator('option', { hasText: 'Slack (coming with the Slack integration)' });
  assert.equal(await slack.evaluate((o) => o.disabled), true, 'Slack is shown, not selectable');
  assert.equal(await stepGroup(dialog, 1).getByRole('button', { name: 'Remove' }).isDisabled(), true, 'a workflow keeps one step');

  await dialog.getByLabel('Name').fill('Lead to CRM');
  // Entered in the wrong order, then put right with Move up.
  await stepGroup(dialog, 1).getByLabel('Webhook URL').fill(rcv.url('/second'));
  await dialog.getByRole('button', { name: 'Add a step' }).click();
  assert.ok(await focused(stepGroup(dialog, 2).getByLabel('Webhook URL')), 'a new step takes the focus');
  await page.keyboard.type(rcv.url('/first'));
  await stepGroup(dialog, 2).getByRole('button', { name: 'Move up' }).click();
  assert.equal(await stepGroup(dialog, 1).getByLabel('Webhook URL').inputValue(), rcv.url('/first'));
  assert.equal(await stepGroup(dialog, 2).getByLabel('Webhook URL').inputValue(), rcv.url('/second'));
  assert.ok(await focused(stepGroup(dialog, 1).getByRole('button', { name: 'Move down' })), 'focus stays with the moved step');
  // A third step, added and removed again.
  await dialog.getByRole('button', { name: 'Add a step' }).click();
  await stepGroup(dialog, 3).getByLabel('Webhook URL').fill('https://unused.example.com/hook');
  await stepGroup(dialog, 3).getByRole('button', { name: 'Remove' }).click();
  assert.equal(await dialog.locator('li.step-edit').count(), 2);
  await h.screenshot(page, 'workflows-create-dialog');
  await dialog.getByRole('button', { name: 'Create workflow' }).click();

  const wfCard = card(page, 'Lead to CRM');
  await h.see(page, wfCard);
  await h.see(page, page.getByText('Workflow created.'));
  await h.see(page, wfCard.locator('.badge', { hasText: 'Enabled' }));
  assert.deepEqual(await wfCard.locator('li.step .step-target').allInnerTexts(), [rcv.url('/first'), rcv.url('/second')]);
  const made = await workflowByName(srv, 'Lead to CRM');
  assert.equal(made.trigger, 'lead.captured');
  assert.equal(made.enabled, true);
  assert.deepEqual(
    made.steps.map((s) => [s.type, s.url]),
    [
      ['webhook', rcv.url('/first')],
      ['webhook', rcv.url('/second')],
    ],
  );

  // Each step's secret, revealed, is the one the API holds.
  const firstStep = wfCard.locator('li.step').nth(0);
  await firstStep.getByRole('button', { name: 'Reveal' }).click();
  assert.equal((await firstStep.locator('.secret-value').innerText()).trim(), made.steps[0].secret);
  await firstStep.getByRole('button', { name: 'Hide' }).click();
  assert.doesNotMatch(await firstStep.locator('.secret-value').innerText(), /whsec_[A-Za-z0-9]/);

  // A lead: step 1 is answered 500, retried and answered 200; step 2 200.
  const lead = await srv.client.lead({ email: 'dana@example.com', name: 'Dana Example' });
  assert.equal(lead.status, 201, lead.text);
  const received = await rcv.waitFor(3);
  assert.deepEqual(
    received.map((r) => r.path),
    ['/first', '/first', '/second'],
  );
  for (const [i, req] of received.entries()) {
    verifyPitchbarSignature(req.body, req.headers['x-pitchbar-signature'], made.steps[i < 2 ? 0 : 1].secret);
    assert.equal(req.json.data.name, 'Dana Example');
  }

  await page.getByRole('button', { name: 'Refresh' }).click();
  const run = page.locator('li.run').filter({ hasText: 'Lead to CRM' });
  await h.see(page, run);
  await h.see(page, page.locator('li.run[data-status="succeeded"]'));
  assert.equal(await page.locator('li.run').count(), 1);
  const toggle = run.locator('.run-toggle');
  assert.match(await toggle.innerText(), /All 2 steps succeeded; step 1 on attempt 2/);
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const steps = run.locator('li.run-step');
  await h.see(page, steps.nth(0).getByText('Succeeded on attempt 2 of 3'));
  assert.equal(await attemptRows(run, 0).count(), 2, 'the first step shows 2 attempts');
  assert.deepEqual((await attemptRows(run, 0).nth(0).locator('td').allInnerTexts()).slice(0, 4), ['1 of 3', 'Failed', '500', 'Server error']);
  assert.deepEqual((await attemptRows(run, 0).nth(1).locator('td').allInnerTexts()).slice(0, 3), ['2 of 3', 'Succeeded', '200']);
  assert.equal(await attemptRows(run, 1).count(), 1);
  await h.see(page, steps.nth(1).getByText(rcv.url('/second'), { exact: true }));
  await h.see(page, steps.nth(1).locator('.step-outcome').getByText('Succeeded', { exact: true }));
  await h.screenshot(page, 'workflows-run-retried');

  // An attempt's delivery: the request as sent and the answer it got.
  const details = attemptRows(run, 0).nth(0).getByRole('button', { name: 'Details' });
  await details.click();
  const detail = page.getByRole('dialog', { name: /^Delivery dlv_/ });
  await h.see(page, detail.getByText('X-Pitchbar-Signature'));
  await h.see(page, detail.getByText('"name": "Dana Example"'));
  await h.see(page, detail.getByText('receiver down'));
  await h.screenshot(page, 'workflows-attempt-detail');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  assert.ok(await focused(details), 'focus returns to the Details button');

  // Edit: keep step 1 (its id, so its secret), replace step 2 by a new one.
  await wfCard.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit workflow' });
  await h.see(page, edit);
  assert.equal(await edit.getByLabel('Name').inputValue(), 'Lead to CRM');
  assert.equal(await stepGroup(edit, 1).getByLabel('Webhook URL').inputValue(), rcv.url('/first'));
  await h.see(page, stepGroup(edit, 1).getByText('it keeps its signing secret'));
  await edit.getByLabel('Name').fill('Lead to CRM, v2');
  await stepGroup(edit, 1).getByLabel('Webhook URL').fill(rcv.url('/first?v=2'));
  await stepGroup(edit, 2).getByRole('button', { name: 'Remove' }).click();
  await edit.getByRole('button', { name: 'Add a step' }).click();
  await stepGroup(edit, 2).getByLabel('Webhook URL').fill(rcv.url('/third'));
  await h.see(page, stepGroup(edit, 2).getByText('it gets its own signing secret'));
  await edit.getByRole('checkbox', { name: /Enabled/ }).uncheck();
  await h.screenshot(page, 'workflows-edit-dialog');
  await edit.getByRole('button', { name: 'Save' }).click();
  await h.see(page, page.getByText('Workflow saved.'));
  const edited = card(page, 'Lead to CRM, v2');
  await h.see(page, edited.locator('.badge', { hasText: 'Disabled' }));
  const saved = (await srv.client.get(`/api/v1/workflows/${made.id}`)).json;
  assert.equal(saved.enabled, false);
  assert.equal(saved.steps.length, 2);
  assert.equal(saved.steps[0].id, made.steps[0].id, 'the kept step keeps its id');
  assert.equal(saved.steps[0].secret, made.steps[0].secret, 'and its signing secret');
  assert.equal(saved.steps[0].url, rcv.url('/first?v=2'));
  assert.notEqual(saved.steps[1].id, made.steps[1].id, 'the new step is another step');
  assert.notEqual(saved.steps[1].secret, made.steps[1].secret, 'with a secret of its own');
  await edited.locator('li.step').nth(0).getByRole('button', { name: 'Reveal' }).click();
  assert.equal((await edited.locator('li.step').nth(0).locator('.secret-value').innerText()).trim(), made.steps[0].secret);
  // The run log names the run after the workflow as it is now.
  await h.see(page, page.locator('li.run').filter({ hasText: 'Lead to CRM, v2' }));

  // The run log's filters, kept in the address.
  await page.getByLabel('Status', { exact: true }).selectOption('failed');
  await h.see(page, page.getByText('No runs match these filters.'));
  assert.match(page.url(), /\?status=failed$/);
  await page.getByLabel('Status', { exact: true }).selectOption('succeeded');
  await h.see(page, page.locator('li.run[data-status="succeeded"]'));
  await page.getByLabel('Workflow', { exact: true }).selectOption({ label: 'Lead to CRM, v2' });
  await h.see(page, page.locator('li.run'));
  assert.equal(new URL(page.url()).searchParams.get('workflow'), made.id);
  await page.reload();
  await h.see(page, page.locator('li.run'));
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'succeeded');
  assert.equal(await page.getByLabel('Workflow', { exact: true }).inputValue(), made.id);

  // The same page at phone width: nothing runs off to the side.
  await page.setViewportSize({ width: 375, height: 740 });
  await page.locator('li.run .run-toggle').click();
  await h.see(page, page.locator('li.run table.attempts'));
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'workflows-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Delete, after a confirmation; the runs stay.
  const wf = card(page, 'Lead to CRM, v2');
  await wf.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: 'Delete this workflow?' });
  await h.see(page, del.getByText('Lead to CRM, v2', { exact: true }));
  await del.getByRole('button', { name: 'Cancel' }).click();
  await del.waitFor({ state: 'detached' });
  assert.equal((await srv.client.get(`/api/v1/workflows/${made.id}`)).status, 200, 'Cancel deletes nothing');
  await wf.getByRole('button', { name: 'Delete' }).click();
  await del.getByRole('button', { name: 'Delete workflow' }).click();
  await h.see(page, page.getByText('Workflow deleted.'));
  await h.see(page, page.getByText('No workflows yet.'));
  assert.equal((await srv.client.get(`/api/v1/workflows/${made.id}`)).status, 404);
  await h.see(page, page.locator('li.run').filter({ hasText: 'Deleted workflow' }));
  await h.screenshot(page, 'workflows-deleted');
  await h.assertClean(page);
});

test('the workflow form: field errors from the API, the keyboard alone, ten steps at most', async (t) => {
  const srv = await h.startApp(t);
  const page = await h.openPage(t, { viewport: { width: 375, height: 740 }, allow: [/status of 422/] });
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/workflows`);
  const create = page.getByRole('button', { name: 'Create workflow' });
  await h.see(page, create);
  await h.see(page, page.getByText('No runs yet.'));

  // Escape closes the dialog and gives the focus back.
  await create.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create a workflow' });
  await h.see(page, dialog);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await focused(create), 'focus returns to Create workflow');

  // No name and a URL the API refuses: each message by its field.
  await page.keyboard.press('Enter');
  await h.see(page, dialog);
  const url = stepGroup(dialog, 1).getByLabel('Webhook URL');
  await url.fill('ftp://example.com/hook');
  await url.press('Enter');
  await h.see(page, dialog.getByRole('alert').filter({ hasText: 'Some fields are missing or invalid.' }));
  const name = dialog.getByLabel('Name');
  for (const [field, text] of [
    [name, /1 to 100 characters/],
    [url, /http or https/],
  ]) {
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const described = await field.getAttribute('aria-describedby');
    assert.ok(described, 'the error is tied to the field');
    assert.match(await page.locator(`#${described}`).innerText(), text);
  }
  assert.ok(await focused(name), 'the first field in error has the focus');
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'workflows-form-error-phone');

  // Ten steps at most: Add a step is then disabled.
  const add = dialog.getByRole('button', { name: 'Add a step' });
  for (let i = 2; i <= 10; i++) await add.click();
  assert.equal(await dialog.locator('li.step-edit').count(), 10);
  assert.equal(await add.isDisabled(), true);
  assert.equal(await stepGroup(dialog, 10).getByRole('button', { name: 'Move down' }).isDisabled(), true);
  for (let i = 10; i >= 2; i--) await stepGroup(dialog, i).getByRole('button', { name: 'Remove' }).click();
  assert.equal(await dialog.locator('li.step-edit').count(), 1);
  assert.equal(await add.isDisabled(), false);
  assert.ok(await focused(url), 'removing the last step leaves the focus on the one before');

  // Fixed from the keyboard alone: the workflow is made.
  await name.focus();
  await page.keyboard.type('Keyboard flow');
  await url.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('https://hooks.example.com/pitchbar');
  await page.keyboard.press('Enter');
  await h.see(page, card(page, 'Keyboard flow'));
  await h.assertNoHorizontalScroll(page);
  await h.screenshot(page, 'workflows-created-phone');
  await h.assertClean(page);
});

test('a Member watches a step being retried, then failing, read-only and without secrets', async (t) => {
  // Attempts seconds apart, so that the retrying state can be seen.
  const srv = await h.startApp(t, { env: { PITCHBAR_RETRY_DELAYS: '3,3' } });
  const rcv = await h.withReceiver(t, { respond: (req) => (req.path === '/down' ? { status: 503, body: 'busy' } : { status: 200, body: 'ok' }) });
  const made = await srv.client.post('/api/v1/workflows', {
    name: 'Sales alerts',
    trigger: 'lead.captured',
    steps: [
      { type: 'webhook', url: rcv.url('/down') },
      { type: 'webhook', url: rcv.url('/never') },
    ],
  });
  assert.equal(made.status, 201, made.text);
  const wf = made.json;
  const member = await addMember(srv);

  const page = await h.openPage(t);
  await h.signIn(page, srv, member);
  await page.goto(`${srv.url}/app/workflows`);
  await h.see(page, page.getByText('Owners and Admins manage workflows.'));
  const wfCard = card(page, 'Sales alerts');
  await h.see(page, wfCard);
  assert.deepEqual(await wfCard.locator('li.step .step-target').allInnerTexts(), [rcv.url('/down'), rcv.url('/never')]);
  assert.equal(await page.locator('.secret').count(), 0, 'no signing secret for a Member');
  for (const s of wf.steps) assert.equal(await page.getByText(s.secret).count(), 0, 'no secret anywhere on the page');
  for (const name of ['Create workflow', 'Edit', 'Delete', 'Reveal', 'Copy', 'Add a step']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button for a Member`);
  }

  // "Show its runs" narrows the run log to the workflow.
  await wfCard.getByRole('button', { name: 'Show its runs' }).click();
  assert.equal(await page.getByLabel('Workflow', { exact: true }).inputValue(), wf.id);
  assert.ok(await focused(page.getByRole('heading', { name: 'Run log' })), 'the run log has the focus');
  await h.see(page, page.getByText('No runs match these filters.'));

  const lead = await srv.client.lead({ email: 'vera@example.com', name: 'Vera Visitor' });
  assert.equal(lead.status, 201, lead.text);
  await rcv.waitFor(1);
  await page.getByRole('button', { name: 'Refresh' }).click();
  const run = page.locator('li.run').filter({ hasText: 'Sales alerts' });
  await h.see(page, run.getByText(/Step 1: attempt [12] of 3 failed, retrying/));
  assert.equal(await run.getAttribute('data-status'), 'running');
  await run.locator('.run-toggle').click();
  await h.see(page, run.locator('li.run-step').nth(1).getByText('Waiting for the steps before it'));
  await h.screenshot(page, 'workflows-member-retrying');

  // The page follows the run until it settles.
  await h.see(page, page.locator('li.run[data-status="failed"]'), { timeout: 15000 });
  await h.see(page, run.getByText('Step 1 failed after 3 attempts'));
  assert.equal(await run.locator('.run-toggle').getAttribute('aria-expanded'), 'true', 'the run stays open as it updates');
  await h.see(page, run.locator('li.run-step').nth(0).getByText('Failed after 3 attempts'));
  await h.see(page, run.locator('li.run-step').nth(1).getByText('Skipped: a step before it failed'));
  assert.equal(await attemptRows(run, 0).count(), 3);
  assert.deepEqual(await attemptRows(run, 0).locator('td:nth-child(3)').allInnerTexts(), ['503', '503', '503']);
  assert.equal(rcv.requests.filter((r) => r.path === '/never').length, 0, 'a step after a failed one is not sent');
  const settled = await settledRun(srv, wf.id);
  assert.equal(settled.status, 'failed');

  // Looking inside an attempt is reading, so it is there.
  await attemptRows(run, 0).nth(2).getByRole('button', { name: 'Details' }).click();
  const detail = page.getByRole('dialog', { name: /^Delivery dlv_/ });
  await h.see(page, detail.getByText('"name": "Vera Visitor"'));
  await h.see(page, detail.getByText('busy', { exact: true }));
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  for (const name of ['Create workflow', 'Edit', 'Delete', 'Reveal', 'Copy', 'Redeliver']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button for a Member`);
  }
  await h.screenshot(page, 'workflows-member');
  await h.assertClean(page);
});

test('the run log shows 20 runs, then older ones on demand', async (t) => {
  const srv = await h.startApp(t);
  const rcv = await h.withReceiver(t);
  const made = await srv.client.post('/api/v1/workflows', {
    name: 'Every lead',
    trigger: 'lead.captured',
    steps: [{ type: 'webhook', url: rcv.url('/hook') }],
  });
  assert.equal(made.status, 201, made.text);
  for (let i = 0; i < 23; i++) {
    const lead = await srv.client.lead({ email: `lead${i}@example.com` });
    assert.equal(lead.status, 201, lead.text);
  }
  await h.waitUntil(
    async () => {
      const runs = await srv.client.listAll(`/api/v1/workflow-runs?workflow_id=${made.json.id}`);
      return runs.length === 23 && runs.every((r) => r.status === 'succeeded');
    },
    { timeoutMs: 20000, intervalMs: 200, what: '23 succeeded runs' },
  );

  const page = await h.openPage(t);
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/workflows`);
  await h.see(page, page.locator('li.run'));
  assert.equal(await page.locator('li.run').count(), 20);
  const more = page.getByRole('button', { name: 'Show older runs' });
  await more.click();
  await h.waitUntil(async () => (await page.locator('li.run').count()) === 23, { what: '23 runs shown' });
  await more.waitFor({ state: 'hidden' });
  const ids = await page.locator('li.run').evaluateAll((els) => els.map((el) => el.dataset.runId));
  const listed = await srv.client.listAll(`/api/v1/workflow-runs?workflow_id=${made.json.id}`);
  assert.deepEqual(ids, listed.map((r) => r.id), 'every run once, newest first');
  await h.screenshot(page, 'workflows-run-log-paged');
  await h.assertClean(page);
});

test('a workflow named <img src=x onerror=alert(1)> shows as text', async (t) => {
  const srv = await h.startApp(t, { env: QUICK_RETRIES });
  const rcv = await h.withReceiver(t);
  const made = await srv.client.post('/api/v1/workflows', {
    name: h.XSS_NAME,
    trigger: 'lead.captured',
    steps: [{ type: 'webhook', url: rcv.url('/hook') }],
  });
  assert.equal(made.status, 201, made.text);
  const lead = await srv.client.lead({ email: 'xss@example.com', name: h.XSS_NAME });
  assert.equal(lead.status, 201, lead.text);
  await settledRun(srv, made.json.id);

  const page = await h.openPage(t);
  await h.signIn(page, srv);
  await page.goto(`${srv.url}/app/workflows`);
  const wfCard = card(page, h.XSS_NAME);
  await h.see(page, wfCard);
  const run = page.locator('li.run').filter({ hasText: h.XSS_NAME });
  await h.see(page, run.locator('.run-name').getByText(h.XSS_NAME, { exact: true }));
  await run.locator('.run-toggle').click();
  assert.equal(await page.getByLabel('Workflow', { exact: true }).locator('option', { hasText: h.XSS_NAME }).count(), 1);
  await wfCard.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit workflow' });
  assert.equal(await edit.getByLabel('Name').inputValue(), h.XSS_NAME);
  await page.keyboard.press('Escape');
  await edit.waitFor({ state: 'detached' });
  await wfCard.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: 'Delete this workflow?' });
  await h.see(page, del.getByText(h.XSS_NAME, { exact: true }));
  await del.getByRole('button', { name: 'Cancel' }).click();
  await del.waitFor({ state: 'detached' });

  // No element came out of the name; give a wrongly made image the time
  // to fail and fire its handler.
  await page.waitForTimeout(500);
  assert.equal(await page.locator('img, script:not([src]), b').count(), 0, 'markup from data');
  assert.deepEqual(page.dialogs, [], 'a dialog opened');
  await h.screenshot(page, 'workflows-xss-as-text');
  await h.assertClean(page);
});
