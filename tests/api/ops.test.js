'use strict';
// Operations: /healthz, /metrics in the Prometheus text format, and a clean
// exit 0 on SIGTERM.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver, closedUrl } = require('./lib/receiver');
const { api } = require('./lib/api');
const { waitUntil } = require('./lib/wait');

// Parses Prometheus text exposition: {types, samples: [{name, labels, value}]}.
function parsePrometheus(text) {
  const types = {};
  const samples = [];
  const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
  const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) types[m[1]] = m[2];
      else assert.match(line, /^# (HELP \S+ .*|TYPE .*)$/, `bad comment line: ${line}`);
      continue;
    }
    const m = sampleRe.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = {};
    if (m[2]) {
      labelRe.lastIndex = 0;
      let l;
      let consumed = 0;
      while ((l = labelRe.exec(m[2])) !== null) {
        labels[l[1]] = l[2];
        consumed = labelRe.lastIndex;
      }
      assert.equal(consumed, m[2].length, `bad labels in: ${line}`);
    }
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `bad value in: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

test('GET /healthz answers 200; GET /metrics answers Prometheus text with requests and deliveries', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'ops' });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);

  const h = await client.get('/healthz', { token: null });
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.status, 'ok');

  // One delivery that succeeds, one that fails to connect.
  const ok = await client.createEndpoint(rcv.url('/hook'));
  rcv.secret = ok.secret;
  const down = await client.createEndpoint(await closedUrl());
  assert.equal((await client.lead({ email: 'metrics@example.com' })).status, 201);
  await client.settledDeliveries(ok.id, 1);
  await client.settledDeliveries(down.id, 1);

  const m = await waitUntil(async () => {
    const r = await client.get('/metrics', { token: null });
    assert.equal(r.status, 200, r.text);
    const parsed = parsePrometheus(r.text);
    const dl = parsed.samples.filter((s) => s.name === 'pitchbar_webhook_deliveries_total');
    return dl.reduce((n, s) => n + s.value, 0) >= 2 ? { r, parsed } : false;
  }, { what: 'two deliveries counted in /metrics' });

  assert.match(m.r.headers['content-type'], /^text\/plain/);
  const { types, samples } = m.parsed;
  assert.equal(types.pitchbar_http_requests_total, 'counter');
  assert.equal(types.pitchbar_webhook_deliveries_total, 'counter');

  const requests = samples.filter((s) => s.name === 'pitchbar_http_requests_total');
  const widget = requests.find((s) => s.labels.method === 'POST' && /widget/.test(s.labels.route || '') && String(s.labels.code) === '201');
  assert.ok(widget, `no request count for the widget's 201:\n${requests.map((s) => JSON.stringify(s)).join('\n')}`);
  assert.equal(widget.value, 1);
  // Routes are labelled by their pattern, not by the path with its key.
  assert.ok(!requests.some((s) => (s.labels.route || '').includes(srv.widgetKey)), 'a widget key leaked into a metric label');

  const deliveries = samples.filter((s) => s.name === 'pitchbar_webhook_deliveries_total');
  const byOutcome = (o) => deliveries.filter((s) => s.labels.outcome === o).reduce((n, s) => n + s.value, 0);
  assert.equal(byOutcome('succeeded'), 1, `deliveries by outcome:\n${deliveries.map((s) => JSON.stringify(s)).join('\n')}`);
  assert.equal(byOutcome('failed'), 1);
  assert.ok(deliveries.some((s) => s.labels.outcome === 'failed' && s.labels.error === 'connect'), 'the failed delivery is not counted by its error');

  // Job runs by type and outcome.
  assert.equal(types.pitchbar_jobs_finished_total, 'counter');
  const done = samples.find((s) => s.name === 'pitchbar_jobs_finished_total' && s.labels.type === 'deliver_webhook' && s.labels.outcome === 'done');
  assert.ok(done && done.value >= 2, `no finished deliver_webhook jobs counted: ${JSON.stringify(done)}`);

  // Latency by route.
  assert.ok(samples.some((s) => /^pitchbar_http_request_duration_seconds(_bucket|_sum|_count)?$/.test(s.name)), 'no request latency metric');
  await srv.stop();

  // One log line per attempt; no HTTP status reads as code=-, not code=0.
  const attempts = srv.logText().split('\n').filter((l) => /event=webhook\.attempt /.test(l));
  assert.equal(attempts.length, 2, attempts.join('\n'));
  assert.ok(attempts.some((l) => / outcome=succeeded code=200 error=- /.test(l)), attempts.join('\n'));
  assert.ok(attempts.some((l) => / outcome=failed code=- error=connect /.test(l)), attempts.join('\n'));
});

