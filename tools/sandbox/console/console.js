// The sandbox console: plain JavaScript, no build step. State arrives as server-sent events
// (/api/events, full state on every change; /api/state is polled if the stream breaks).
'use strict';

const $ = (id) => document.getElementById(id);
const view = {
    state: null,
    customerId: null,
    businessId: null,
    agentId: null,
    roomId: null,
    xFile: null,
    rcFile: null,
    debugLog: false,
    lastRender: {},
};

const esc = (s) =>
    String(s ?? '').replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
const time = (at) =>
    new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const initials = (name) =>
    String(name || '?')
        .split(/\s+/)
        .map((w) => w[0])
        .join('')
        .slice(0, 2)
        .toUpperCase();
const usd = (n) => `$${n.toFixed(3)}`;

/** The room's Omnichannel contact as Rocket.Chat keeps it: name, the X identity fields, channels, rooms. */
function contactHtml(contact) {
    if (!contact) return '';
    const fields = Object.entries(contact.customFields)
        .map(([k, v]) => `${esc(k)} <b>${esc(v)}</b>`)
        .join(' · ');
    return `<div class="muted small" id="room-contact">Contact <b>${esc(contact.name)}</b>${fields ? ` · ${fields}` : ''} · channel ${esc(contact.channels.join(', '))} · ${contact.rooms} conversation${contact.rooms === 1 ? '' : 's'}</div>`;
}

async function api(path, body) {
    const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
    return json;
}

function toast(message) {
    const el = $('toast');
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (el.hidden = true), 5000);
}

const guarded =
    (fn) =>
    async (...args) => {
        try {
            await fn(...args);
        } catch (e) {
            toast(e.message);
        }
    };

function readFile(file) {
    return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () =>
            resolve({
                name: file.name,
                type: file.type || 'application/octet-stream',
                base64: String(reader.result).split(',')[1] || '',
            });
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
    });
}

/**
 * Replaces a container's HTML only when it changed. A conversation (`stickToBottom`) stays scrolled to
 * its newest message unless the reader scrolled up, also when its images finish loading.
 */
function setHtml(el, html, stickToBottom) {
    if (view.lastRender[el.id] === html) return;
    view.lastRender[el.id] = html;
    el.innerHTML = html;
    if (!stickToBottom) return;
    if (!el.dataset.watched) {
        el.dataset.watched = '1';
        el.dataset.sticky = '1';
        el.addEventListener(
            'scroll',
            () => (el.dataset.sticky = el.scrollHeight - el.scrollTop - el.clientHeight < 40 ? '1' : ''),
        );
    }
    const follow = () => {
        if (el.dataset.sticky) el.scrollTop = el.scrollHeight;
    };
    follow();
    for (const media of el.querySelectorAll('img, video'))
        media.addEventListener(media.tagName === 'IMG' ? 'load' : 'loadedmetadata', follow);
}

function mediaHtml(url, type) {
    if (!url) return '';
    if (String(type).startsWith('video/')) return `<video src="${esc(url)}" controls muted></video>`;
    if (String(type).startsWith('image/'))
        return `<a href="${esc(url)}" target="_blank"><img src="${esc(url)}" alt="attachment"></a>`;
    return '';
}

// ---- rendering ---------------------------------------------------------------------------------

function render(state) {
    view.state = state;
    renderFacts(state);
    renderCustomer(state);
    renderAgent(state);
    renderSide(state);
}

function renderFacts(state) {
    const modes = { xaa: 'X Activity API webhook', aaa: 'Account Activity API webhook', polling: 'polling' };
    const faults = state.faults.filter((f) => f.active).map((f) => f.name);
    setHtml(
        $('facts'),
        [
            state.businesses.length > 1
                ? `businesses ${state.businesses.map((b) => `@${esc(b.username)} → ${esc(b.department)}`).join(', ')}`
                : `business @${esc(state.business.username)}`,
            `delivery: ${esc(modes[state.mode] || state.mode)}`,
            `auth: ${state.auth === 'oauth2' ? 'OAuth 2.0' : 'developer-portal tokens'}`,
            `X cost so far ${usd(state.ledger.usd)}`,
            faults.length ? `faults: ${esc(faults.join(', '))}` : '',
        ]
            .filter(Boolean)
            .map((f) => `<span>${f}</span>`)
            .join(''),
    );
}

