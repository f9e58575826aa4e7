// Drive headless Chromium over the DevTools protocol (no packages: Node's
// built-in WebSocket, node --experimental-websocket on Node 20) to check
// a report made by mbr-report:
//   - every chart's SVG has drawn shapes;
//   - the page asks for nothing over the network and logs no error;
//   - clicking review decisions keeps them (a reload shows them again);
//   - "download decisions" saves decisions.csv into DIR;
//   - optionally a screenshot.
// usage: node --experimental-websocket cdp.js WS_URL REPORT DIR [PNG]
// Prints one line per check ("ok ..." or "FAIL ..."); exits 1 on a FAIL.
'use strict';
const fs = require('fs');
const path = require('path');

const [wsUrl, report, dir, png] = process.argv.slice(2);
let failed = 0;
function check(ok, what) {
	console.log((ok ? 'ok ' : 'FAIL ') + what);
	if (!ok)
		failed++;
}

const ws = new WebSocket(wsUrl);
let nextId = 1;
const waiting = new Map();
const listeners = [];
ws.onmessage = (ev) => {
	const m = JSON.parse(ev.data);
	if (m.id && waiting.has(m.id)) {
		const { resolve, reject } = waiting.get(m.id);
		waiting.delete(m.id);
		if (m.error)
			reject(new Error(JSON.stringify(m.error)));
		else
			resolve(m.result);
	} else if (m.method) {
		for (const l of listeners)
			l(m);
	}
};
function send(method, params = {}, sessionId) {
	const id = nextId++;
	const msg = { id, method, params };
	if (sessionId)
		msg.sessionId = sessionId;
	ws.send(JSON.stringify(msg));
	return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}
function once(method, timeoutMs) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('timeout waiting for ' + method)), timeoutMs);
		const l = (m) => {
			if (m.method === method) {
				clearTimeout(t);
				listeners.splice(listeners.indexOf(l), 1);
				resolve(m.params);
			}
		};
		listeners.push(l);
	});
}

async function main() {
	await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
	const requests = [];
	const errors = [];
	listeners.push((m) => {
		const p = m.params || {};
		if (m.method === 'Network.requestWillBeSent') {
			const u = p.request.url;
			if (!u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:'))
				requests.push(u);
		} else if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
			errors.push('console: ' + (p.args || []).map((a) => a.value || a.description).join(' '));
		} else if (m.method === 'Runtime.exceptionThrown') {
			errors.push('exception: ' + p.exceptionDetails.text + ' ' +
				((p.exceptionDetails.exception || {}).description || ''));
		} else if (m.method === 'Log.entryAdded' && p.entry.level === 'error') {
			errors.push('log: ' + p.entry.text);
		}
	});
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
	for (const d of ['Page', 'Runtime', 'Network', 'Log'])
		await send(d + '.enable', {}, s);
	await send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true });
	const url = 'file://' + path.resolve(report);
	const eval_ = async (expr) => {
		const r = await send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true }, s);
		if (r.exceptionDetails)
			throw new Error('evaluate: ' + r.exceptionDetails.text);
		return r.result.value;
	};
	let loaded = once('Page.loadEventFired', 30000);
	await send('Page.navigate', { url }, s);
	await loaded;

	const charts = await eval_(`Array.from(document.querySelectorAll('svg')).map(function (g) {
		var r = g.getBoundingClientRect();
		return { shapes: g.querySelectorAll('rect,line,path,circle,text').length, w: r.width, h: r.height };
	})`);
	check(charts.length >= 3, 'charts: ' + charts.length + ' SVGs');
	const empty = charts.filter((c) => !c.shapes || !(c.w > 0) || !(c.h > 0)).length;
	check(empty === 0, 'every SVG drawn (' + empty + ' empty)');
	const bars = await eval_(`document.querySelectorAll('svg.chart rect').length`);
	check(bars > 0, 'charts have bars (' + bars + ')');

	const n = await eval_(`document.querySelectorAll('.pair[data-review]').length`);
	check(n >= 1, 'review pairs in the page: ' + n);
	// The first pair: match; the second (if any): no match; the third: skip.
	const marks = ['match', 'no-match', 'skip'];
	for (let i = 0; i < Math.min(n, 3); i++) {
		const box = await eval_(`(function () {
			var b = document.querySelectorAll('.pair[data-review]')[${i}].querySelector('button[data-d="${marks[i]}"]');
			b.scrollIntoView({ block: 'center' });
			var r = b.getBoundingClientRect();
			return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
		})()`);
		for (const type of ['mousePressed', 'mouseReleased'])
			await send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 }, s);
	}
	const states = await eval_(`Array.from(document.querySelectorAll('.pair[data-review]')).slice(0, 3).map(function (p) { return p.getAttribute('data-decision'); })`);
	check(states.join(',') === marks.slice(0, Math.min(n, 3)).join(','), 'clicked decisions shown: ' + states.join(','));

	loaded = once('Page.loadEventFired', 30000);
	await send('Page.reload', {}, s);
	await loaded;
	const kept = await eval_(`Array.from(document.querySelectorAll('.pair[data-review]')).slice(0, 3).map(function (p) { return p.getAttribute('data-decision'); })`);
	check(kept.join(',') === states.join(','), 'decisions kept after a reload (localStorage): ' + kept.join(','));

	const done = new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('timeout waiting for the download')), 30000);
		const l = (m) => {
			if (m.method === 'Browser.downloadProgress' && m.params.state !== 'inProgress') {
				clearTimeout(t);
				listeners.splice(listeners.indexOf(l), 1);
				resolve(m.params.state);
			}
		};
		listeners.push(l);
	});
	await eval_(`document.getElementById('download').click()`);
	const state = await done;
	const file = path.join(dir, 'decisions.csv');
	check(state === 'completed' && fs.existsSync(file), 'download decisions: ' + state);

	if (png) {
		await send('Emulation.setDeviceMetricsOverride', { width: 900, height: 1300, deviceScaleFactor: 1, mobile: false }, s);
		await eval_(`window.scrollTo(0, 0)`);
		const shot = await send('Page.captureScreenshot', { format: 'png' }, s);
		fs.writeFileSync(png, Buffer.from(shot.data, 'base64'));
	}
	// A phone: nothing wider than the screen but the scrolling tables.
	await send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 2, mobile: true }, s);
	const wide = await eval_(`document.documentElement.scrollWidth`);
	check(wide <= 390, 'fits a phone: page width ' + wide + ' at 390');

	check(requests.length === 0, 'network requests: ' + requests.length + (requests.length ? ' ' + requests.join(' ') : ''));
	check(errors.length === 0, 'console errors: ' + errors.length + (errors.length ? ' ' + errors.join(' | ') : ''));
	await send('Target.closeTarget', { targetId });
	ws.close();
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
	console.log('FAIL ' + e.message);
	process.exit(1);
});