test('SIGTERM while idle: the process exits 0 promptly, with no sanitizer report', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'sigterm' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  assert.equal((await client.get('/healthz', { token: null })).status, 200);
  assert.equal((await client.get('/api/v1/leads')).status, 200);
  const started = Date.now();
  await srv.stop({ timeoutMs: 5000 }); // asserts exit code 0 and a clean log
  assert.ok(Date.now() - started < 5000, 'an idle server took too long to stop');
  assert.equal(srv.running(), false);
  await assert.rejects(client.get('/healthz', { token: null }), /ECONNREFUSED/, 'the server still answers after SIGTERM');
});

test('a client-made method never reaches a metric label: /metrics stays parseable', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'metrics-labels' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const { request } = require('./lib/http');
  for (const method of ['X'.repeat(250), 'FOOBAR', 'BAZ"}']) {
    const r = await request(method, `${srv.url}/zzz`).catch(() => null);
    if (r) assert.ok([400, 404, 405, 501].includes(r.status), `${method}: ${r.status}`);
  }
  const r = await client.get('/metrics', { token: null });
  assert.equal(r.status, 200);
  const { samples } = parsePrometheus(r.text); // throws on a broken line
  const methods = new Set(samples.filter((s) => s.name === 'pitchbar_http_requests_total').map((s) => s.labels.method));
  for (const m of methods) assert.ok(['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'other'].includes(m), `method label ${m}`);
  await srv.stop();
});

test('SIGTERM while a worker waits on a hanging receiver: exit 0 within the shutdown time-out; the delivery goes after a restart', { timeout: 60000 }, async (t) => {
  const srv = await startServer({
    label: 'sigterm-busy',
    env: { PITCHBAR_SHUTDOWN_TIMEOUT_MS: 1000, PITCHBAR_WEBHOOK_TIMEOUT_MS: 5000, PITCHBAR_JOB_LEASE_MS: 1500 },
  });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver({ respond: { hang: true } });
  t.after(() => rcv.close());
  const client = api(srv);
  const endpoint = await client.createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  assert.equal((await client.lead({ email: 'busy@example.com' })).status, 201);
  await rcv.waitFor(1);

  const started = Date.now();
  await srv.stop({ timeoutMs: 5000 }); // exit 0, no sanitizer report
  assert.ok(Date.now() - started < 4000, `stopping took ${Date.now() - started} ms`);

  // Cut short, the attempt was not recorded: it goes again after a restart.
  rcv.respond({ status: 200, body: 'ok' });
  await srv.restart();
  const [d] = await client.settledDeliveries(endpoint.id, 1, { timeoutMs: 20000 });
  assert.equal(d.status, 'succeeded');
  await srv.stop();
});

test('a database that cannot be reached at start: one clear line, exit 1', { timeout: 30000 }, async () => {
  const { spawn } = require('node:child_process');
  const { BIN, uniqueDir, freePort } = require('./lib/server');
  const dir = uniqueDir('unreachable');
  const port = await freePort(); // nothing listens there
  for (const url of [`postgres://nobody:hunter2@127.0.0.1:${port}/nothing`, 'sqlite:/nonexistent-dir/deeper/pitchbar.db']) {
    const result = await new Promise((resolve) => {
      const child = spawn(BIN, ['serve'], {
        env: { PATH: process.env.PATH, PITCHBAR_DATABASE_URL: url, PITCHBAR_SECRET_KEY_FILE: `${dir}/k`, PITCHBAR_LISTEN: '127.0.0.1:0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c) => { err += c; });
      child.on('exit', (code) => resolve({ code, err }));
    });
    assert.equal(result.code, 1, result.err);
    const lines = result.err.split('\n').filter((l) => l.startsWith('pitchbar: '));
    assert.equal(lines.length, 1, result.err);
    assert.match(lines[0], /PITCHBAR_DATABASE_URL/);
    assert.ok(!result.err.includes('hunter2'), 'the password reached the error');
  }
});

test('the log holds no widget key, token or signing secret, even when each is used', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'ops-secrets' });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);

  const endpoint = await client.createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  assert.equal((await client.lead({ email: 'quiet@example.com' })).status, 201);
  assert.equal((await client.lead({ email: 'bad' })).status, 422);
  assert.equal((await client.get(`/demo/${srv.widgetKey}`, { token: null })).status, 200);
  await waitUntil(() => rcv.requests.length === 1, 'the delivery');
  await srv.stop();

  const log = srv.logText();
  assert.match(log, /path=\/widget\/v1\/\{widget_key\}\/leads /);
  for (const [what, value] of [['widget key', srv.widgetKey], ['token', srv.token], ['secret', endpoint.secret]]) {
    assert.ok(!log.includes(value), `the log holds the ${what}`);
    assert.ok(!log.includes(value.slice(-16)), `the log holds part of the ${what}`);
  }
});

