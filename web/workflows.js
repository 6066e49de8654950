/*
 * /app/workflows: the workspace's workflows, each an ordered list of
 * webhook steps run when its trigger happens, and the run log with each
 * step's attempts.  Owners and Admins create, edit and delete workflows
 * and see the steps' signing secrets; Members get the same view without
 * the controls and without the secrets.
 */
import {
	EVENTS, RESERVED_EVENTS, api, busy, button, canManage, clear,
	confirmDialog, deliveryDetail, enabledBadge, errorText, focusHeading,
	formDialog, h, listAll, secretBlock, showError, showStatus, startPage,
	stateTone, statusBadge, statusCode, timeEl, uid,
} from '/assets/app.js';

const MAX_STEPS = 10;
/* A workflow's webhook step is tried this many times at most. */
const MAX_ATTEMPTS = 3;
const RUN_PAGE = 20;
const POLL_MS = 1500;
const POLL_MAX = 40;

/* The types of step; those not available yet are shown, disabled. */
const STEP_TYPES = [
	{type: 'webhook', label: 'Webhook'},
	{type: 'slack', label: 'Slack (coming with the Slack integration)',
	    disabled: true},
];

const RUN_FILTERS = [
	['', 'Any status'],
	['running', 'Running'],
	['succeeded', 'Succeeded'],
	['failed', 'Failed'],
];

const NO_RUNS = 'No runs yet. Each captured lead starts a run of every ' +
    'enabled workflow; it shows here with each step\'s attempts.';

const ATTEMPT_COLUMNS = ['Attempt', 'Status', 'Code', 'Error', 'Duration',
    'Time', ''];

const content = document.getElementById('content');
const toolbar = document.getElementById('toolbar');
const pageError = document.getElementById('page-error');
const pageStatus = document.getElementById('page-status');

let manage = false;
/* The workflows as last loaded, by id, for the run log's names. */
let workflows = new Map();

const listPlace = h('div', {class: 'workflow-list'},
    h('p', {class: 'muted'}, 'Loading…'));
let runLog = null;

function wfPath(wf) {
	return `/api/v1/workflows/${encodeURIComponent(wf.id)}`;
}

