/**
 * The web view's script (`GET /app.js`), plain browser JavaScript without a framework: it opens the
 * server-sent events of `/api/events`, keeps the message list and the chain diagram up to date from them
 * without reloading, and shows a message in full (`/api/messages/:id`) when its row is chosen. Text from the
 * trace is only ever set with `textContent`; the diagram arrives already escaped (report/html-diagram.ts).
 * Rows carry `data-message`, `data-status` and `data-final`; verdict cells `data-link` and `data-verdict`
 * (or `data-received`), so tests and people with devtools can read the page.
 */
export const WEB_SCRIPT = String.raw`'use strict';
(function () {
  var LOCK = { 'tls-verified': 'closed', tls: 'closed', downgraded: 'open', plain: 'open', stripped: 'open', refused: 'refused', none: 'none' };
  var SVG = 'http://www.w3.org/2000/svg';
  var chain = null;
  var selected = null;
  var openLinks = {};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, String(attrs[k])); });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function icon(name, title) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'icon icon-' + name);
    svg.setAttribute('width', '16'); svg.setAttribute('height', '16'); svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', title);
    var use = document.createElementNS(SVG, 'use');
    use.setAttribute('href', '#icon-' + name);
    svg.appendChild(use);
    return svg;
  }
  function colour(v) {
    if (v === 'tls-verified' || v === 'encrypted-verified') return 'v-verified';
    if (v === 'tls' || v === 'encrypted' || v === 'held') return 'v-tls';
    if (v === 'refused' || v === 'none') return 'v-muted';
    return 'v-clear';
  }
  function linkWords(view) {
    if (view.received) return { lock: view.received === 'tls' ? 'closed' : 'open', cls: colour(view.received), text: 'received ' + (view.received === 'tls' ? 'over TLS' : 'in clear') };
    return { lock: LOCK[view.verdict], cls: colour(view.verdict), text: view.verdict + (view.disagreement ? ' ⚠' : '') };
  }
  function verdictCell(m, link) {
    var view = m.links.filter(function (l) { return l.link === link; })[0];
    if (!view) return el('td', { class: 'verdict v-muted', 'data-link': link, 'data-verdict': '' }, ['—']);
    var w = linkWords(view);
    var title = view.disagreement || (view.version ? view.version + ' ' + view.cipher : w.text);
    return el('td', { class: 'verdict ' + w.cls + (m.final ? '' : ' pending'), 'data-link': link, 'data-verdict': view.verdict, 'data-received': view.received, title: title }, [icon('lock-' + w.lock, w.text), ' ' + w.text]);
  }
  function statusText(m) {
    if (m.status === 'held' || m.status === 'bounced') return m.status + (m.stoppedAt ? ' at ' + m.stoppedAt.hop : '');
    if (m.status === 'deferred' && m.deferred) return 'deferred at ' + m.deferred.hop + ' (attempt ' + m.deferred.attempt + ')';
    return m.status === 'in-flight' ? 'in flight' : m.status;
  }
  function row(m) {
    var cells = [
      el('td', { class: 'mono' }, [m.id]), el('td', {}, [m.from || '']), el('td', {}, [(m.to || []).join(', ')]), el('td', {}, [m.subject || '']),
      el('td', { class: 'status status-' + m.status, title: m.stoppedAt ? m.stoppedAt.reply.text : (m.deferred ? m.deferred.reply : '') }, [statusText(m)]),
    ];
    chain.links.forEach(function (l) { cells.push(verdictCell(m, l.link)); });
    cells.push(el('td', { class: 'verdict ' + colour(m.endToEnd) + (m.final ? '' : ' pending'), 'data-end-to-end': m.endToEnd }, [m.endToEnd]));
    var tr = el('tr', { 'data-message': m.id, 'data-status': m.status, 'data-final': String(m.final), tabindex: '0', 'aria-selected': String(m.id === selected) }, cells);
    tr.addEventListener('click', function () { show(m.id); });
    tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') show(m.id); });
    return tr;
  }
  function upsert(m) {
    var body = document.querySelector('#messages tbody');
    var old = body.querySelector('tr[data-message="' + CSS.escape(m.id) + '"]');
    if (old) body.replaceChild(row(m), old); else body.appendChild(row(m));
    document.getElementById('no-messages').hidden = true;
    if (m.id === selected) show(m.id);
  }
  function renderChain(data) {
    chain = data.chain;
    document.getElementById('diagram').innerHTML = data.diagram.html;
    document.getElementById('diagram-rows').textContent = data.diagram.css;
  }
  function renderDsns(list) {
    var ul = document.getElementById('dsns');
    ul.replaceChildren.apply(ul, list.map(function (d) {
      return el('li', { 'data-message': d.messageId }, [d.messageId + ': ' + d.hop + ' gave up; DSN to ' + d.to + ' (' + d.reply.text + ')']);
    }));
    document.getElementById('no-dsns').hidden = list.length > 0;
  }
  function transcript(lines) {
    return el('pre', { class: 'transcript' }, lines.map(function (line, i) {
      var cls = line.indexOf('C: ') === 0 ? 'c' : line.indexOf('S: ') === 0 ? 's' : 'n';
      return el('span', { class: cls }, [line + (i < lines.length - 1 ? '\n' : '')]);
    }));
  }
  function connection(c) {
    var faults = c.wire && c.wire.faults.length ? el('ul', { class: 'faults' }, c.wire.faults.map(function (f) {
      return el('li', { 'data-fault': f.fault }, [f.fault + ': ' + (f.note || (f.action + ' ' + f.dir + (f.detail ? ' ' + f.detail : '')))]);
    })) : null;
    return el('div', { class: 'conn' }, [
      el('h4', {}, [c.title]), c.summary ? el('p', { class: 'note' }, [c.summary]) : null, transcript(c.transcript),
      el('div', { class: 'wire' }, [c.wire ? c.wire.summary : 'the wire recorded no connection for this session']), faults,
    ]);
  }
  function linkDetail(l) {
    var w = linkWords(l);
    var details = el('details', { class: 'link', 'data-link': l.link }, [
      el('summary', {}, [el('span', { class: w.cls }, [icon('lock-' + w.lock, w.text)]), ' ' + l.link + ' ', el('span', { class: w.cls }, [w.text]), el('span', { class: 'note' }, [l.connections.length + ' connection' + (l.connections.length === 1 ? '' : 's')])]),
      el('p', { class: 'note' }, [l.meaning]),
      l.disagreement ? el('p', { class: 'warning' }, ['⚠ ' + l.disagreement]) : null,
    ].concat(l.notes.map(function (n) { return el('p', { class: 'note' }, [n]); }), l.connections.map(connection), l.senderLog ? [
      el('div', { class: 'conn sender-log' }, [el('h4', {}, [l.senderLog.hop + "'s log (" + l.senderLog.engine + '): its own account, as a real engine records no sessions']), transcript(l.senderLog.lines)]),
    ] : []));
    details.open = Boolean(openLinks[l.link]);
    details.addEventListener('toggle', function () { openLinks[l.link] = details.open; });
    return details;
  }
  function headers(d) {
    if (!d.headers.length) return el('p', { class: 'empty' }, ['Not delivered yet: no Received headers to read.']);
    var rows = d.headers.map(function (h) {
      return el('tr', { class: h.agrees ? 'agree' : 'disagree', 'data-link': h.link, 'data-agrees': String(h.agrees) }, [
        el('td', {}, [h.agrees ? '✔' : '⚠']), el('td', { class: 'mono' }, [h.link]), el('td', {}, [h.said]), el('td', {}, [h.wire]), el('td', {}, [h.consequence || '']),
      ]);
    });
    return el('table', { class: 'headers' }, [el('thead', {}, [el('tr', {}, ['', 'link', 'the headers say', 'the wire saw', ''].map(function (t) { return el('th', {}, [t]); }))]), el('tbody', {}, rows)]);
  }
  function renderDetail(d) {
    var section = document.getElementById('detail');
    var envelope = 'from ' + (d.from || '?') + ' to ' + (d.to || ['?']).join(', ') + (d.subject ? ' · ' + d.subject : '');
    section.replaceChildren(
      el('h2', {}, ['Message ' + d.id + ' ', el('span', { class: 'status status-' + d.status }, [statusText(d)])]),
      el('p', {}, [envelope]),
      d.entry ? el('p', { class: 'note' }, ['Sent by hand to ' + d.entry.hop + ' (' + d.entry.link + '); end to end from ' + d.entry.hop + ' on: ' + d.endToEnd]) : el('p', { class: 'note' }, ['end to end: ' + d.endToEnd]),
      el('h3', {}, ['Links']), el('div', { id: 'detail-links' }, d.links.map(linkDetail)),
      el('h3', {}, ['Received headers against the wire']), headers(d),
      d.received.length ? el('ol', { class: 'received mono' }, d.received.map(function (r) { return el('li', {}, ['Received: ' + r]); })) : null,
      el('h3', {}, ['DSNs']),
      d.dsns.length ? el('ul', { class: 'dsns' }, d.dsns.map(function (x) { return el('li', {}, [x.hop + ' → ' + x.to + ': ' + x.reply.text]); })) : el('p', { class: 'empty' }, ['none']),
    );
    section.setAttribute('data-message', d.id);
    section.hidden = false;
  }
  function show(id) {
    if (selected !== id) openLinks = {};
    selected = id;
    document.querySelectorAll('#messages tbody tr').forEach(function (tr) { tr.setAttribute('aria-selected', String(tr.getAttribute('data-message') === id)); });
    fetch('/api/messages/' + encodeURIComponent(id)).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) { if (d && d.id === selected) renderDetail(d); });
  }

  var live = document.getElementById('live');
  var events = new EventSource('/api/events');
  events.addEventListener('open', function () { live.setAttribute('data-state', 'live'); live.textContent = 'live'; });
  events.addEventListener('error', function () { live.setAttribute('data-state', 'offline'); live.textContent = 'offline, reconnecting…'; });
  events.addEventListener('snapshot', function (e) {
    var s = JSON.parse(e.data);
    renderChain({ chain: s.chain, diagram: s.diagram });
    document.querySelector('#messages tbody').replaceChildren();
    s.messages.forEach(upsert);
    renderDsns(s.dsns);
  });
  events.addEventListener('message', function (e) { upsert(JSON.parse(e.data)); });
  events.addEventListener('chain', function (e) { renderChain(JSON.parse(e.data)); });
  events.addEventListener('dsns', function (e) { renderDsns(JSON.parse(e.data)); });
})();
`;