function renderCustomer(state) {
    const select = $('customer-select');
    if (!state.customers.some((c) => c.id === view.customerId))
        view.customerId = state.customers.length ? state.customers[state.customers.length - 1].id : null;
    setHtml(
        select,
        state.customers.length
            ? state.customers
                  .map(
                      (c) =>
                          `<option value="${esc(c.id)}"${c.id === view.customerId ? ' selected' : ''}>${esc(c.name)} (@${esc(c.username)})</option>`,
                  )
                  .join('')
            : '<option value="">no simulated X user yet</option>',
    );
    select.value = view.customerId || '';
    // With several linked accounts the customer picks which business they write to (one X conversation each).
    if (!state.businesses.some((b) => b.id === view.businessId)) view.businessId = state.businesses[0].id;
    $('business-choice').hidden = state.businesses.length < 2;
    setHtml(
        $('business-select'),
        state.businesses
            .map(
                (b) =>
                    `<option value="${esc(b.id)}"${b.id === view.businessId ? ' selected' : ''}>@${esc(b.username)} (${esc(b.name)})</option>`,
            )
            .join(''),
    );
    $('business-select').value = view.businessId;
    const business = state.businesses.find((b) => b.id === view.businessId);
    const customer = state.customers.find((c) => c.id === view.customerId);
    setHtml(
        $('x-head'),
        customer
            ? `@${esc(business.username)} <span class="muted">· ${esc(business.name)} · as seen by @${esc(customer.username)}</span>`
            : '<span class="muted">Create an X user to write to the business</span>',
    );
    const messages = customer
        ? customer.dms
              .filter((dm) => dm.businessId === view.businessId)
              .map((dm) => {
                  const media = dm.media ? mediaHtml(dm.media.url, dm.media.contentType) : '';
                  return `<div class="bubble ${dm.fromCustomer ? 'mine' : 'theirs'}" data-dm="${esc(dm.id)}">${media}${esc(dm.text)}</div><div class="meta">${time(dm.at)}</div>`;
              })
              .join('') || '<div class="empty">No messages yet. Say hello to the business!</div>'
        : '<div class="empty">Choose or create a simulated X user.</div>';
    setHtml($('x-messages'), messages, true);
    $('x-send').disabled = !customer;
    $('poll-hint').hidden = state.mode !== 'polling';
}