test('GET /metrics: pitchbar_jobs counts the jobs by type and state, as the database holds them when scraped', { timeout: 60000 }, async (t) => {
  const { failJob } = require('./lib/sql');
  const { run, serverEnv } = require('./lib/cli');
  // No workers: the jobs stay in the queue.
  const srv = await startServer({ label: 'metrics-jobs', env: { PITCHBAR_WORKERS: 0 } });
  t.after(() => srv.cleanup());
  const client = api(srv);
  await client.createEndpoint(await closedUrl());
  for (let i = 0; i < 3; i++) assert.equal((await client.lead({ email: `queued${i}@example.com` })).status, 201);

  const scrape = async () => {
    const r = await client.get('/metrics', { token: null });
    assert.equal(r.status, 200, r.text);
    const { types, samples } = parsePrometheus(r.text);
    assert.equal(types.pitchbar_jobs, 'gauge');
    const jobs = samples.filter((s) => s.name === 'pitchbar_jobs');
    for (const s of jobs) assert.deepEqual(Object.keys(s.labels), ['type', 'state']);
    return Object.fromEntries(jobs.map((s) => [`${s.labels.type}/${s.labels.state}`, s.value]));
  };
  assert.deepEqual(await scrape(), { 'deliver_webhook/queued': 3 });

  // Changes made by another process show at the next scrape.
  const list = await run(['jobs', 'list'], serverEnv(srv));
  const [newest, middle] = list.out.trim().split('\n').map((l) => JSON.parse(l));
  failJob(srv.database, newest.id);
  failJob(srv.database, middle.id);
  // The count is kept for a second between scrapes.
  const becomes = (want) => waitUntil(async () => {
    const got = await scrape();
    const same = (o) => JSON.stringify(Object.entries(o).sort());
    return same(got) === same(want) ? got : false;
  }, { timeoutMs: 5000, what: `pitchbar_jobs to read ${JSON.stringify(want)}` });
  await becomes({ 'deliver_webhook/failed': 2, 'deliver_webhook/queued': 1 });
  assert.equal((await run(['jobs', 'discard', newest.id], serverEnv(srv))).code, 0);
  await becomes({ 'deliver_webhook/failed': 1, 'deliver_webhook/queued': 1 });
  await srv.stop();
});