function plural(n, word) {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/* A workflow's name, or what to call it when the name is blank. */
function nameOf(wf) {
	return wf.name.trim() ? wf.name : 'Unnamed workflow';
}

function stepTypeLabel(type) {
	const known = STEP_TYPES.find((t) => t.type === type);
	return known ? known.label.replace(/ \(.*\)$/, '') : type;
}

/* ---- Creating and editing a workflow ---- */

/* The trigger: shipped events, then reserved ones, disabled. */
function triggerField(wf) {
	const id = uid('trigger');
	const chosen = wf ? wf.trigger : EVENTS[0].name;

	return h('div', {class: 'field'},
	    h('label', {for: id}, 'Trigger'),
	    h('select', {id, name: 'trigger'},
		EVENTS.map((e) => h('option', {value: e.name,
		    selected: e.name === chosen}, `${e.name} — ${e.about}`)),
		RESERVED_EVENTS.map((name) => h('option', {value: name,
		    disabled: true}, `${name} (coming soon)`))));
}

/*
 * One step of the form: its type, its URL and the buttons that move or
 * remove it.  An existing step carries its id, so that saving keeps it
 * and its signing secret.
 */
function stepEditor(step, editor) {
	const typeId = uid('step-type');
	const urlId = uid('step-url');
	const hintId = uid('step-hint');
	const legend = h('legend');
	const url = h('input', {type: 'url', id: urlId, name: 'step-url',
	    required: true, autocomplete: 'off', spellcheck: 'false',
	    placeholder: 'https://example.com/hooks/pitchbar',
	    'aria-describedby': hintId, value: step ? step.url : ''});
	const up = button('Move up', () => editor.move(item, -1, up));
	const down = button('Move down', () => editor.move(item, 1, down));
	const remove = button('Remove', () => editor.remove(item),
	    'button danger');
	const item = h('li', {class: 'step-edit',
	    dataset: step ? {stepId: step.id} : null},
	    h('fieldset', null, legend,
		h('div', {class: 'step-fields'},
		    h('div', {class: 'field step-type'},
			h('label', {for: typeId}, 'Type'),
			h('select', {id: typeId, name: 'step-type'},
			    STEP_TYPES.map((t) => h('option', {value: t.type,
				disabled: t.disabled,
				selected: t.type === (step ? step.type :
				    'webhook')}, t.label)))),
		    h('div', {class: 'field step-url'},
			h('label', {for: urlId}, 'Webhook URL'), url,
			h('span', {class: 'hint', id: hintId}, step ?
			    'An existing step: it keeps its signing secret.' :
			    'A new step: it gets its own signing secret ' +
			    'when saved.'))),
		h('div', {class: 'actions step-actions'}, up, down, remove)));

	item.parts = {legend, url, up, down, remove};
	return item;
}

/* The ordered list of steps, with Add a step. */
function stepsEditor(wf) {
	const list = h('ol', {class: 'step-list'});
	const hintId = uid('steps-hint');
	const add = button('Add a step', () => {
		const item = stepEditor(null, editor);
		list.append(item);
		renumber();
		item.parts.url.focus();
	});
	const field = h('fieldset', {class: 'field steps-field',
	    'data-field': 'steps', 'aria-describedby': hintId},
	    h('legend', null, 'Steps'),
	    h('span', {class: 'hint', id: hintId}, 'They run in this order; ' +
		`each waits for the one before it. 1 to ${MAX_STEPS} steps.`),
	    list, h('div', {class: 'actions'}, add));

	function items() {
		return [...list.children];
	}

	/* Numbers the steps again and enables what may be done to each. */
	function renumber() {
		const all = items();

		all.forEach((item, i) => {
			const p = item.parts;
			p.legend.textContent = `Step ${i + 1}`;
			p.url.dataset.field = `steps[${i}]`;
			p.up.disabled = i === 0;
			p.down.disabled = i === all.length - 1;
			p.remove.disabled = all.length === 1;
		});
		add.disabled = all.length >= MAX_STEPS;
	}

	const editor = {
		field,
		move(item, by, pressed) {
			const all = items();
			const to = all.indexOf(item) + by;
			if (to < 0 || to >= all.length)
				return;
			if (by < 0)
				list.insertBefore(item, all[to]);
			else
				list.insertBefore(item, all[to].nextSibling);
			renumber();
			/* At an end the button is disabled: focus its twin. */
			const {up, down} = item.parts;
			const other = pressed === up ? down : up;
			(pressed.disabled ? other : pressed).focus();
		},
		remove(item) {
			const all = items();
			const at = all.indexOf(item);
			item.remove();
			renumber();
			const next = items()[Math.min(at, all.length - 2)];
			if (next)
				next.parts.url.focus();
		},
		/* The steps as the API takes them, in order. */
		value() {
			return items().map((item) => {
				const s = {
					type: item.querySelector(
					    'select[name="step-type"]').value,
					url: item.parts.url.value.trim(),
				};
				if (item.dataset.stepId)
					s.id = item.dataset.stepId;
				return s;
			});
		},
	};

	for (const step of wf ? wf.steps : [null])
		list.append(stepEditor(step, editor));
	renumber();
	return editor;
}

/* The create (wf null) or edit dialog; field errors stay in it. */
function workflowForm(wf) {
	const nameId = uid('name');
	const enabledId = uid('enabled');
	const steps = stepsEditor(wf);
	const fields = [
		h('div', {class: 'field'},
		    h('label', {for: nameId}, 'Name'),
		    h('input', {type: 'text', id: nameId, name: 'name',
			required: true, autofocus: true, autocomplete: 'off',
			placeholder: 'New lead to the CRM',
			value: wf ? wf.name : ''}),
		    h('span', {class: 'hint'}, '1 to 100 characters.')),
		triggerField(wf),
		h('div', {class: 'field'},
		    h('label', {class: 'check', for: enabledId},
			h('input', {type: 'checkbox', id: enabledId,
			    name: 'enabled', checked: wf ? wf.enabled : true}),
			h('span', null, 'Enabled: run on every trigger'))),
		steps.field,
	];

	formDialog({
		title: wf ? 'Edit workflow' : 'Create a workflow',
		fields,
		submitLabel: wf ? 'Save' : 'Create workflow',
		save(form) {
			const body = {
				name: form.elements.name.value.trim(),
				trigger: form.elements.trigger.value,
				enabled: form.elements.enabled.checked,
				steps: steps.value(),
			};
			return wf ? api('PATCH', wfPath(wf), body) :
			    api('POST', '/api/v1/workflows', body);
		},
		async done(saved) {
			await loadWorkflows();
			showStatus(pageStatus, wf ? 'Workflow saved.' :
			    'Workflow created. It runs on the next trigger; ' +
			    'its runs show in the run log below.');
			focusHeading(listPlace.querySelector(
			    `[data-workflow-id="${CSS.escape(saved.id)}"] h2`));
		},
	});
}

async function remove(wf, b, slot) {
	const yes = await confirmDialog({
		title: 'Delete this workflow?',
		text: [nameOf(wf), 'It stops running at once, and its steps\' ' +
		    'signing secrets are dropped. Its past runs stay in the ' +
		    'run log. This cannot be undone.'],
		confirm: 'Delete workflow',
		danger: true,
	});

	if (!yes)
		return;
	await busy(b, slot, async () => {
		await api('DELETE', wfPath(wf));
		await loadWorkflows();
		showStatus(pageStatus, 'Workflow deleted. Its runs stay in ' +
		    'the run log.');
	});
}

/* ---- One workflow ---- */

function stepLine(step, i, slot) {
	return h('li', {class: 'step', dataset: {stepId: step.id}},
	    h('div', {class: 'step-line'},
		h('span', {class: 'step-no'}, `Step ${i + 1}`),
		h('span', {class: 'badge'}, stepTypeLabel(step.type)),
		h('span', {class: 'mono step-target'}, step.url || '')),
	    manage && step.secret ? secretBlock(step.secret, slot) : null);
}

function workflowCard(wf) {
	const slot = h('div');
	const titleId = uid('workflow');
	const steps = wf.steps || [];

	return h('article', {class: 'card workflow',
	    dataset: {workflowId: wf.id}, 'aria-labelledby': titleId},
	    h('div', {class: 'card-head'},
		h('h2', {id: titleId}, nameOf(wf)),
		enabledBadge(wf.enabled)),
	    h('p', {class: 'meta'}, 'When ', h('code', null, wf.trigger),
		` · ${plural(steps.length, 'step')} · Updated `,
		timeEl(wf.updated_at)),
	    h('ol', {class: 'steps'}, steps.map((s, i) =>
		stepLine(s, i, slot))),
	    h('div', {class: 'actions'},
		button('Show its runs', () => runLog.only(wf.id)),
		manage ? [
			button('Edit', () => {
				clear(pageStatus);
				workflowForm(wf);
			}),
			button('Delete', (b) => remove(wf, b, slot),
			    'button danger'),
		] : null),
	    slot);
}

function renderWorkflows(list) {
	if (!list.length) {
		listPlace.replaceChildren(h('div', {class: 'empty'},
		    h('p', null, 'No workflows yet.'),
		    h('p', null, manage ?
			'Create one to send every new lead through a ' +
			'series of webhooks.' :
			'Owners and Admins can create one.')));
		return;
	}
	listPlace.replaceChildren(...list.map(workflowCard));
}

async function loadWorkflows() {
	clear(pageError);
	try {
		const list = await listAll('/api/v1/workflows');
		workflows = new Map(list.map((wf) => [wf.id, wf]));
		renderWorkflows(list);
		runLog.workflowsChanged();
	} catch (err) {
		listPlace.replaceChildren();
		showError(pageError, err);
	}
}

/* ---- The run log: what a step did, attempt by attempt ---- */

function attemptsLeft(run) {
	/* A lead's direct dispatch (no workflow) is not retried. */
	return run.workflow_id !== null;
}

/*
 * What became of a step, in one line that tells a step still being
 * retried from one that failed for good.
 */
function stepOutcome(step, retried) {
	const tries = step.attempts || [];
	const n = tries.length;
	const last = tries[n - 1];
	const of = ofMax(n, retried);

	switch (step.status) {
	case 'pending':
		return 'Waiting for the steps before it';
	case 'skipped':
		return 'Skipped: a step before it failed';
	case 'running':
		if (last && last.status === 'failed' && retried)
			return `Attempt ${n}${of} failed, retrying`;
		return n > 1 ? `Sending attempt ${n}${of}` : 'Sending';
	case 'succeeded':
		return n > 1 ? `Succeeded on attempt ${n}${of}` : 'Succeeded';
	case 'failed':
		if (n === 0)
			return 'Failed before it was sent';
		if (retried && n < MAX_ATTEMPTS)
			return `Failed after ${plural(n, 'attempt')}, ` +
			    'not retried';
		return `Failed after ${plural(n, 'attempt')}`;
	default:
		return step.status;
	}
}

/* " of 3" after an attempt's number, where automatic retries apply. */
function ofMax(n, retried) {
	return retried && n <= MAX_ATTEMPTS ? ` of ${MAX_ATTEMPTS}` : '';
}

function lowerFirst(text) {
	return text.charAt(0).toLowerCase() + text.slice(1);
}

/* The run in a line: where it stands and which step says why. */
function runGlance(run) {
	const steps = run.steps || [];
	const retried = attemptsLeft(run);
	const at = (s) => `Step ${steps.indexOf(s) + 1}`;
	const running = steps.find((s) => s.status === 'running');
	const failed = steps.filter((s) => s.status === 'failed');
	const retries = steps.filter((s) => (s.attempts || []).length > 1);

	if (!steps.length)
		return 'No steps';
	if (run.status === 'running' && running)
		return `${at(running)}: ${lowerFirst(stepOutcome(running,
		    retried))}`;
	if (run.status === 'failed' && failed.length === 1)
		return `${at(failed[0])} ${lowerFirst(stepOutcome(failed[0],
		    retried))}`;
	if (run.status === 'failed')
		return `${failed.length} of ${plural(steps.length, 'step')} ` +
		    'failed';
	if (run.status === 'succeeded') {
		const done = steps.length === 1 ? 'The step succeeded' :
		    `All ${steps.length} steps succeeded`;
		return retries.length ? `${done}; ${retries.map((s) =>
		    `${lowerFirst(at(s))} on attempt ${s.attempts.length}`)
		    .join(', ')}` : done;
	}
	return `${plural(steps.length, 'step')}`;
}

function runName(run) {
	if (run.workflow_id === null)
		return 'Webhook endpoints';
	const wf = workflows.get(run.workflow_id);
	return wf ? nameOf(wf) : 'Deleted workflow';
}

function attemptRow(a, i, retried) {
	return h('tr', {dataset: {deliveryId: a.delivery_id,
	    status: a.status}},
	    h('td', {'data-label': 'Attempt'},
		`${i + 1}${ofMax(i + 1, retried)}`),
	    h('td', {'data-label': 'Status'}, statusBadge(a.status)),
	    h('td', {'data-label': 'Code'}, statusCode(a)),
	    h('td', {'data-label': 'Error'}, errorText(a.error)),
	    h('td', {'data-label': 'Duration'},
		typeof a.duration_ms === 'number' ? `${a.duration_ms} ms` :
		    '—'),
	    h('td', {'data-label': 'Time'}, timeEl(a.at)),
	    h('td', null, a.delivery_id ? button('Details',
		() => deliveryDetail(a.delivery_id), 'button small') : null));
}

function runStep(step, i, run) {
	const retried = attemptsLeft(run);
	const tries = step.attempts || [];

	return h('li', {class: 'run-step', dataset: {stepId: step.id,
	    status: step.status}},
	    h('div', {class: 'step-line'},
		statusBadge(step.status),
		h('span', {class: 'step-no'}, `Step ${i + 1}`),
		h('span', {class: 'badge'}, stepTypeLabel(step.type)),
		h('span', {class: 'mono step-target'}, step.url || '')),
	    h('p', {class: `step-outcome ${stateTone(step.status)}`},
		stepOutcome(step, retried)),
	    tries.length ? h('div', {class: 'table-wrap'},
		h('table', {class: 'log attempts'},
		    h('thead', null, h('tr', null, ATTEMPT_COLUMNS.map(
			(t) => h('th', {scope: 'col'}, t)))),
		    h('tbody', null, tries.map((a, n) =>
			attemptRow(a, n, retried))))) : null);
}

/* One run: a heading that opens its steps and their attempts. */
function runItem(run, open, onToggle) {
	const bodyId = uid('run');
	const steps = run.steps || [];
	const toggle = h('button', {type: 'button', class: 'run-toggle',
	    'aria-expanded': String(open), 'aria-controls': bodyId},
	    h('span', {class: 'run-status'}, statusBadge(run.status)),
	    h('span', {class: 'run-name'}, runName(run)),
	    h('span', {class: 'run-glance'}, runGlance(run)),
	    h('span', {class: 'pips', 'aria-hidden': 'true'},
		steps.map((s, i) => h('span', {class:
		    `pip ${stateTone(s.status)}`, title: `Step ${i + 1}: ` +
		    stepOutcome(s, attemptsLeft(run))}, String(i + 1)))),
	    h('span', {class: 'run-time'}, timeEl(run.created_at)));
	const body = h('div', {class: 'run-body', id: bodyId, hidden: !open},
	    h('p', {class: 'meta'}, 'Run ', h('span', {class: 'mono'},
		run.id), ' · Event ', h('span', {class: 'mono'},
		run.event_id || '—'), ' · Updated ', timeEl(run.updated_at)),
	    steps.length ? h('ol', {class: 'run-steps'},
		steps.map((s, i) => runStep(s, i, run))) :
		h('p', {class: 'muted'}, 'This run has no steps.'));

	toggle.addEventListener('click', () => {
		const now = toggle.getAttribute('aria-expanded') !== 'true';
		toggle.setAttribute('aria-expanded', String(now));
		body.hidden = !now;
		onToggle(now);
	});
	return h('li', {class: 'run', dataset: {runId: run.id,
	    status: run.status}},
	    h('h3', {class: 'run-head'}, toggle), body);
}

/* Reads the run log's filters from the address, and writes them back. */
function filtersFromAddress() {
	const q = new URLSearchParams(location.search);
	const status = q.get('status') || '';

	return {
		workflow: q.get('workflow') || '',
		status: RUN_FILTERS.some(([v]) => v === status) ? status : '',
	};
}

function filtersToAddress(f) {
	const q = new URLSearchParams();

	if (f.workflow)
		q.set('workflow', f.workflow);
	if (f.status)
		q.set('status', f.status);
	const search = q.toString();
	history.replaceState(null, '', search ? `?${search}` :
	    location.pathname);
}

function makeRunLog() {
	const titleId = uid('runs-title');
	const wfId = uid('run-workflow');
	const statusId = uid('run-status');
	const slot = h('div');
	const body = h('div', {class: 'run-log'});
	const list = h('ol', {class: 'runs'});
	const wfSelect = h('select', {id: wfId, name: 'workflow'});
	const statusSelect = h('select', {id: statusId, name: 'status'},
	    RUN_FILTERS.map(([v, label]) => h('option', {value: v}, label)));
	const more = button('Show older runs', () => loadMore());
	const refreshButton = button('Refresh', () => refresh());
	const heading = h('h2', {id: titleId, tabindex: '-1'}, 'Run log');
	const section = h('section', {class: 'runs-section',
	    'aria-labelledby': titleId},
	    h('div', {class: 'section-head'}, heading, refreshButton),
	    h('form', {class: 'run-filters', role: 'search',
		'aria-label': 'Filter the run log'},
		h('div', {class: 'field'},
		    h('label', {for: wfId}, 'Workflow'), wfSelect),
		h('div', {class: 'field'},
		    h('label', {for: statusId}, 'Status'), statusSelect)),
	    slot, body, more);
	const expanded = new Set();
	/* The element of each run shown, and what it was drawn from. */
	const drawn = new Map();
	let filter = filtersFromAddress();
	let items = [];
	let cursor = null;
	let timer = null;
	let polls = 0;
	let loaded = false;

	more.hidden = true;
	statusSelect.value = filter.status;
	fillWorkflows();

	function query(extra = '') {
		const q = new URLSearchParams({limit: String(RUN_PAGE)});
		if (filter.workflow)
			q.set('workflow_id', filter.workflow);
		if (filter.status)
			q.set('status', filter.status);
		return `/api/v1/workflow-runs?${q}${extra}`;
	}

	/* The workflow choices: all, each workflow, a deleted one asked for. */
	function fillWorkflows() {
		const options = [h('option', {value: ''}, 'All workflows'),
		    [...workflows.values()].map((wf) => h('option',
			{value: wf.id}, nameOf(wf)))];
		if (filter.workflow && !workflows.has(filter.workflow))
			options.push(h('option', {value: filter.workflow},
			    'Deleted workflow'));
		wfSelect.replaceChildren(...options.flat());
		wfSelect.value = filter.workflow;
	}

	/*
	 * Draws the runs, making anew only those that changed, so that a
	 * poll neither steals the focus nor closes what was opened.
	 */
	function render() {
		if (!loaded)
			return;
		more.hidden = !cursor;
		if (!items.length) {
			drawn.clear();
			list.replaceChildren();
			body.replaceChildren(h('p', {class: 'empty'},
			    filter.workflow || filter.status ?
				'No runs match these filters.' : NO_RUNS));
			return;
		}
		if (list.parentNode !== body)
			body.replaceChildren(list);
		const focused = document.activeElement;
		let refocus = null;
		const nodes = items.map((run) => {
			const key = JSON.stringify([run, runName(run)]);
			const had = drawn.get(run.id);
			if (had && had.key === key)
				return had.node;
			const node = runItem(run, expanded.has(run.id),
			    (open) => open ? expanded.add(run.id) :
				expanded.delete(run.id));
			if (had && had.node.contains(focused))
				refocus = node.querySelector('.run-toggle');
			drawn.set(run.id, {key, node});
			return node;
		});
		const keep = new Set(nodes);
		for (const child of [...list.children]) {
			if (!keep.has(child))
				child.remove();
		}
		nodes.forEach((node, i) => {
			const there = list.children[i] || null;
			if (there !== node)
				list.insertBefore(node, there);
		});
		for (const id of [...drawn.keys()]) {
			if (!items.some((r) => r.id === id))
				drawn.delete(id);
		}
		if (refocus)
			refocus.focus();
	}

	/* While a run is under way, reads it again until it settles. */
	function poll() {
		clearTimeout(timer);
		if (!items.some((r) => r.status === 'running') ||
		    polls >= POLL_MAX)
			return;
		polls += 1;
		timer = setTimeout(async () => {
			if (!section.isConnected)
				return;
			try {
				const fresh = await Promise.all(items.map((r) =>
				    r.status === 'running' ? api('GET',
					`/api/v1/workflow-runs/${
					    encodeURIComponent(r.id)}`) : r));
				items = fresh;
				render();
			} catch (err) {
				showError(slot, err);
				return;
			}
			poll();
		}, POLL_MS);
	}

	/* Reloads the newest page. */
	async function refresh() {
		clearTimeout(timer);
		polls = 0;
		clear(slot);
		refreshButton.disabled = true;
		try {
			const page = await api('GET', query());
			items = page.data;
			cursor = page.next_cursor;
			loaded = true;
			render();
			poll();
		} catch (err) {
			showError(slot, err);
		} finally {
			refreshButton.disabled = false;
		}
	}

	async function loadMore() {
		await busy(more, slot, async () => {
			const page = await api('GET', query(
			    `&cursor=${encodeURIComponent(cursor)}`));
			const seen = new Set(items.map((r) => r.id));
			items = items.concat(page.data.filter(
			    (r) => !seen.has(r.id)));
			cursor = page.next_cursor;
			render();
			poll();
		});
	}

	function setFilter(next) {
		filter = next;
		filtersToAddress(filter);
		fillWorkflows();
		statusSelect.value = filter.status;
		refresh();
	}

	wfSelect.addEventListener('change', () =>
		setFilter({...filter, workflow: wfSelect.value}));
	statusSelect.addEventListener('change', () =>
		setFilter({...filter, status: statusSelect.value}));
	section.querySelector('form').addEventListener('submit',
	    (event) => event.preventDefault());

	return {
		section,
		refresh,
		/* The names may have changed: choices and runs again. */
		workflowsChanged() {
			fillWorkflows();
			render();
		},
		/* "Show its runs": this workflow's runs, whatever state. */
		only(id) {
			setFilter({workflow: id, status: ''});
			heading.focus();
			heading.scrollIntoView({block: 'start'});
		},
	};
}

/* ---- The page ---- */

const session = await startPage();
if (session) {
	manage = canManage(session);
	runLog = makeRunLog();
	if (manage)
		toolbar.append(button('Create workflow', () => {
			clear(pageStatus);
			workflowForm(null);
		}, 'button primary'));
	content.replaceChildren(listPlace, runLog.section);
	await loadWorkflows();
	await runLog.refresh();
}