function renderAgent(state) {
    // With several accounts each department has its agent: the switch shows the one chosen.
    if (!state.agents.some((a) => a.id === view.agentId)) view.agentId = state.agents[0].id;
    const agent = state.agents.find((a) => a.id === view.agentId);
    $('agent-select').hidden = state.agents.length < 2;
    $('agent-name').hidden = state.agents.length > 1;
    setHtml(
        $('agent-select'),
        state.agents
            .map(
                (a) =>
                    `<option value="${esc(a.id)}"${a.id === view.agentId ? ' selected' : ''}>${esc(a.name)} (${esc(a.department)})</option>`,
            )
            .join(''),
    );
    $('agent-select').value = view.agentId;
    $('agent-name').textContent = agent.name;
    $('agent-department').textContent = `Omnichannel agent · department ${agent.department}`;
    $('agent-online').checked = agent.online;
    $('agent-online-text').textContent = agent.online ? 'online' : 'offline';
    const several = state.businesses.length > 1;
    const accountTag = (r) =>
        several && r.account
            ? `<span class="account" data-testid="room-account">@${esc(r.account.username)}</span>`
            : '';
    const rooms = state.rooms;
    if (!rooms.some((r) => r.id === view.roomId)) {
        const open = rooms.filter((r) => r.open);
        view.roomId = (open[open.length - 1] || rooms[rooms.length - 1] || {}).id || null;
    }
    const item = (r) => {
        const last = [...r.messages].reverse().find((m) => m.role !== 'system');
        const preview = last ? last.text || (last.file ? `📎 ${last.file.name}` : '') : '';
        return `<button type="button" data-room="${esc(r.id)}" class="${r.id === view.roomId ? 'selected' : ''} ${r.open ? '' : 'closed'}">${esc(r.visitor.name)} ${accountTag(r)}<span class="preview">${esc(preview)}</span></button>`;
    };
    const open = rooms.filter((r) => r.open).reverse();
    const closed = rooms.filter((r) => !r.open).reverse();
    setHtml(
        $('rooms'),
        `<div class="section">Open (${open.length})</div>${open.map(item).join('')}${closed.length ? `<div class="section">Closed (${closed.length})</div>${closed.map(item).join('')}` : ''}`,
    );
    const room = rooms.find((r) => r.id === view.roomId);
    setHtml(
        $('room-head'),
        room
            ? `${esc(room.visitor.name)} <span class="badge ${room.open ? 'open' : ''}">${room.open ? 'open' : 'closed'}</span> <span class="muted small">X (Twitter)${room.account ? ` · with @${esc(room.account.username)}` : ''} · ${esc(room.department || 'no department')} · ${room.servedBy ? `served by ${esc(room.servedBy)}` : 'waiting for an agent'}</span>${contactHtml(room.contact)}`
            : '<span class="muted">No conversations yet</span>',
    );
    let html = '<div class="empty">When a customer DMs the business, the conversation appears here.</div>';
    if (room) {
        const items = [
            ...room.messages.map((m) => ({ at: m.at, html: messageHtml(m) })),
            ...room.notices.map((n) => ({
                at: n.at,
                html: `<div class="notice" title="Only you can see this message">🔒 ${esc(n.text)}</div>`,
            })),
        ].sort((a, b) => a.at - b.at);
        html = items.map((i) => i.html).join('');
    }
    setHtml($('room-messages'), html, true);
    const usable = !!room && room.open;
    for (const id of ['rc-send', 'rc-close', 'rc-text']) $(id).disabled = !usable;
}

function messageHtml(m) {
    if (m.role === 'system') {
        const labels = {
            'livechat-close': 'Conversation closed',
            'livechat-started': 'Conversation started',
            command: '',
        };
        const label = labels[m.kind] ?? m.kind;
        return label
            ? `<div class="system">${esc(label)}${m.text ? `: ${esc(m.text)}` : ''} · ${time(m.at)}</div>`
            : '';
    }
    const who = m.role === 'app' ? `${m.sender} (app)` : m.sender;
    const file = m.file
        ? mediaHtml(m.file.url, m.file.type) ||
          `<a href="${esc(m.file.url)}" target="_blank">📎 ${esc(m.file.name)}</a>`
        : '';
    return `<div class="msg ${m.role}" data-msg="${esc(m.id)}"><div class="avatar">${esc(initials(m.sender))}</div><div><span class="who">${esc(who)}</span> <span class="meta">${time(m.at)}</span>${file}<div class="text">${esc(m.text)}</div></div></div>`;
}

