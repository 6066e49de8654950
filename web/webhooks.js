/*
 * /app/integrations/webhooks: the workspace's endpoints, each with its
 * signing secret (managers only), actions and delivery log.  Everything
 * comes from the JSON API; Members get the same view without the controls.
 */
import {
	api, canManage, clear, confirmDialog, copyText, formatTime, h,
	openDialog, showError, showFormError, showStatus, startPage, timeEl,
	toLocalInput, uid,
} from '/assets/app.js';

/* The event registry as the API knows it: shipped, then reserved names. */
const EVENTS = [
	{name: 'lead.captured', about: 'a visitor sent the lead form'},
];
const RESERVED = ['lead.updated', 'conversation.started',
    'conversation.message', 'conversation.routed'];

const DELIVERY_STATUS = {
	succeeded: ['Succeeded', 'ok'],
	failed: ['Failed', 'bad'],
	pending: ['Pending', 'warn'],
	skipped: ['Skipped', ''],
};

const ERRORS = {
	dns: 'Name not found',
	blocked_target: 'Blocked address',
	connect: 'Could not connect',
	tls: 'TLS failed',
	timeout: 'Timed out',
	http_3xx: 'Redirect (not followed)',
	http_4xx: 'Refused',
	http_5xx: 'Server error',
};

const LOG_PAGE = 20;
const POLL_MS = 1500;
const POLL_MAX = 40;
const REDELIVER_DAYS = 14;

const content = document.getElementById('content');
const toolbar = document.getElementById('toolbar');
const pageError = document.getElementById('page-error');
const pageStatus = document.getElementById('page-status');

let manage = false;

function button(label, onclick, cls = 'button') {
	const b = h('button', {type: 'button', class: cls}, label);

	b.addEventListener('click', () => onclick(b));
	return b;
}

/* Runs fn with b disabled; errors go to slot. */
async function busy(b, slot, fn) {
	b.disabled = true;
	clear(slot);
	try {
		await fn();
	} catch (err) {
		showError(slot, err);
	} finally {
		b.disabled = false;
	}
}

