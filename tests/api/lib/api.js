'use strict';
// Small wrappers around the JSON API (bearer token) and the widget
// endpoint of one running server.

const assert = require('node:assert/strict');
const { request } = require('./http');
const { waitUntil } = require('./wait');

function api(srv) {
  const auth = (token) => (token === null ? {} : { Authorization: `Bearer ${token === undefined ? srv.token : token}` });

  const call = (method, path, body, { token, headers = {}, ...opts } = {}) =>
    request(method, `${srv.url}${path}`, { body, headers: { ...auth(token), ...headers }, ...opts });

  const self = {
    get: (path, opts) => call('GET', path, undefined, opts),
    post: (path, body, opts) => call('POST', path, body, opts),
    patch: (path, body, opts) => call('PATCH', path, body, opts),
    put: (path, body, opts) => call('PUT', path, body, opts),
    del: (path, opts) => call('DELETE', path, undefined, opts),

    // POST /widget/v1/{key}/leads with a JSON object (or raw bytes when
    // contentType is given). No token: the widget endpoint is public.
    lead(body, { key = srv.widgetKey, contentType, headers = {}, chunked } = {}) {
      const h = { ...headers };
      let payload = body;
      if (contentType === undefined) {
        h['Content-Type'] = 'application/json';
        if (typeof body !== 'string' && !Buffer.isBuffer(body)) payload = JSON.stringify(body);
      } else if (contentType !== null) {
        h['Content-Type'] = contentType;
      }
      return request('POST', `${srv.url}/widget/v1/${encodeURIComponent(key)}/leads`, { body: payload, headers: h, chunked });
    },

    // Every item of a paginated list, following next_cursor.
    async listAll(path, { limit = 50 } = {}) {
      const items = [];
      let cursor = null;
      let pages = 0;
      for (;;) {
        const sep = path.includes('?') ? '&' : '?';
        const q = `${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const r = await self.get(`${path}${q}`);
        assert.equal(r.status, 200, `GET ${path}${q}: ${r.status} ${r.text}`);
        assert.ok(Array.isArray(r.json.data), `GET ${path}: no data array: ${r.text}`);
        assert.ok('next_cursor' in r.json, `GET ${path}: no next_cursor: ${r.text}`);
        items.push(...r.json.data);
        pages++;
        assert.ok(pages < 1000, 'pagination does not end');
        if (r.json.next_cursor === null) break;
        cursor = r.json.next_cursor;
      }
      return items;
    },

    async leadCount() {
      return (await self.listAll('/api/v1/leads', { limit: 200 })).length;
    },

    // Creates a webhook endpoint subscribed to lead.captured; returns it.
    async createEndpoint(url, extra = {}) {
      const r = await self.post('/api/v1/webhooks', { url, events: ['lead.captured'], ...extra });
      assert.equal(r.status, 201, `create endpoint: ${r.status} ${r.text}`);
      return r.json;
    },

    async deliveries(endpointId) {
      return self.listAll(`/api/v1/webhooks/${endpointId}/deliveries`, { limit: 200 });
    },

    // Waits until the endpoint has n deliveries none of which is pending.
    async settledDeliveries(endpointId, n = 1, { timeoutMs = 15000 } = {}) {
      let seen = [];
      return waitUntil(
        async () => {
          const list = await self.deliveries(endpointId);
          seen = list;
          return list.length >= n && list.every((d) => d.status !== 'pending') ? list : false;
        },
        {
          timeoutMs,
          intervalMs: 100,
          what: () => `${n} settled deliveries of ${endpointId}; found ${JSON.stringify(seen.map((d) => ({ id: d.id, status: d.status, error: d.error })))}`,
        },
      );
    },

    // Waits until one delivery is no longer pending; returns it.
    async settledDelivery(id, { timeoutMs = 15000 } = {}) {
      let seen = null;
      return waitUntil(
        async () => {
          const r = await self.get(`/api/v1/deliveries/${id}`);
          assert.equal(r.status, 200, `GET delivery ${id}: ${r.status} ${r.text}`);
          seen = r.json;
          return r.json.status !== 'pending' ? r.json : false;
        },
        { timeoutMs, intervalMs: 100, what: () => `delivery ${id} to settle; it is ${seen && seen.status}` },
      );
    },

    async run(id) {
      const r = await self.get(`/api/v1/workflow-runs/${id}`);
      assert.equal(r.status, 200, `GET run ${id}: ${r.status} ${r.text}`);
      return r.json;
    },
  };
  return self;
}

module.exports = { api };