function renderSide(state) {
    const l = state.ledger;
    const p = l.unitPriceUsd;
    const row = (label, n, unit) =>
        `<tr><td>${label}</td><td class="num">${n}</td><td class="num muted">× ${usd(unit)}</td><td class="num">${usd(n * unit)}</td></tr>`;
    setHtml(
        $('ledger'),
        [
            row('dm.received webhook deliveries', l.dmReceivedDeliveries, p.dm_received_delivery),
            row('DMs created (sent)', l.dmCreates, p.dm_create),
            row('DM events read', l.dmEventReads, p.dm_event_read),
            ...(l.userReads ? [row('users looked up (/twitter dm)', l.userReads, p.user_read)] : []),
            `<tr class="total"><td>Total</td><td class="num">${l.dmReceivedDeliveries + l.dmCreates + l.dmEventReads + l.userReads}</td><td></td><td class="num" data-testid="cost">${usd(l.usd)}</td></tr>`,
        ].join(''),
    );

    $('status').textContent = state.status ? state.status.text : '(not run yet)';
    $('status-at').textContent = state.status ? `answered at ${time(state.status.at)}` : '';

    $('xlog-count').textContent = `(${state.xLogTotal})`;
    const statusClass = (s) => (s === undefined ? '' : s >= 200 && s < 300 ? 'st-ok' : 'st-bad');
    setHtml(
        $('xlog'),
        [...state.xLog]
            .reverse()
            .map(
                (r) => `<tr>
      <td class="t">${time(r.at)}</td>
      <td class="dir" title="${r.direction === 'api' ? 'the app calls X' : 'X calls the app (webhook)'}">${r.direction === 'api' ? 'app → X' : 'X → app'}</td>
      <td class="sum" title="${esc(r.summary)}">${esc(r.summary.length > 90 ? `${r.summary.slice(0, 90)}…` : r.summary)}${r.fault ? ` <b class="st-bad">[fault ${esc(r.fault)}]</b>` : ''}${r.state ? ` <span class="muted">${esc(r.state)}</span>` : ''}</td>
      <td class="${statusClass(r.status)}">${r.status ?? '…'}</td>
      <td title="billable units">${r.billableUnits ? `${r.billableUnits}u` : ''}</td></tr>`,
            )
            .join('') || '<tr><td class="muted">No traffic yet</td></tr>',
    );

    const lines = state.appLog.filter((r) => view.debugLog || r.severity !== 'debug');
    $('applog-count').textContent = `(${lines.length} shown)`;
    setHtml(
        $('applog'),
        [...lines]
            .reverse()
            .slice(0, 150)
            .map(
                (r) => `<tr>
      <td class="t">${time(r.at)}</td>
      <td class="sev-${esc(r.severity)}">${esc(r.severity)}</td>
      <td class="sum" title="${esc(r.method)}: ${esc(r.text)}">${esc(r.text.length > 160 ? `${r.text.slice(0, 160)}…` : r.text)}</td></tr>`,
            )
            .join('') ||
            '<tr><td class="muted">Nothing logged (warnings and errors appear here; tick "engine debug lines" for everything)</td></tr>',
    );

    setHtml(
        $('faults'),
        state.faults
            .map(
                (f) =>
                    `<label><input type="checkbox" data-fault="${esc(f.name)}"${f.active ? ' checked' : ''}> <b>${esc(f.name)}</b>: ${esc(f.description)}</label>`,
            )
            .join(''),
    );

    // One row per processor (jobs come sorted by next run): the next run, and how many are waiting.
    const now = Date.now();
    const jobs = new Map();
    for (const j of state.jobs) {
        const row = jobs.get(j.processorId);
        if (row) row.count++;
        else jobs.set(j.processorId, { ...j, count: 1 });
    }
    setHtml(
        $('jobs'),
        [...jobs.values()]
            .map((j) => {
                const due = Math.round((j.nextRunAt - now) / 1000);
                const name = j.processorId.replace(/_[0-9a-f-]{36}$/, '');
                return `<tr><td class="sum" title="${esc(j.processorId)}">${esc(name)}${j.count > 1 ? ` ×${j.count}` : ''}</td><td class="t">${due > 0 ? `in ${due} s` : 'due'}${j.intervalMs ? ` · every ${Math.round(j.intervalMs / 1000)} s` : ''}</td><td><button type="button" data-job="${esc(j.processorId)}">Run now</button></td></tr>`;
            })
            .join('') || '<tr><td class="muted">No jobs scheduled</td></tr>',
    );
}

// ---- actions -----------------------------------------------------------------------------------

function attachmentChip(el, file, clear) {
    el.hidden = !file;
    el.innerHTML = file
        ? `<span>📎 ${esc(file.name)} (${Math.ceil(file.size / 1024)} KB)</span><button type="button">✕</button>`
        : '';
    if (file) el.querySelector('button').onclick = clear;
}

