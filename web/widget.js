/*
 * Pitchbar's embeddable lead form.  One tag, on any site:
 *
 *   <script src="https://HOST/widget/v1/widget.js"
 *           data-widget-key="wk_..." async></script>
 *
 * draws a small form where the tag stands (or inside the element that
 * data-target names, a CSS selector) and posts each lead as JSON to
 * HOST/widget/v1/<key>/leads, the origin the script came from.  Optional:
 * data-fields="budget:Budget,team_size:Team size" adds custom fields.
 * Its look comes from HOST/assets/widget.css; it needs nothing else.
 */
(function () {
	'use strict';

	var SCRIPT_PATH = '/widget/v1/widget.js';
	var PAGE_URL_MAX = 2048;
	var IN_PROGRESS_TRIES = 5;
	var FAILURES = {
		404: 'This form is not set up correctly (unknown widget key).',
		413: 'This is too long; please shorten the message.',
		429: 'Too many messages were sent from here; please try ' +
		    'again in a minute.',
	};
	var counter = 0;

	/* An element; text always as a text node, never as markup. */
	function el(tag, attrs, children) {
		var node = document.createElement(tag);

		Object.keys(attrs || {}).forEach(function (k) {
			var v = attrs[k];
			if (v !== null && v !== undefined && v !== false)
				node.setAttribute(k, v === true ? '' : v);
		});
		(children || []).forEach(function (c) {
			if (c !== null && c !== undefined)
				node.appendChild(typeof c === 'string' ?
				    document.createTextNode(c) : c);
		});
		return node;
	}

	/* One key per submission, kept for its retries: a UUID v4. */
	function newKey() {
		var c = window.crypto;
		var b = new Uint8Array(16);
		var hex;

		if (c && typeof c.randomUUID === 'function')
			return c.randomUUID();
		if (c && c.getRandomValues) {
			c.getRandomValues(b);
		} else {
			for (var i = 0; i < 16; i++)
				b[i] = Math.floor(Math.random() * 256);
		}
		b[6] = (b[6] & 0x0f) | 0x40;
		b[8] = (b[8] & 0x3f) | 0x80;
		hex = Array.prototype.map.call(b, function (x) {
			return (x + 0x100).toString(16).slice(1);
		}).join('');
		return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16),
		    hex.slice(16, 20), hex.slice(20)].join('-');
	}

	function addStyles(origin) {
		if (document.querySelector('link[data-pitchbar-widget]'))
			return;
		document.head.appendChild(el('link', {rel: 'stylesheet',
		    href: origin + '/assets/widget.css',
		    'data-pitchbar-widget': ''}));
	}

	/* "budget:Budget,team_size:Team size" -> [{key, label}]. */
	function customFields(spec) {
		return (spec || '').split(',').map(function (part) {
			var at = part.indexOf(':');
			var key = (at === -1 ? part : part.slice(0, at)).trim();
			var label = at === -1 ? key : part.slice(at + 1).trim();
			return {key: key, label: label || key};
		}).filter(function (f) {
			return f.key.length > 0 && f.key.length <= 64;
		});
	}

	/* A labelled input of widget w, remembered in w.inputs by name. */
	function field(w, name, label, type, attrs) {
		var id = 'pbw-' + w.n + '-' + name.replace(/[^\w-]/g, '_');
		var input;

		attrs.id = id;
		attrs.name = name;
		attrs['class'] = 'pbw-input';
		if (type === 'textarea') {
			attrs.rows = '4';
			input = el('textarea', attrs);
		} else {
			attrs.type = type;
			input = el('input', attrs);
		}
		w.inputs[name] = input;
		return el('div', {'class': 'pbw-field'}, [
			el('label', {'for': id, 'class': 'pbw-label'}, [label]),
			input,
		]);
	}

	function buildForm(w, extra) {
		var fields = [
			field(w, 'name', 'Name', 'text',
			    {autocomplete: 'name', maxlength: '200'}),
			field(w, 'email', 'E-mail (required)', 'email',
			    {autocomplete: 'email', required: true,
				maxlength: '254'}),
			field(w, 'company', 'Company', 'text',
			    {autocomplete: 'organization', maxlength: '200'}),
		];

		extra.forEach(function (f) {
			fields.push(field(w, 'fields.' + f.key, f.label, 'text',
			    {maxlength: '1000'}));
		});
		fields.push(field(w, 'message', 'Message', 'textarea',
		    {maxlength: '5000'}));
		w.note = el('div', {'class': 'pbw-note', role: 'alert'});
		w.submit = el('button', {type: 'submit', 'class': 'pbw-button'},
		    ['Send']);
		w.form = el('form', {'class': 'pbw-form', novalidate: true,
		    'aria-label': 'Contact form'},
		    fields.concat([w.note, w.submit]));
		w.done = el('div', {'class': 'pbw-done', role: 'status',
		    tabindex: '-1', hidden: true});
		return el('div', {'class': 'pbw'}, [w.form, w.done]);
	}

	function clearErrors(w) {
		w.note.textContent = '';
		Object.keys(w.inputs).forEach(function (k) {
			var input = w.inputs[k];
			var old = input.parentNode.querySelector('.pbw-error');

			if (old)
				old.parentNode.removeChild(old);
			input.removeAttribute('aria-invalid');
			input.removeAttribute('aria-describedby');
		});
	}

	/* Field messages by their inputs; the others, or fallback, below. */
	function showErrors(w, fields, fallback) {
		var rest = [];
		var first;

		Object.keys(fields || {}).forEach(function (k) {
			var input = w.inputs[k] || w.inputs['fields.' + k];
			var id;

			if (!input) {
				rest.push(k + ': ' + fields[k]);
				return;
			}
			id = input.id + '-error';
			input.setAttribute('aria-invalid', 'true');
			input.setAttribute('aria-describedby', id);
			input.parentNode.appendChild(el('p',
			    {'class': 'pbw-error', id: id},
			    [String(fields[k])]));
		});
		w.note.textContent = rest.length ? rest.join(' ') : fallback;
		first = w.form.querySelector('[aria-invalid="true"]');
		if (first)
			first.focus();
	}

	/* The lead: empty inputs left out, custom fields nested. */
	function collect(w) {
		var body = {fields: {}};

		Object.keys(w.inputs).forEach(function (k) {
			var v = w.inputs[k].value.trim();

			if (!v)
				return;
			if (k.indexOf('fields.') === 0)
				body.fields[k.slice(7)] = v;
			else
				body[k] = v;
		});
		if (!Object.keys(body.fields).length)
			delete body.fields;
		body.page_url = location.href.slice(0, PAGE_URL_MAX);
		return body;
	}

	function finish(w, ok) {
		w.sending = false;
		w.submit.disabled = false;
		w.submit.textContent = 'Send';
		if (!ok)
			return;
		w.pendingKey = null;
		w.form.hidden = true;
		w.done.textContent = 'Thank you! Your message was sent; ' +
		    'we will be in touch soon.';
		w.done.hidden = false;
		w.done.focus();
	}

	function answer(w, resp, text, body, tries) {
		var data = null;
		var err;

		try {
			data = text ? JSON.parse(text) : null;
		} catch (e) {
			data = null;
		}
		if (resp.status === 200 || resp.status === 201) {
			finish(w, true);
			return;
		}
		err = (data && data.error) || {};
		/* The same submission is still being handled: ask again. */
		if (resp.status === 409 && err.code === 'in_progress' &&
		    tries < IN_PROGRESS_TRIES) {
			setTimeout(function () {
				send(w, body, tries + 1);
			}, 1000);
			return;
		}
		finish(w, false);
		if (resp.status === 422)
			showErrors(w, err.fields,
			    'Please check the fields marked above.');
		else
			w.note.textContent = FAILURES[resp.status] ||
			    'Something went wrong; please try again.';
	}

	function send(w, body, tries) {
		fetch(w.url, {
			method: 'POST',
			mode: 'cors',
			credentials: 'omit',
			headers: {
				'Content-Type': 'application/json',
				'Idempotency-Key': w.pendingKey,
			},
			body: JSON.stringify(body),
		}).then(function (resp) {
			return resp.text().then(function (text) {
				answer(w, resp, text, body, tries);
			});
		}).catch(function () {
			/* The key is kept, so that sending again is safe. */
			finish(w, false);
			w.note.textContent = 'The message could not be sent. ' +
			    'Check the connection and try again.';
		});
	}

	function onSubmit(w, event) {
		var body;

		event.preventDefault();
		if (w.sending)
			return;
		clearErrors(w);
		body = collect(w);
		if (!body.email) {
			showErrors(w, {email: 'Please give your e-mail so ' +
			    'that we can answer.'}, '');
			return;
		}
		w.sending = true;
		w.submit.disabled = true;
		w.submit.textContent = 'Sending…';
		if (!w.pendingKey)
			w.pendingKey = newKey();
		send(w, body, 0);
	}

	/* Where the form goes: data-target, else right after the tag. */
	function place(script, root) {
		var target = script.getAttribute('data-target');
		var host = target ? document.querySelector(target) : null;

		if (host)
			host.appendChild(root);
		else if (script.parentNode &&
		    script.parentNode !== document.head)
			script.parentNode.insertBefore(root,
			    script.nextSibling);
		else
			document.body.appendChild(root);
	}

	function mount(script) {
		var key = script.getAttribute('data-widget-key') || '';
		var origin = new URL(script.src, location.href).origin;
		var w = {
			n: ++counter,
			url: origin + '/widget/v1/' + encodeURIComponent(key) +
			    '/leads',
			inputs: {},
			pendingKey: null,
			sending: false,
		};
		var root;

		script.setAttribute('data-pitchbar-mounted', '');
		addStyles(origin);
		root = buildForm(w, customFields(
		    script.getAttribute('data-fields')));
		w.form.addEventListener('input', function () {
			/* Another body needs another key. */
			if (!w.sending)
				w.pendingKey = null;
		});
		w.form.addEventListener('submit', function (event) {
			onSubmit(w, event);
		});
		place(script, root);
	}

	function findScript() {
		var all = document.querySelectorAll('script[data-widget-key]');

		for (var i = 0; i < all.length; i++) {
			if (all[i].src.indexOf(SCRIPT_PATH) !== -1 &&
			    !all[i].hasAttribute('data-pitchbar-mounted'))
				return all[i];
		}
		return null;
	}

	function start() {
		var script = document.currentScript || findScript();
		var early;

		if (!script || script.hasAttribute('data-pitchbar-mounted'))
			return;
		/* An async tag may run before its page is parsed. */
		early = document.readyState === 'loading' &&
		    (!document.body || script.hasAttribute('data-target') ||
			script.parentNode === document.head);
		if (early)
			document.addEventListener('DOMContentLoaded',
			    function () {
				    mount(script);
			    });
		else
			mount(script);
	}

	start();
})();
