/*
 * What every page of the web app shares: the JSON API client (session
 * cookie, and the session's CSRF token on every change), DOM building
 * that never parses HTML (every text from outside goes in as text), error
 * display, dialogs, signing secrets, the delivery detail and the bar at
 * the top of the app pages.
 */

/* An answer other than 2xx, in the API's error shape. */
export class ApiError extends Error {
	constructor(status, code, message, fields, retryAfter) {
		super(message);
		this.status = status;
		this.code = code;
		this.fields = fields || null;
		this.retryAfter = retryAfter;
	}
}

const GENERIC = {
	400: 'The request was not understood.',
	401: 'Your session has ended; sign in again.',
	403: 'Owners and Admins manage integrations.',
	404: 'This no longer exists. Reload the page.',
	409: 'This cannot be done in the current state.',
	413: 'This is too large.',
	422: 'Some fields are missing or invalid.',
	429: 'Too many requests; wait a moment and try again.',
	503: 'Pitchbar is briefly unavailable; try again in a moment.',
};

let csrfToken = null;
let onSignedOut = null;

/* Seconds from a Retry-After header (seconds or an HTTP date). */
function retryAfterSeconds(value) {
	if (!value)
		return null;
	if (/^\d+$/.test(value.trim()))
		return Number(value.trim());
	const at = Date.parse(value);
	return Number.isNaN(at) ? null :
	    Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/*
 * api(method, path, body) -> the parsed JSON answer (null for 204).
 * Throws ApiError for any other answer, and for a network failure
 * (status 0).  A 401 on an app page sends the user to /login.
 */
export async function api(method, path, body) {
	const headers = {Accept: 'application/json'};
	let resp;

	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && method !== 'HEAD' && csrfToken)
		headers['X-CSRF-Token'] = csrfToken;
	try {
		resp = await fetch(path, {
			method,
			headers,
			body: body === undefined ? undefined :
			    JSON.stringify(body),
			credentials: 'same-origin',
		});
	} catch {
		throw new ApiError(0, 'network',
		    'Pitchbar could not be reached. Check the connection ' +
		    'and try again.');
	}

	const text = await resp.text();
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	if (resp.ok)
		return data;

	const e = (data && data.error) || {};
	const err = new ApiError(resp.status, e.code || `http_${resp.status}`,
	    e.message || GENERIC[resp.status] ||
	    `Pitchbar answered ${resp.status}.`,
	    e.fields, retryAfterSeconds(resp.headers.get('Retry-After')));
	if (resp.status === 401 && onSignedOut)
		onSignedOut();
	throw err;
}

/* A readable wait: "42 seconds", "5 minutes". */
export function waitText(seconds) {
	if (seconds === null || seconds === undefined)
		return 'a while';
	if (seconds < 60)
		return `${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/*
 * h(tag, props, ...children): an element.  props: class, text, on*
 * listeners, dataset, and attributes (true for a bare attribute; false,
 * null and undefined leave it out).  Children are nodes or text; text is
 * always a text node, never markup.
 */
export function h(tag, props, ...children) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(props || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k === 'text')
			el.textContent = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(
		    String(c)));
	}
}

let lastId = 0;

/* A page-unique id, for label and aria references. */
export function uid(prefix) {
	lastId += 1;
	return `${prefix}-${lastId}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined,
    {dateStyle: 'medium', timeStyle: 'medium'});

/* A <time> for an RFC 3339 time, or an em dash when there is none. */
export function timeEl(iso) {
	if (!iso)
		return '—';
	const d = new Date(iso);
	return h('time', {datetime: iso, title: iso},
	    Number.isNaN(d.getTime()) ? iso : dateFormat.format(d));
}

export function formatTime(iso) {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? String(iso) : dateFormat.format(d);
}

