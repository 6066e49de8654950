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
	var counter = 0;

	function findScript() {
		var all = document.querySelectorAll('script[data-widget-key]');
		for (var i = 0; i < all.length; i++) {
			var s = all[i];
			if (s.src.indexOf(SCRIPT_PATH) !== -1 &&
			    !s.hasAttribute('data-pitchbar-mounted'))
				return s;
		}
		return null;
	}

	/* An element; text always as a text node, never as markup. */
	function el(tag, attrs, children) {
		var node = document.createElement(tag);
		var k;

		for (k in attrs || {}) {
			if (attrs[k] === null || attrs[k] === undefined ||
			    attrs[k] === false)
				continue;
			node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
		}
		(children || []).forEach(function (c) {
			if (c === null || c === undefined)
				return;
			node.appendChild(typeof c === 'string' ?
			    document.createTextNode(c) : c);
		});
		return node;
	}

	/* One key per submission, kept for its retries; UUID v4. */
	function newKey() {
		var c = window.crypto;
		var b, hex;

		if (c && typeof c.randomUUID === 'function')
			return c.randomUUID();
		b = new Uint8Array(16);
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
		return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' +
		    hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' +
		    hex.slice(20);
	}

	function addStyles(origin) {
		var href = origin + '/assets/widget.css';

		if (document.querySelector('link[data-pitchbar-widget]'))
			return;
		document.head.appendChild(el('link', {rel: 'stylesheet',
		    href: href, 'data-pitchbar-widget': ''}));
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

	function mount(script) {
		var key = script.getAttribute('data-widget-key') || '';
		var origin = new URL(script.src, location.href).origin;
		var url = origin + '/widget/v1/' + encodeURIComponent(key) +
		    '/leads';
		var n = ++counter;
		var inputs = {};
		var pendingKey = null;
		var sending = false;

		script.setAttribute('data-pitchbar-mounted', '');
		addStyles(origin);

		function field(name, label, type, attrs) {
			var id = 'pbw-' + n + '-' + name.replace(/[^\w-]/g, '_');
			var input;

			attrs = attrs || {};
			attrs.id = id;
			attrs.name = name;
			if (type === 'textarea') {
				attrs.rows = '4';
				input = el('textarea', attrs);
			} else {
				attrs.type = type;
				input = el('input', attrs);
			}
			input.className = 'pbw-input';
			inputs[name] = input;
			return el('div', {'class': 'pbw-field'}, [
				el('label', {'for': id, 'class': 'pbw-label'},
				    [label]),
				input,
			]);
		}

		var extra = customFields(script.getAttribute('data-fields'));
		var note = el('div', {'class': 'pbw-note', role: 'alert'});
		var submit = el('button', {type: 'submit',
		    'class': 'pbw-button'}, ['Send']);
		var form = el('form', {'class': 'pbw-form', novalidate: true,
		    'aria-label': 'Contact form'}, [
			field('name', 'Name', 'text',
			    {autocomplete: 'name', maxlength: '200'}),
			field('email', 'E-mail (required)', 'email',
			    {autocomplete: 'email', required: true,
				maxlength: '254'}),
			field('company', 'Company', 'text',
			    {autocomplete: 'organization', maxlength: '200'}),
		].concat(extra.map(function (f) {
			return field('fields.' + f.key, f.label, 'text',
			    {maxlength: '1000'});
		}), [
			field('message', 'Message', 'textarea',
			    {maxlength: '5000'}),
			note,
			submit,
		]));
		var done = el('div', {'class': 'pbw-done', role: 'status',
		    tabindex: '-1', hidden: true});
		var root = el('div', {'class': 'pbw'}, [form, done]);

		function clearErrors() {
			note.textContent = '';
			Object.keys(inputs).forEach(function (k) {
				var input = inputs[k];
				var old = input.parentNode.querySelector(
				    '.pbw-error');
				if (old)
					old.parentNode.removeChild(old);
				input.removeAttribute('aria-invalid');
				input.removeAttribute('aria-describedby');
			});
		}

		function fieldError(name, message) {
			var input = inputs[name] || inputs['fields.' + name];
			var id;

			if (!input)
				return false;
			id = input.id + '-error';
			input.setAttribute('aria-invalid', 'true');
			input.setAttribute('aria-describedby', id);
			input.parentNode.appendChild(el('p',
			    {'class': 'pbw-error', id: id}, [String(message)]));
			return true;
		}

		function showErrors(fields, fallback) {
			var rest = [];
			var first;

			Object.keys(fields || {}).forEach(function (k) {
				if (!fieldError(k, fields[k]))
					rest.push(k + ': ' + fields[k]);
			});
			note.textContent = rest.length ? rest.join(' ') :
			    fallback;
			first = form.querySelector('[aria-invalid="true"]');
			if (first)
				first.focus();
		}

		/* The lead: empty inputs left out, custom fields nested. */
		function collect() {
			var body = {fields: {}};

			Object.keys(inputs).forEach(function (k) {
				var v = inputs[k].value.trim();
				if (!v)
					return;
				if (k.indexOf('fields.') === 0)
					body.fields[k.slice(7)] = v;
				else
					body[k] = v;
			});
			if (!Object.keys(body.fields).length)
				delete body.fields;
			body.page_url = location.href.slice(0, 2048);
			return body;
		}

		function finish(ok) {
			sending = false;
			submit.disabled = false;
			submit.textContent = 'Send';
			if (!ok)
				return;
			pendingKey = null;
			form.hidden = true;
			done.textContent = 'Thank you! Your message was sent; ' +
			    'we will be in touch soon.';
			done.hidden = false;
			done.focus();
		}

		function answer(resp, body, tries) {
			return resp.text().then(function (text) {
				var data = null;
				var err;

				try {
					data = text ? JSON.parse(text) : null;
				} catch (e) {
					data = null;
				}
				if (resp.status === 200 || resp.status === 201) {
					finish(true);
					return;
				}
				err = (data && data.error) || {};
				/* The same submission still running: ask again. */
				if (resp.status === 409 &&
				    err.code === 'in_progress' && tries < 5) {
					setTimeout(function () {
						send(body, tries + 1);
					}, 1000);
					return;
				}
				finish(false);
				if (resp.status === 422)
					showErrors(err.fields,
					    'Please check the fields marked above.');
				else if (resp.status === 429)
					note.textContent = 'Too many messages ' +
					    'were sent from here; please try ' +
					    'again in a minute.';
				else if (resp.status === 413)
					note.textContent = 'This is too long; ' +
					    'please shorten the message.';
				else if (resp.status === 404)
					note.textContent = 'This form is not ' +
					    'set up correctly (unknown widget ' +
					    'key).';
				else
					note.textContent = 'Something went ' +
					    'wrong; please try again.';
			});
		}

		function send(body, tries) {
			return fetch(url, {
				method: 'POST',
				mode: 'cors',
				credentials: 'omit',
				headers: {
					'Content-Type': 'application/json',
					'Idempotency-Key': pendingKey,
				},
				body: JSON.stringify(body),
			}).then(function (resp) {
				return answer(resp, body, tries);
			}, function () {
				/* The key is kept: sending again is safe. */
				finish(false);
				note.textContent = 'The message could not be ' +
				    'sent. Check the connection and try again.';
			});
		}

		form.addEventListener('input', function () {
			/* Another body needs another key. */
			if (!sending)
				pendingKey = null;
		});
		form.addEventListener('submit', function (event) {
			var body;

			event.preventDefault();
			if (sending)
				return;
			clearErrors();
			body = collect();
			if (!body.email) {
				showErrors({email: 'Please give your e-mail ' +
				    'so that we can answer.'}, '');
				return;
			}
			sending = true;
			submit.disabled = true;
			submit.textContent = 'Sending…';
			if (!pendingKey)
				pendingKey = newKey();
			send(body, 0);
		});

		place(script, root);
	}

	/* Where the form goes: data-target, else right after the tag. */
	function place(script, root) {
		var target = script.getAttribute('data-target');
		var host = target ? document.querySelector(target) : null;

		if (host)
			host.appendChild(root);
		else if (script.parentNode &&
		    script.parentNode !== document.head)
			script.parentNode.insertBefore(root, script.nextSibling);
		else
			document.body.appendChild(root);
	}

	function start() {
		var script = document.currentScript || findScript();

		if (!script || script.hasAttribute('data-pitchbar-mounted'))
			return;
		/* An async tag may run before the page it goes into is parsed. */
		if (document.readyState === 'loading' && (!document.body ||
		    script.hasAttribute('data-target') ||
		    script.parentNode === document.head)) {
			document.addEventListener('DOMContentLoaded', function () {
				mount(script);
			});
			return;
		}
		mount(script);
	}

	start();
})();
