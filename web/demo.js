/*
 * /demo/{widget_key}: puts the embeddable form on the page with the same
 * one tag a customer's site would carry, and shows that tag for copying.
 * The page is static, so the key comes from its own address.
 */
import {copyText} from '/assets/app.js';

const part = location.pathname.split('/')[2] || '';
let key = '';
try {
	key = decodeURIComponent(part);
} catch {
	key = part;
}

const tag = document.createElement('script');
tag.src = '/widget/v1/widget.js';
tag.async = true;
tag.dataset.widgetKey = key;
document.getElementById('widget-slot').append(tag);

const snippet = `<script src="${location.origin}/widget/v1/widget.js" ` +
    `data-widget-key="${key}" async></script>`;
const status = document.getElementById('copy-status');
document.getElementById('snippet').textContent = snippet;
document.getElementById('copy-snippet').addEventListener('click',
    async () => {
	status.textContent = await copyText(snippet) ? 'Copied.' :
	    'The browser did not allow copying; select the tag and copy it.';
});
