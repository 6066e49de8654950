/*
 * /app/integrations/webhooks: the workspace's endpoints, each with its
 * signing secret (managers only), actions and delivery log.  Everything
 * comes from the JSON API; Members get the same view without the controls.
 */
import {
	EVENTS, RESERVED_EVENTS, api, busy, button, canManage, clear,
	confirmDialog, deliveryDetail, enabledBadge, errorText, focusHeading,
	formDialog, formatTime, h, listAll, secretBlock, showError, showStatus,
	startPage, statusBadge, statusCode, timeEl, toLocalInput, uid,
} from '/assets/app.js';

const COLUMNS = ['Status', 'Code', 'Error', 'Time', 'Event', ''];
const LOG_PAGE = 20;
const POLL_MS = 1500;
const POLL_MAX = 40;
const REDELIVER_DAYS = 14;

const content = document.getElementById('content');
const toolbar = document.getElementById('toolbar');
const pageError = document.getElementById('page-error');
const pageStatus = document.getElementById('page-status');

let manage = false;

function epPath(ep, rest = '') {
	return `/api/v1/webhooks/${encodeURIComponent(ep.id)}${rest}`;
}

/* ---- Creating and editing an endpoint ---- */

/* The event checkboxes: shipped ones, then reserved ones, disabled. */
function eventChoices(ep) {
	const chosen = new Set(ep ? ep.events : ['lead.captured']);

	return h('fieldset', {class: 'field', 'data-field': 'events'},
	    h('legend', null, 'Events'),
	    EVENTS.map((e) => h('label', {class: 'check'},
		h('input', {type: 'checkbox', name: 'events', value: e.name,
		    checked: chosen.has(e.name)}),
		h('span', null, h('code', null, e.name), ` — ${e.about}`))),
	    RESERVED_EVENTS.map((name) => h('label', {class: 'check muted'},
		h('input', {type: 'checkbox', name: 'events', value: name,
		    disabled: true}),
		h('span', null, h('code', null, name), ' (coming soon)'))));
}

/* The fields of an endpoint, filled from ep when there is one. */
function endpointFields(ep) {
	const urlId = uid('url');
	const descId = uid('desc');
	const enabledId = uid('enabled');

	return [
		h('div', {class: 'field'},
		    h('label', {for: urlId}, 'Endpoint URL'),
		    h('input', {type: 'url', id: urlId, name: 'url',
			required: true, autofocus: true, autocomplete: 'off',
			spellcheck: 'false',
			placeholder: 'https://example.com/hooks/pitchbar',
			value: ep ? ep.url : ''}),
		    h('span', {class: 'hint'},
			'http or https, with no user name or password in it.')),
		eventChoices(ep),
		h('div', {class: 'field'},
		    h('label', {for: descId}, 'Description'),
		    h('input', {type: 'text', id: descId, name: 'description',
			value: ep ? ep.description || '' : ''}),
		    h('span', {class: 'hint'}, 'Optional: what it is for.')),
		h('div', {class: 'field'},
		    h('label', {class: 'check', for: enabledId},
			h('input', {type: 'checkbox', id: enabledId,
			    name: 'enabled', checked: ep ? ep.enabled : true}),
			h('span', null,
			    'Enabled: send events to this endpoint'))),
	];
}

/* The create (ep null) or edit dialog; field errors stay in it. */
function endpointForm(ep) {
	formDialog({
		title: ep ? 'Edit endpoint' : 'Add an endpoint',
		fields: endpointFields(ep),
		submitLabel: ep ? 'Save' : 'Add endpoint',
		save: (form) => saveEndpoint(ep, form),
		async done(saved) {
			await load();
			showStatus(pageStatus, ep ? 'Endpoint saved.' :
			    'Endpoint added. Send it a test event to try it.');
			focusCard(saved.id);
		},
	});
}

function saveEndpoint(ep, form) {
	const checked = form.querySelectorAll('input[name="events"]:checked');
	const body = {
		url: form.elements.url.value.trim(),
		events: [...checked].map((i) => i.value),
		description: form.elements.description.value,
		enabled: form.elements.enabled.checked,
	};

	return ep ? api('PATCH', epPath(ep), body) :
	    api('POST', '/api/v1/webhooks', body);
}

function focusCard(id) {
	focusHeading(content.querySelector(
	    `[data-endpoint-id="${CSS.escape(id)}"] h2`));
}