/* The value a datetime-local input takes for a Date, in local time. */
export function toLocalInput(d) {
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
	    `T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/* An alert showing err: its message, then any field not shown by a form. */
export function errorBox(err, extraFields) {
	const box = h('div', {class: 'alert', role: 'alert'},
	    err.message || String(err));
	const fields = Object.entries(extraFields || {});

	if (fields.length)
		box.append(h('ul', null, fields.map(([k, v]) =>
		    h('li', null, `${k}: ${v}`))));
	return box;
}

/* Puts err into slot (an element), replacing what was there. */
export function showError(slot, err) {
	slot.replaceChildren(errorBox(err, err.fields));
	slot.hidden = false;
}

/* A passing message in slot: role=status, so screen readers say it. */
export function showStatus(slot, text) {
	slot.replaceChildren(h('div', {class: 'status-msg', role: 'status'},
	    text));
	slot.hidden = false;
}

export function clear(slot) {
	slot.replaceChildren();
}

/*
 * Shows the field errors of err next to the form's inputs (by name);
 * errors for fields the form does not have go in slot with the message.
 */
export function showFormError(form, slot, err) {
	const rest = {};

	for (const el of form.querySelectorAll('.field-error'))
		el.remove();
	for (const el of form.querySelectorAll('[aria-invalid]')) {
		el.removeAttribute('aria-invalid');
		el.removeAttribute('aria-describedby');
	}
	for (const [name, msg] of Object.entries(err.fields || {})) {
		const target = form.querySelector(
		    `[data-field="${CSS.escape(name)}"]`) ||
		    form.elements.namedItem(name);
		const el = target instanceof RadioNodeList ? target[0] : target;
		if (!el) {
			rest[name] = msg;
			continue;
		}
		const id = uid('err');
		const note = h('span', {class: 'field-error', id}, msg);
		el.setAttribute('aria-invalid', 'true');
		el.setAttribute('aria-describedby', id);
		(el.closest('.field') || el.parentNode).append(note);
	}
	slot.replaceChildren(errorBox(err, rest));
	slot.hidden = false;
	const first = form.querySelector('[aria-invalid="true"]');
	if (first && typeof first.focus === 'function')
		first.focus();
}

/*
 * openDialog(title, content) -> the <dialog>, open and modal.  Focus
 * goes into it and returns to what had it once it closes (Escape, the
 * Close button, or dialog.close()); the dialog is then removed.
 */
export function openDialog(title, content, {onClose} = {}) {
	const opener = document.activeElement;
	const titleId = uid('dialog-title');
	const closeButton = h('button', {type: 'button', class: 'button',
	    'aria-label': 'Close'}, 'Close');
	const dlg = h('dialog', {'aria-labelledby': titleId},
	    h('div', {class: 'dialog-head'}, h('h2', {id: titleId}, title),
		closeButton),
	    h('div', {class: 'dialog-body'}, content));

	closeButton.addEventListener('click', () => dlg.close());
	dlg.addEventListener('close', () => {
		dlg.remove();
		if (onClose)
			onClose(dlg.returnValue);
		if (opener && opener.isConnected &&
		    typeof opener.focus === 'function')
			opener.focus();
	});
	document.body.append(dlg);
	dlg.showModal();
	const first = dlg.querySelector('[autofocus]');
	if (first)
		first.focus();
	return dlg;
}

/*
 * formDialog({title, fields, submitLabel, save, done}) -> the dialog: a
 * form of fields, then Cancel and the submit button.  On submit save(form)
 * runs with the button disabled; once it resolves the dialog closes and
 * done(what save resolved to) runs.  Errors stay in the form, each next
 * to its field.
 */
export function formDialog({title, fields, submitLabel, save, done}) {
	const slot = h('div');
	const cancel = h('button', {type: 'button', class: 'button'},
	    'Cancel');
	const submit = h('button', {type: 'submit', class: 'button primary'},
	    submitLabel);
	const form = h('form', {novalidate: true}, fields, slot,
	    h('div', {class: 'dialog-foot'}, cancel, submit));
	const dlg = openDialog(title, form);

	cancel.addEventListener('click', () => dlg.close());
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		submit.disabled = true;
		try {
			const saved = await save(form);
			dlg.close();
			await done(saved);
		} catch (err) {
			showFormError(form, slot, err);
		} finally {
			submit.disabled = false;
		}
	});
	return dlg;
}

/* Moves the focus to a heading (of what was just made or changed). */
export function focusHeading(el) {
	if (el) {
		el.setAttribute('tabindex', '-1');
		el.focus();
	}
}

/* confirmDialog({...}) -> a promise of true when the user confirmed. */
export function confirmDialog({title, text, confirm, danger = false}) {
	return new Promise((resolve) => {
		let yes = false;
		const cls = `button primary${danger ? ' danger' : ''}`;
		const ok = h('button', {type: 'button', class: cls}, confirm);
		const cancel = h('button', {type: 'button', class: 'button',
		    autofocus: true}, 'Cancel');
		const body = [
			(Array.isArray(text) ? text : [text]).map((t) =>
			    h('p', null, t)),
			h('div', {class: 'dialog-foot'}, cancel, ok),
		];
		const dlg = openDialog(title, body,
		    {onClose: () => resolve(yes)});

		ok.addEventListener('click', () => {
			yes = true;
			dlg.close();
		});
		cancel.addEventListener('click', () => dlg.close());
	});
}

/* A <button type=button> that calls onclick(button). */
export function button(label, onclick, cls = 'button') {
	const b = h('button', {type: 'button', class: cls}, label);

	b.addEventListener('click', () => onclick(b));
	return b;
}

/* Runs fn with b disabled; errors go to slot. */
export async function busy(b, slot, fn) {
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

/* Every item of a list, following next_cursor. */
export async function listAll(path) {
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

/* Copies text to the clipboard; false when the browser refused. */
export async function copyText(text) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch {
		return false;
	}
}

export function toLogin() {
	const next = location.pathname + location.search;
	location.assign(`/login?next=${encodeURIComponent(next)}`);
}

export function canManage(session) {
	return session.role === 'owner' || session.role === 'admin';
}

/* ---- Events, secrets and deliveries, as the pages show them ---- */

/* The event registry as the API knows it: shipped, then reserved names. */
export const EVENTS = [
	{name: 'lead.captured', about: 'a visitor sent the lead form'},
];
export const RESERVED_EVENTS = ['lead.updated', 'conversation.started',
    'conversation.message', 'conversation.routed'];

/* Deliveries, runs and their steps: a label and a tone for each state. */
const STATES = {
	succeeded: ['Succeeded', 'ok'],
	failed: ['Failed', 'bad'],
	pending: ['Pending', 'warn'],
	running: ['Running', 'warn'],
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

export function enabledBadge(enabled) {
	return enabled ? h('span', {class: 'badge ok'}, 'Enabled') :
	    h('span', {class: 'badge warn'}, 'Disabled');
}

/* The tone class of a state: ok, bad, warn or none. */
export function stateTone(status) {
	return (STATES[status] || [status, ''])[1];
}

export function statusBadge(status) {
	const [label, tone] = STATES[status] || [status, ''];
	return h('span', {class: `badge ${tone}`}, label);
}

/* An attempt's error code in words, its code in the tooltip. */
export function errorText(code) {
	return code ? h('span', {title: code}, ERRORS[code] || code) : '—';
}

/* The HTTP status of an attempt, or an em dash when none came back. */
export function statusCode(d) {
	return typeof d.status_code === 'number' ? String(d.status_code) : '—';
}

const MASK = `whsec_${'•'.repeat(24)}`;

/*
 * A signing secret, masked until revealed, with Reveal and Copy (whose
 * outcome goes in slot); note: more to say under it, or null.
 */
export function secretBlock(secret, slot, note = null) {
	const id = uid('secret');
	const value = h('code', {class: 'secret-value', id}, MASK);
	let shown = false;
	const reveal = button('Reveal', () => {
		shown = !shown;
		value.textContent = shown ? secret : MASK;
		reveal.textContent = shown ? 'Hide' : 'Reveal';
		reveal.setAttribute('aria-pressed', String(shown));
	});
	const copy = button('Copy', async () => {
		if (await copyText(secret)) {
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
	    note);
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

/*
 * The dialog of one delivery (an attempt of a step): its state, the
 * request as sent and the answer, read from GET /api/v1/deliveries/{id}.
 */
export async function deliveryDetail(id) {
	const place = h('div', null, h('p', {class: 'muted'}, 'Loading…'));
	const dlg = openDialog(`Delivery ${id}`, place);
	let d;

	try {
		d = await api('GET',
		    `/api/v1/deliveries/${encodeURIComponent(id)}`);
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
		['HTTP status', statusCode(d)],
		['Error', d.error ?
		    `${ERRORS[d.error] || d.error} (${d.error})` : '—'],
		['Duration', typeof d.duration_ms === 'number' ?
		    `${d.duration_ms} ms` : '—'],
		['Created', timeEl(d.created_at)],
		['Attempted', timeEl(d.attempted_at)],
		['Event', d.event_id || '—'],
		['Run', d.run_id || '—'],
		['Message id', d.message_id || '—'],
		['Redelivery of', d.redelivery_of || '—'],
	];

	place.replaceChildren(
	    h('dl', {class: 'pairs'}, pairs.flatMap(([k, v]) =>
		[h('dt', null, k), h('dd', null, v)])),
	    h('h3', null, 'Request'),
	    h('p', {class: 'mono summary'}, 'POST ', req.url || ''),
	    h('h4', null, 'Headers'), headersTable(req.headers),
	    h('h4', null, 'Body'), bodyBlock(req.body),
	    h('h3', null, 'Response'),
	    resp ? h('div', null,
		h('h4', null, 'Headers'), headersTable(resp.headers),
		h('h4', null, 'Body'), bodyBlock(resp.body),
		h('p', {class: 'small muted'},
		    'Pitchbar keeps the first 4 KiB of a response body.')) :
		h('p', {class: 'muted'}, d.status === 'pending' ?
		    'Not sent yet.' : 'No response was received.'));
}

/* ---- The bar at the top ---- */

const ROLE_NAMES = {owner: 'Owner', admin: 'Admin', member: 'Member'};

function renderTopbar(session) {
	const who = document.getElementById('who');
	const user = session.user || {};
	const signOut = h('button', {type: 'button', class: 'button'},
	    'Sign out');
	let place = h('span', {class: 'workspace'},
	    (session.workspace || {}).name || '');

	if (!who)
		return;
	if ((session.workspaces || []).length > 1)
		place = workspacePicker(session);
	signOut.addEventListener('click', async () => {
		signOut.disabled = true;
		try {
			await api('DELETE', '/api/v1/session');
		} catch {
			/* Signed out or not, the way on is the sign-in page. */
		}
		location.assign('/login');
	});
	who.replaceChildren(place,
	    h('span', {class: 'user', title: user.email || ''},
		user.name || user.email || ''),
	    h('span', {class: 'role'},
		ROLE_NAMES[session.role] || session.role || ''),
	    signOut);
}

function workspacePicker(session) {
	const id = uid('workspace');
	const select = h('select', {id},
	    session.workspaces.map((w) => h('option', {value: w.id,
		selected: w.id === session.workspace.id}, w.name)));

	select.addEventListener('change', async () => {
		try {
			await api('PUT', '/api/v1/session',
			    {workspace_id: select.value});
			location.reload();
		} catch (err) {
			const slot = document.getElementById('page-error');
			if (slot)
				showError(slot, err);
		}
	});
	return h('span', null,
	    h('label', {for: id, class: 'visually-hidden'}, 'Workspace'),
	    select);
}

/*
 * startPage() -> the session, once the top bar shows it; on 401 the
 * browser is sent to /login and this resolves to null.
 */
export async function startPage() {
	let session;

	onSignedOut = toLogin;
	try {
		session = await api('GET', '/api/v1/session');
	} catch (err) {
		if (err.status !== 401) {
			const slot = document.getElementById('page-error');
			if (slot)
				showError(slot, err);
			const main = document.getElementById('content');
			if (main)
				main.replaceChildren();
		}
		return null;
	}
	csrfToken = session.csrf_token || null;
	renderTopbar(session);
	if (!canManage(session)) {
		const note = document.getElementById('member-note');
		if (note)
			note.hidden = false;
	}
	return session;
}
