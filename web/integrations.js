/*
 * /app/integrations: one row per integration from GET
 * /api/v1/integrations, with its state and what may be done about it.
 */
import {
	api, canManage, confirmDialog, h, showError, showStatus, startPage,
	timeEl,
} from '/assets/app.js';

const COMING_SOON = 'Coming soon — use a webhook and Zapier meanwhile';

const PROVIDERS = {
	notion: {name: 'Notion',
	    about: 'Let the agent answer from the Notion pages you pick.'},
	google: {name: 'Google Docs',
	    about: 'Let the agent answer from the Google Docs you pick.'},
	slack: {name: 'Slack', about: 'Post every new lead to a channel.'},
	webhooks: {name: 'Webhooks',
	    about: 'Send every new lead as a signed POST to your own ' +
	    'endpoint, or to Zapier.'},
	hubspot: {name: 'HubSpot', about: 'Create contacts from leads.'},
	salesforce: {name: 'Salesforce', about: 'Create leads in Salesforce.'},
};

const STATUS = {
	not_configured: ['Not configured', ''],
	not_connected: ['Not connected', ''],
	active: ['Connected', 'ok'],
	inactive: ['Disconnected', ''],
	error: ['Reconnect needed', 'bad'],
	coming_soon: ['Coming soon', ''],
};

const content = document.getElementById('content');
const pageError = document.getElementById('page-error');
const pageStatus = document.getElementById('page-status');

function statusBadge(row) {
	let [label, tone] = STATUS[row.status] || [row.status, ''];

	if (row.provider === 'webhooks')
		label = row.status === 'active' ? 'Active' :
		    'No endpoint enabled';
	return h('span', {class: `badge ${tone}`}, label);
}

/* What the row says under its name: account, error, configuration. */
function details(row, known) {
	const out = [];
	const n = row.settings && row.settings.endpoints;

	if (row.status === 'coming_soon')
		out.push(h('p', {class: 'muted'}, COMING_SOON));
	if (row.status === 'not_configured')
		out.push(h('p', {class: 'muted small'},
		    'This server has no client credentials for ' +
		    `${known.name} yet; its operator sets them.`));
	if (row.provider === 'webhooks' && typeof n === 'number' && n > 0)
		out.push(h('p', {class: 'muted small'},
		    `${n} endpoint${n === 1 ? '' : 's'} enabled`));
	if (row.account && row.account.name)
		out.push(h('p', {class: 'small'}, 'Account: ',
		    row.account.name));
	if (row.settings && row.settings.channel_name)
		out.push(h('p', {class: 'small'}, 'Channel: #',
		    row.settings.channel_name));
	if (row.connected_at)
		out.push(h('p', {class: 'muted small'}, 'Connected ',
		    timeEl(row.connected_at)));
	if (row.last_error)
		out.push(h('p', {class: 'last-error', role: 'note'},
		    row.last_error.message || row.last_error.code || '',
		    row.last_error.action ? ` ${row.last_error.action}` : ''));
	return out;
}

async function disconnect(row, button) {
	const name = PROVIDERS[row.provider].name;
	const yes = await confirmDialog({
		title: `Disconnect ${name}?`,
		text: [`Pitchbar stops using ${name} at once and forgets ` +
		    'its credentials.', 'What was already learned from it is ' +
		    'kept; reconnect to sync it again.'],
		confirm: 'Disconnect',
		danger: true,
	});

	if (!yes)
		return;
	button.disabled = true;
	try {
		await api('POST', `/api/v1/integrations/${
		    encodeURIComponent(row.provider)}/disconnect`);
		showStatus(pageStatus, `${name} is disconnected.`);
		await load();
	} catch (err) {
		button.disabled = false;
		showError(pageError, err);
	}
}

/* The row's one action, by provider, state and role. */
function action(row, manage) {
	const provider = encodeURIComponent(row.provider);
	const connect = (label) => h('a', {class: 'button primary',
	    href: `/app/integrations/${provider}/connect`}, label);

	if (row.provider === 'webhooks')
		return h('a', {class: 'button',
		    href: '/app/integrations/webhooks'},
		    manage ? 'Manage webhooks' : 'View webhooks');
	if (!manage || !PROVIDERS[row.provider])
		return null;
	if (row.status === 'not_connected')
		return connect('Connect');
	if (row.status === 'inactive' || row.status === 'error')
		return connect('Reconnect');
	if (row.status === 'active') {
		const b = h('button', {type: 'button', class: 'button danger'},
		    'Disconnect');
		b.addEventListener('click', () => disconnect(row, b));
		return b;
	}
	return null;
}

function render(rows, manage) {
	const list = h('ul', {class: 'integrations'});

	for (const row of rows) {
		const known = PROVIDERS[row.provider] ||
		    {name: row.provider, about: ''};
		const titleId = `integration-${row.provider}`;
		list.append(h('li', {class: 'card integration',
		    dataset: {provider: row.provider},
		    'aria-labelledby': titleId},
		    h('div', null,
			h('h2', {id: titleId}, known.name),
			h('p', {class: 'muted'}, known.about),
			details(row, known)),
		    h('div', {class: 'state'}, statusBadge(row),
			action(row, manage))));
	}
	content.replaceChildren(rows.length ? list :
	    h('p', {class: 'empty'}, 'No integrations are available.'));
}

let session = null;

async function load() {
	pageError.replaceChildren();
	try {
		const answer = await api('GET', '/api/v1/integrations');
		render(answer.data || [], canManage(session));
	} catch (err) {
		content.replaceChildren();
		showError(pageError, err);
	}
}

session = await startPage();
if (session)
	await load();