/* The signing secret, and the previous one while it still signs. */
function endpointSecret(ep, slot) {
	return secretBlock(ep.secret, slot, ep.previous_secret_expires_at ?
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
		enabledBadge(ep.enabled)),
	    ep.description ? h('p', {class: 'description'}, ep.description) :
		null,
	    ep.disabled_reason ? h('p', {class: 'last-error'},
		'Disabled: ', ep.disabled_reason) : null,
	    h('p', {class: 'meta'}, 'Events: ', ep.events.join(', '),
		' · Added ', timeEl(ep.created_at)),
	    manage && ep.secret ? endpointSecret(ep, slot) : null,
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
		const old = until ? `until ${formatTime(until)}` :
		    'for 24 hours';
		showStatus(pageStatus, 'New signing secret made. ' +
		    `The previous one keeps signing ${old}.`);
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

	return h('div', null,
	    h('code', null, (body && body.event) || 'event'),
	    body && body.test ? [' ', h('span', {class: 'badge'}, 'Test')] :
		null,
	    d.redelivery_of ? [' ', h('span', {class: 'badge'}, 'Redelivery')] :
		null,
	    lead ? h('div', {class: 'lead-name'}, lead) : null);
}

function deliveryRow(d, log) {
	return h('tr', {dataset: {deliveryId: d.id, status: d.status}},
	    h('td', {'data-label': 'Status'}, statusBadge(d.status)),
	    h('td', {'data-label': 'Code'}, statusCode(d)),
	    h('td', {'data-label': 'Error'}, errorText(d.error)),
	    h('td', {'data-label': 'Time'},
		timeEl(d.attempted_at || d.created_at)),
	    h('td', {'data-label': 'Event', class: 'summary'}, summary(d)),
	    h('td', null, h('div', {class: 'actions'},
		button('Details', () => deliveryDetail(d.id), 'button small'),
		manage ? redeliverButton(d, log) : null)));
}

/* Redeliver: a new delivery of the same body, sent by a job. */
function redeliverButton(d, log) {
	const b = button('Redeliver', () => busy(b, log.slot, async () => {
		const r = await api('POST', `/api/v1/deliveries/${
		    encodeURIComponent(d.id)}/redeliver`);

		showStatus(log.slot, 'Redelivery queued: the same body, ' +
		    'signed again, in a new delivery.');
		log.refresh({expect: r.delivery_ids || [r.delivery_id]});
	}), 'button small');

	b.disabled = d.status === 'pending';
	return b;
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
			h('thead', null, h('tr', null, COLUMNS.map(
			    (t) => h('th', {scope: 'col'}, t)))),
			h('tbody', null,
			    items.map((d) => deliveryRow(d, log))))));
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

	const log = {section, refresh, slot: cardSlot};
	return log;
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
	const hintId = uid('since-hint');
	const form = h('form', {class: 'redeliver-since field',
	    novalidate: true},
	    h('label', {for: id}, 'Redeliver every failed delivery since'),
	    h('div', {class: 'inline'}, input, submit),
	    h('span', {class: 'hint', id: hintId}, 'At most 14 days back, ' +
		'in your time zone.'));

	input.setAttribute('aria-describedby', hintId);

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(submit, slot, async () => {
			const since = new Date(input.value);
			const oldest = Date.now() - REDELIVER_DAYS * 86400000;
			if (!input.value || Number.isNaN(since.getTime()))
				throw new Error('Pick a date and time.');
			if (since.getTime() < oldest)
				throw new Error(
				    'Pick a time within the last 14 days.');
			const r = await api('POST',
			    epPath(ep, '/redeliver-failed'),
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
	clear(pageError);
	try {
		render(await listAll('/api/v1/webhooks'));
	} catch (err) {
		content.replaceChildren();
		showError(pageError, err);
	}
}

/* A link to each agent's demo page: the whole path, tried by hand. */
async function demoLinks() {
	let agents;

	try {
		agents = (await api('GET', '/api/v1/agents')).data || [];
	} catch {
		return;
	}
	toolbar.append(...agents.map((a) => h('a', {class: 'button',
	    href: `/demo/${encodeURIComponent(a.widget_key)}`},
	    agents.length > 1 && a.name ? `Try the lead form of ${a.name}` :
		'Try the lead form')));
}

const session = await startPage();
if (session) {
	manage = canManage(session);
	if (manage)
		toolbar.append(button('Add endpoint', () => {
			clear(pageStatus);
			endpointForm(null);
		}, 'button primary'));
	await Promise.all([load(), demoLinks()]);
}
