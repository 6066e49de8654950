/*
 * /login: e-mail and password to POST /api/v1/session, then on to the
 * page that sent the user here (an app page only) or the integrations.
 */
import {api, showError, waitText} from '/assets/app.js';

const form = document.getElementById('login-form');
const slot = document.getElementById('login-error');

/* Only a path of this app: never another site, whatever ?next= says. */
function nextPage() {
	const next = new URLSearchParams(location.search).get('next');

	if (next && /^\/app(\/|$)/.test(next) && !next.startsWith('//'))
		return next;
	return '/app/integrations';
}

function messageFor(err) {
	if (err.status === 401)
		return 'The e-mail or the password is wrong.';
	if (err.status === 429)
		return `Too many failed sign-ins. Try again in ${
		    waitText(err.retryAfter)}.`;
	return err.message;
}

form.addEventListener('submit', async (event) => {
	const button = form.querySelector('button[type="submit"]');

	event.preventDefault();
	slot.replaceChildren();
	button.disabled = true;
	try {
		await api('POST', '/api/v1/session', {
			email: form.elements.email.value.trim(),
			password: form.elements.password.value,
		});
		location.assign(nextPage());
	} catch (err) {
		showError(slot, {message: messageFor(err)});
		form.elements.password.select();
		form.elements.password.focus();
		button.disabled = false;
	}
});