async function listAll(path) {
	const items = [];
	let cursor = null;

	do {
		const sep = path.includes('?') ? '&' : '?';
		const page = await api('GET', `${path}${sep}limit=200` +
		    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		items.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return items;
}

function epPath(ep, rest = '') {
	return `/api/v1/webhooks/${encodeURIComponent(ep.id)}${rest}`;
}

/* ---- Creating and editing an endpoint ---- */

function endpointForm(ep) {
	const editing = Boolean(ep);
	const slot = h('div');
	const urlId = uid('url');
	const descId = uid('desc');
	const enabledId = uid('enabled');
	const events = new Set(ep ? ep.events : ['lead.captured']);
	const form = h('form', {novalidate: true},
	    h('div', {class: 'field'},
		h('label', {for: urlId}, 'Endpoint URL'),
		h('input', {type: 'url', id: urlId, name: 'url', required: true,
		    autofocus: true, autocomplete: 'off', spellcheck: 'false',
		    placeholder: 'https://example.com/hooks/pitchbar',
		    value: ep ? ep.url : ''}),
		h('span', {class: 'hint'},
		    'http or https, with no user name or password in it.')),
	    h('fieldset', {class: 'field', 'data-field': 'events'},
		h('legend', null, 'Events'),
		EVENTS.map((e) => h('label', {class: 'check'},
		    h('input', {type: 'checkbox', name: 'events', value: e.name,
			checked: events.has(e.name)}),
		    h('span', null, h('code', null, e.name), ` — ${e.about}`))),
		RESERVED.map((name) => h('label', {class: 'check muted'},
		    h('input', {type: 'checkbox', name: 'events', value: name,
			disabled: true}),
		    h('span', null, h('code', null, name), ' (coming soon)')))),
	    h('div', {class: 'field'},
		h('label', {for: descId}, 'Description'),
		h('input', {type: 'text', id: descId, name: 'description',
		    value: ep ? ep.description || '' : ''}),
		h('span', {class: 'hint'}, 'Optional: what it is for.')),
	    h('div', {class: 'field'},
		h('label', {class: 'check', for: enabledId},
		    h('input', {type: 'checkbox', id: enabledId, name: 'enabled',
			checked: ep ? ep.enabled : true}),
		    h('span', null, 'Enabled: send events to this endpoint'))),
	    slot,
	    h('div', {class: 'dialog-foot'},
		h('button', {type: 'button', class: 'button',
		    dataset: {close: ''}}, 'Cancel'),
		h('button', {type: 'submit', class: 'button primary'},
		    editing ? 'Save' : 'Add endpoint')));
	const dlg = openDialog(editing ? 'Edit endpoint' : 'Add an endpoint',
	    form);

	form.querySelector('[data-close]').addEventListener('click',
	    () => dlg.close());
	form.addEventListener('submit', async (event) => {
		const submit = form.querySelector('button[type="submit"]');
		const body = {
			url: form.elements.url.value.trim(),
			events: [...form.querySelectorAll(
			    'input[name="events"]:checked')].map((i) => i.value),
			description: form.elements.description.value,
			enabled: form.elements.enabled.checked,
		};

		event.preventDefault();
		submit.disabled = true;
		try {
			const saved = editing ?
			    await api('PATCH', epPath(ep), body) :
			    await api('POST', '/api/v1/webhooks', body);
			dlg.close();
			await load();
			showStatus(pageStatus, editing ? 'Endpoint saved.' :
			    'Endpoint added. Send it a test event to try it.');
			focusCard(saved.id);
		} catch (err) {
			showFormError(form, slot, err);
		} finally {
			submit.disabled = false;
		}
	});
}

function focusCard(id) {
	const card = content.querySelector(
	    `[data-endpoint-id="${CSS.escape(id)}"] h2`);

	if (card) {
		card.setAttribute('tabindex', '-1');
		card.focus();
	}
}

/* ---- The signing secret ---- */

const MASK = `whsec_${'•'.repeat(24)}`;

function secretBlock(ep, slot) {
	const id = uid('secret');
	const value = h('code', {class: 'secret-value', id}, MASK);
	let shown = false;
	const reveal = button('Reveal', () => {
		shown = !shown;
		value.textContent = shown ? ep.secret : MASK;
		reveal.textContent = shown ? 'Hide' : 'Reveal';
		reveal.setAttribute('aria-pressed', String(shown));
	});
	const copy = button('Copy', async () => {
		if (await copyText(ep.secret)) {
			showStatus(slot, 'Signing secret copied.');
		} else {
			showError(slot, {message: 'The browser did not allow ' +
			    'copying; reveal the secret and copy it by hand.'});
		}
	});

	reveal.setAttribute('aria-pressed', 'false');
	reveal.setAttribute('aria-controls', id);
	return h('div', {class: 'secret'},
	    h('strong', null, 'Signing secret'),
	    h('div', {class: 'secret-row'}, value, reveal, copy),
	    ep.previous_secret_expires_at ?
		h('p', {class: 'small muted'}, 'The previous secret also ' +
		    'signs every request until ',
		    timeEl(ep.previous_secret_expires_at),
		    ', so receivers can switch over.') : null);
}

/* ---- One endpoint ---- */

function endpointCard(ep) {
	const slot = h('div');
	const titleId = uid('endpoint');
	const log = deliveryLog(ep, slot);
	const card = h('article', {class: 'card endpoint',
	    dataset: {endpointId: ep.id}, 'aria-labelledby': titleId},
	    h('div', {class: 'card-head'},
		h('h2', {id: titleId, class: 'mono'}, ep.url),
		ep.enabled ? h('span', {class: 'badge ok'}, 'Enabled') :
		    h('span', {class: 'badge warn'}, 'Disabled')),
	    ep.description ? h('p', {class: 'description'}, ep.description) :
		null,
	    ep.disabled_reason ? h('p', {class: 'last-error'},
		'Disabled: ', ep.disabled_reason) : null,
	    h('p', {class: 'meta'}, 'Events: ', ep.events.join(', '),
		' · Added ', timeEl(ep.created_at)),
	    manage && ep.secret ? secretBlock(ep, slot) : null,
	    manage ? endpointActions(ep, slot, log) : null,
	    slot,
	    log.section);

	log.refresh();
	return card;
}

function endpointActions(ep, slot, log) {
	return h('div', {class: 'actions'},
	    button('Edit', () => endpointForm(ep)),
	    button('Send test event', (b) => busy(b, slot, async () => {
		const r = await api('POST', epPath(ep, '/test'));
		showStatus(slot, 'Test event queued: a sample lead.captured ' +
		    'marked "test": true. It shows in the log below.');
		log.refresh({expect: [r.delivery_id]});
	    })),
	    button('Rotate secret', (b) => rotate(ep, b, slot)),
	    button('Delete', (b) => remove(ep, b, slot), 'button danger'));
}

async function rotate(ep, b, slot) {
	const yes = await confirmDialog({
		title: 'Rotate the signing secret?',
		text: ['Pitchbar makes a new secret and signs with it from ' +
		    'now on.', 'The current secret keeps signing as well for ' +
		    '24 hours, so your receivers can switch to the new one ' +
		    'without rejecting a request.'],
		confirm: 'Rotate secret',
	});

	if (!yes)
		return;
	await busy(b, slot, async () => {
		const fresh = await api('POST', epPath(ep, '/rotate-secret'));
		await load();
		const until = fresh.previous_secret_expires_at;
		showStatus(pageStatus, 'New signing secret made. ' + (until ?
		    `The previous one keeps signing until ${formatTime(until)}.` :
		    'The previous one keeps signing for 24 hours.'));
		focusCard(ep.id);
	});
}

async function remove(ep, b, slot) {
	const yes = await confirmDialog({
		title: 'Delete this endpoint?',
		text: [ep.url, 'It gets no more events, and deliveries not ' +
		    'yet made to it are skipped. This cannot be undone.'],
		confirm: 'Delete endpoint',
		danger: true,
	});

	if (!yes)
		return;
	await busy(b, slot, async () => {
		await api('DELETE', epPath(ep));
		await load();
		showStatus(pageStatus, 'Endpoint deleted.');
	});
}

/* ---- The delivery log ---- */

function parseBody(d) {
	try {
		return JSON.parse((d.request && d.request.body) || 'null');
	} catch {
		return null;
	}
}

/* What was sent, in a line or two: the event and the lead it carries. */
function summary(d) {
	const body = parseBody(d);
	const data = (body && body.data) || {};
	const lead = [data.name, data.email].filter(Boolean).join(' · ');

	return [
		h('code', null, (body && body.event) || 'event'),
		body && body.test ? h('span', {class: 'badge'}, 'Test') : null,
		d.redelivery_of ? h('span', {class: 'badge'}, 'Redelivery') :
		    null,
		lead ? h('div', {class: 'lead-name'}, lead) : null,
	].filter(Boolean).flatMap((x, i) => (i ? [' ', x] : [x]));
}

function statusBadge(status) {
	const [label, tone] = DELIVERY_STATUS[status] || [status, ''];
	return h('span', {class: `badge ${tone}`}, label);
}

function errorText(code) {
	return code ? h('span', {title: code}, ERRORS[code] || code) : '—';
}

function deliveryLog(ep, cardSlot) {
	const titleId = uid('log');
	const body = h('div');
	const more = button('Show older deliveries', () => loadMore());
	const refreshButton = button('Refresh', () => refresh());
	const section = h('section', {class: 'deliveries',
	    'aria-labelledby': titleId},
	    h('div', {class: 'section-head'},
		h('h3', {id: titleId}, 'Deliveries'), refreshButton),
	    body, more,
	    manage ? redeliverSince(ep, cardSlot, (ids) =>
		refresh({expect: ids})) : null);
	let items = [];
	let cursor = null;
	let timer = null;
	let polls = 0;
	let expect = [];
	let shown = null;

	more.hidden = true;

	/* Redraws only on a change, so polling never steals the focus. */
	function render() {
		const now = JSON.stringify(items.map((d) => [d.id, d.status]));

		more.hidden = !cursor;
		if (now === shown)
			return;
		shown = now;
		if (!items.length) {
			body.replaceChildren(h('p', {class: 'empty'},
			    'No deliveries yet. They appear here as events ' +
			    'are sent to this endpoint.'));
			return;
		}
		body.replaceChildren(h('div', {class: 'table-wrap'},
		    h('table', {class: 'log'},
			h('thead', null, h('tr', null,
			    ['Status', 'Code', 'Error', 'Time', 'Event', ''].map(
				(t) => h('th', {scope: 'col'}, t)))),
			h('tbody', null, items.map(row)))));
	}

	function row(d) {
		return h('tr', {dataset: {deliveryId: d.id, status: d.status}},
		    h('td', {'data-label': 'Status'}, statusBadge(d.status)),
		    h('td', {'data-label': 'Code'},
			d.status_code === null || d.status_code === undefined ?
			    '—' : String(d.status_code)),
		    h('td', {'data-label': 'Error'}, errorText(d.error)),
		    h('td', {'data-label': 'Time'},
			timeEl(d.attempted_at || d.created_at)),
		    h('td', {'data-label': 'Event', class: 'summary'},
			summary(d)),
		    h('td', null, h('div', {class: 'actions'},
			button('Details', () => deliveryDetail(d),
			    'button small'),
			manage ? redeliverButton(d) : null)));
	}

	function redeliverButton(d) {
		const b = button('Redeliver', () => busy(b, cardSlot, async () => {
			const r = await api('POST',
			    `/api/v1/deliveries/${encodeURIComponent(d.id)}/redeliver`);
			showStatus(cardSlot, 'Redelivery queued: the same body, ' +
			    'signed again, in a new delivery.');
			refresh({expect: r.delivery_ids || [r.delivery_id]});
		}), 'button small');
		b.disabled = d.status === 'pending';
		return b;
	}

	/* Reloads the newest page; polls while a delivery is on its way. */
	async function refresh({expect: wanted} = {}) {
		if (wanted) {
			expect = wanted.filter(Boolean);
			polls = 0;
		}
		clearTimeout(timer);
		try {
			const page = await api('GET', epPath(ep,
			    `/deliveries?limit=${LOG_PAGE}`));
			items = page.data;
			cursor = page.next_cursor;
			render();
		} catch (err) {
			shown = null;
			showError(body, err);
			return;
		}
		const seen = new Set(items.map((d) => d.id));
		const waiting = items.some((d) => d.status === 'pending') ||
		    expect.some((id) => !seen.has(id));
		if (waiting && polls < POLL_MAX) {
			polls += 1;
			timer = setTimeout(() => {
				if (section.isConnected)
					refresh();
			}, POLL_MS);
		}
	}

	async function loadMore() {
		await busy(more, cardSlot, async () => {
			const page = await api('GET', epPath(ep,
			    `/deliveries?limit=${LOG_PAGE}&cursor=${
				encodeURIComponent(cursor)}`));
			items = items.concat(page.data);
			cursor = page.next_cursor;
			render();
		});
	}

	return {section, refresh};
}

/* "Redeliver every failed delivery since ...", at most 14 days back. */
function redeliverSince(ep, slot, then) {
	const id = uid('since');
	const now = new Date();
	const input = h('input', {type: 'datetime-local', id, name: 'since',
	    required: true,
	    min: toLocalInput(new Date(now.getTime() -
		REDELIVER_DAYS * 86400000 + 60000)),
	    max: toLocalInput(now),
	    value: toLocalInput(new Date(now.getTime() - 86400000))});
	const submit = h('button', {type: 'submit', class: 'button'},
	    'Redeliver failed');
	const form = h('form', {class: 'redeliver-since', novalidate: true},
	    h('div', {class: 'field'},
		h('label', {for: id},
		    'Redeliver every failed delivery since'),
		input,
		h('span', {class: 'hint'}, 'At most 14 days back, in your ' +
		    'time zone.')),
	    submit);

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(submit, slot, async () => {
			const since = new Date(input.value);
			const oldest = Date.now() - REDELIVER_DAYS * 86400000;
			if (!input.value || Number.isNaN(since.getTime()))
				throw new Error('Pick a date and time.');
			if (since.getTime() < oldest)
				throw new Error('Pick a time within the last 14 days.');
			const r = await api('POST', epPath(ep, '/redeliver-failed'),
			    {since: since.toISOString()});
			const n = (r.delivery_ids || []).length;
			showStatus(slot, n ? `${n} failed deliver${n === 1 ?
			    'y' : 'ies'} queued again.` :
			    `No failed deliveries since ${formatTime(since)}.`);
			then(r.delivery_ids || []);
		});
	});
	return form;
}