function wire() {
    $('customer-select').onchange = (e) => {
        view.customerId = e.target.value;
        render(view.state);
    };
    $('new-customer').onsubmit = guarded(async (e) => {
        e.preventDefault();
        const username = $('new-username').value.trim();
        if (!username) throw new Error('Choose a username');
        const customer = await api('/api/customers', { username, name: $('new-name').value.trim() || undefined });
        view.customerId = customer.id;
        $('new-username').value = '';
        $('new-name').value = '';
        await refresh();
    });
    for (const button of document.querySelectorAll('[data-emoji]')) {
        button.onclick = () => {
            const input = $('x-text');
            const at = input.selectionStart ?? input.value.length;
            input.value = input.value.slice(0, at) + button.dataset.emoji + input.value.slice(input.selectionEnd ?? at);
            input.focus();
        };
    }
    const clearX = () => {
        view.xFile = null;
        $('x-file').value = '';
        attachmentChip($('x-attachment'), null);
    };
    $('x-file').onchange = (e) => {
        view.xFile = e.target.files[0] || null;
        attachmentChip($('x-attachment'), view.xFile, clearX);
    };
    $('x-composer').onsubmit = guarded(async (e) => {
        e.preventDefault();
        if (!view.customerId) throw new Error('Choose or create an X user first');
        const text = $('x-text').value;
        if (!text.trim() && !view.xFile) return;
        const file = view.xFile ? await readFile(view.xFile) : undefined;
        $('x-send').disabled = true;
        try {
            await api(`/api/customers/${encodeURIComponent(view.customerId)}/dms`, { text, file, to: view.businessId });
            $('x-text').value = '';
            clearX();
        } finally {
            $('x-send').disabled = false;
        }
    });
    $('poll-now').onclick = guarded(() => api('/api/jobs/x-poll-dm-events/run'));

    $('rooms').onclick = (e) => {
        const button = e.target.closest('[data-room]');
        if (!button) return;
        view.roomId = button.dataset.room;
        render(view.state);
    };
    const clearRc = () => {
        view.rcFile = null;
        $('rc-file').value = '';
        attachmentChip($('rc-attachment'), null);
    };
    $('rc-file').onchange = (e) => {
        view.rcFile = e.target.files[0] || null;
        attachmentChip($('rc-attachment'), view.rcFile, clearRc);
    };
    $('rc-composer').onsubmit = guarded(async (e) => {
        e.preventDefault();
        if (!view.roomId) return;
        const text = $('rc-text').value;
        const room = encodeURIComponent(view.roomId);
        if (view.rcFile) {
            await api(`/api/rooms/${room}/files`, { file: await readFile(view.rcFile), caption: text });
            clearRc();
        } else if (text.trim()) {
            await api(`/api/rooms/${room}/messages`, { text });
        } else {
            return;
        }
        $('rc-text').value = '';
    });
    $('rc-close').onclick = guarded(async () => {
        if (view.roomId) await api(`/api/rooms/${encodeURIComponent(view.roomId)}/close`);
    });
    $('agent-online').onchange = guarded((e) => api('/api/agent', { online: e.target.checked, agentId: view.agentId }));
    $('agent-select').onchange = (e) => {
        view.agentId = e.target.value;
        render(view.state);
    };
    $('business-select').onchange = (e) => {
        view.businessId = e.target.value;
        render(view.state);
    };

    $('status-run').onclick = guarded(() => api('/api/status'));
    $('applog-debug').onchange = (e) => {
        view.debugLog = e.target.checked;
        render(view.state);
    };
    $('faults').onchange = guarded((e) => {
        const name = e.target.dataset.fault;
        if (name) return api(`/api/faults/${encodeURIComponent(name)}`, { on: e.target.checked });
    });
    $('jobs').onclick = guarded((e) => {
        const job = e.target.closest('[data-job]');
        if (job) return api(`/api/jobs/${encodeURIComponent(job.dataset.job)}/run`);
    });
}

// ---- live updates ------------------------------------------------------------------------------

async function refresh() {
    const response = await fetch('/api/state');
    if (response.ok) render(await response.json());
}

function live(on, text) {
    $('live').className = `live ${on ? 'on' : 'off'}`;
    $('live-text').textContent = text;
}

function connect() {
    if (!window.EventSource) return poll();
    const events = new EventSource('/api/events');
    events.onopen = () => live(true, 'live');
    events.onmessage = (e) => {
        live(true, 'live');
        render(JSON.parse(e.data));
    };
    events.onerror = () => live(false, 'reconnecting…');
}

function poll() {
    live(true, 'polling');
    setInterval(() => refresh().catch(() => live(false, 'sandbox stopped?')), 1000);
    refresh();
}

wire();
connect();