function headersTable(headers) {
	const entries = Object.entries(headers || {});

	if (!entries.length)
		return h('p', {class: 'muted'}, 'No headers.');
	return h('div', {class: 'table-wrap'}, h('table', null,
	    h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Header'),
		h('th', {scope: 'col'}, 'Value'))),
	    h('tbody', null, entries.map(([k, v]) => h('tr', null,
		h('td', {class: 'mono'}, k),
		h('td', {class: 'mono summary'},
		    Array.isArray(v) ? v.join(', ') : String(v)))))));
}

/* A body as sent: JSON indented for reading, anything else as it is. */
function bodyBlock(text) {
	let shown = text;

	if (text === null || text === undefined || text === '')
		return h('p', {class: 'muted'}, 'Empty body.');
	try {
		shown = JSON.stringify(JSON.parse(text), null, 2);
	} catch {
		shown = String(text);
	}
	return h('pre', null, h('code', null, shown));
}

async function deliveryDetail(listed) {
	const place = h('div', null, h('p', {class: 'muted'}, 'Loading…'));
	const dlg = openDialog(`Delivery ${listed.id}`, place);
	let d = listed;

	try {
		d = await api('GET',
		    `/api/v1/deliveries/${encodeURIComponent(listed.id)}`);
	} catch (err) {
		showError(place, err);
		return;
	}
	if (!dlg.open)
		return;
	const req = d.request || {};
	const resp = d.response;
	const pairs = [
		['Status', statusBadge(d.status)],
		['HTTP status', d.status_code === null ? '—' :
		    String(d.status_code)],
		['Error', d.error ? `${ERRORS[d.error] || d.error} (${d.error})` :
		    '—'],
		['Duration', d.duration_ms === null ||
		    d.duration_ms === undefined ? '—' : `${d.duration_ms} ms`],
		['Created', timeEl(d.created_at)],
		['Attempted', timeEl(d.attempted_at)],
		['Event', d.event_id || '—'],
		['Message id', d.message_id || '—'],
		['Redelivery of', d.redelivery_of || '—'],
	];

	place.replaceChildren(
	    h('dl', {class: 'pairs'}, pairs.flatMap(([k, v]) =>
		[h('dt', null, k), h('dd', null, v)])),
	    h('h3', null, 'Request'),
	    h('p', {class: 'mono summary'}, 'POST ', req.url || ''),
	    headersTable(req.headers),
	    bodyBlock(req.body),
	    h('h3', null, 'Response'),
	    resp ? [headersTable(resp.headers), bodyBlock(resp.body),
		h('p', {class: 'small muted'},
		    'Pitchbar keeps the first 4 KiB of a response body.')] :
		h('p', {class: 'muted'}, d.status === 'pending' ?
		    'Not sent yet.' : 'No response was received.'));
}

/* ---- The page ---- */

function render(list) {
	if (!list.length) {
		content.replaceChildren(h('div', {class: 'empty'},
		    h('p', null, 'No endpoints yet.'),
		    h('p', null, manage ?
			'Add one to receive a signed POST for every new lead.' :
			'Owners and Admins can add one.')));
		return;
	}
	content.replaceChildren(...list.map(endpointCard));
}

async function load() {
	try {
		render(await listAll('/api/v1/webhooks'));
	} catch (err) {
		content.replaceChildren();
		showError(pageError, err);
	}
}

const session = await startPage();
if (session) {
	manage = canManage(session);
	if (manage)
		toolbar.append(button('Add endpoint', () => {
			clear(pageStatus);
			endpointForm(null);
		}, 'button primary'));
	await load();
}
