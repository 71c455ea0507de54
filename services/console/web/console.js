// The review console: the live alert queue, the alert view and the review actions.
//
// Data flow: GET /api/me (who am I; 401 -> the sign-in page), GET /api/queues (the filter), GET
// /api/alerts (the first page and the current sequence), then the WebSocket /api/stream?after_seq=N.
// The stream first sends a catch-up of every change after N, then the new or changed alerts, a
// batch per message ({"type":"alerts"}; {"type":"alert"} from earlier servers is accepted). The
// page keeps the highest sequence it has seen and reconnects with it, with exponential backoff,
// so a dropped connection loses nothing. Opening an alert (GET /api/alerts/{id}) is audited by the
// server as a view; the review actions POST /api/alerts/{id}/disposition with a required comment.
//
// Safety: every piece of data reaches the page through textContent or attribute values set one
// by one (el() below); nothing is ever parsed as HTML. The page runs under CSP default-src 'self':
// no inline script or style, widths are set through the CSSOM. State-changing requests carry
// X-Crosscheck-Request: 1 (the server's CSRF check for cookie sessions).
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // Small helpers

  // Builds an element. `props`: {className, text, attrs: {name: value}, dataset: {k: v}}.
  // Children: nodes, strings (become text nodes), or null/undefined (skipped).
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      if (props.className) node.className = props.className;
      if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
      if (props.attrs) {
        Object.keys(props.attrs).forEach(function (k) {
          var v = props.attrs[k];
          if (v === null || v === undefined || v === false) return;
          if (/^on/i.test(k) || k === 'style') throw new Error('el(): refusing attribute ' + k);
          node.setAttribute(k, v === true ? '' : String(v));
        });
      }
      if (props.dataset) {
        Object.keys(props.dataset).forEach(function (k) { node.dataset[k] = String(props.dataset[k]); });
      }
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(id) { return document.getElementById(id); }
  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function str(v) { return v === null || v === undefined ? '' : String(v); }

  var SEVERITY_LABEL = { high: 'High', medium: 'Medium', low: 'Low' };
  var SEVERITY_RANK = { high: 3, medium: 2, low: 1 };
  var STATUS_LABEL = {
    'new': 'New', escalated: 'Escalated', confirmed_match: 'Confirmed match', false_positive: 'False positive'
  };
  var ACTION_LABEL = { confirmed_match: 'Confirmed match', false_positive: 'False positive', escalate: 'Escalated' };
  var MATCHED_ON_LABEL = {
    document_number: 'Document number', iban: 'IBAN', bic: 'BIC', imo: 'IMO number',
    crypto_address: 'Crypto address', name: 'Name'
  };
  var HOW_LABEL = {
    exact: 'exact', nickname: 'nickname', initial: 'initial', phonetic: 'phonetic', typo: 'spelling',
    unmatched: 'not matched', jaro_winkler: 'similar spelling', similar: 'similar spelling'
  };
  var FEATURE_LABEL = {
    name: 'Name score', token_order: 'Token order', short_name: 'Short name', common_name: 'Common name',
    weak_alias: 'Weak alias', date_of_birth: 'Date of birth', nationality: 'Nationality', gender: 'Gender',
    country: 'Country', document_number: 'Document number', iban: 'IBAN', bic: 'BIC', imo: 'IMO number',
    crypto_address: 'Crypto address'
  };
  var SUBJECT_FIELDS = [
    ['name', 'Name'], ['date_of_birth', 'Date of birth'], ['nationality', 'Nationality'], ['gender', 'Gender'],
    ['document_number', 'Document number'], ['iban', 'IBAN'], ['bic', 'BIC'], ['imo', 'IMO number']
  ];
  var MASKED = '[masked]';

  function humanize(code) {
    var s = str(code).replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function fmtScore(v) {
    var n = Number(v);
    return isFinite(n) ? n.toFixed(3) : '–';
  }

  function fmtSigned(v) {
    var n = Number(v);
    if (!isFinite(n)) return '–';
    if (n > 0) return '+' + n.toFixed(3);
    if (n < 0) return '\u2212' + Math.abs(n).toFixed(3);
    return '0.000';
  }

  // Server clock minus browser clock (ms), from the Date header, so ages do not drift with a
  // workstation clock that is off. Only applied when the difference is noticeable.
  var clockOffsetMs = 0;
  function noteServerDate(headers) {
    var d = Date.parse(headers.get('Date') || '');
    if (!isFinite(d)) return;
    var off = d - Date.now();
    clockOffsetMs = Math.abs(off) > 2000 ? off : 0;
  }
  function serverNow() { return Date.now() + clockOffsetMs; }

  function parseTime(text) {
    var t = Date.parse(str(text));
    return isFinite(t) ? t : null;
  }

  function fmtAge(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    if (h < 48) return h + ' h';
    return Math.floor(h / 24) + ' d';
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  // "2026-11-21 08:00:00 UTC": operational logs and other agencies work in UTC.
  function fmtUtc(t) {
    if (t === null) return '–';
    var d = new Date(t);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' UTC';
  }

  function alertTime(a) {
    var t = parseTime(a.published_at);
    if (t === null) t = parseTime(a.received_at);
    return t;
  }

  function reasonText(a) {
    if (a.reason_code === 'rule_match') return 'Rule: ' + str(a.rule_id) + ' v' + str(a.rule_version);
    if (a.reason_code === 'watchlist_match') return 'Watchlist: ' + (a.list_id ? a.list_id : str(a.rule_id));
    return humanize(a.reason_code);
  }

  function severityChip(sev) {
    var known = SEVERITY_LABEL[sev] ? sev : 'unknown';
    return el('span', { className: 'sev sev-' + known, dataset: { severity: str(sev) } }, [
      el('span', { className: 'sev-bars', attrs: { 'aria-hidden': 'true' } }, [el('i'), el('i'), el('i')]),
      el('span', { className: 'sev-text', text: SEVERITY_LABEL[sev] || humanize(sev) || 'Unknown' })
    ]);
  }

  function statusChip(status) {
    return el('span', { className: 'status status-' + str(status).replace(/[^a-z_]/g, ''), dataset: { status: str(status) },
                        text: STATUS_LABEL[status] || humanize(status) });
  }

  // ---------------------------------------------------------------------------------------------
  // API

  function goToLogin() { window.location.replace('/login.html'); }

  // Resolves {status, ok, data, headers}; rejects only when the server cannot be reached. A 401
  // means the session ended (expired, signed out elsewhere, account disabled): back to sign-in.
  function api(method, path, body) {
    var headers = { 'Accept': 'application/json' };
    var init = { method: method, credentials: 'same-origin', headers: headers, cache: 'no-store' };
    if (method !== 'GET' && method !== 'HEAD') {
      headers['X-Crosscheck-Request'] = '1';
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    return fetch(path, init).then(function (r) {
      noteServerDate(r.headers);
      if (r.status === 401 && path !== '/api/logout') {
        goToLogin();
        return new Promise(function () {});  // the page is going away
      }
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: r.status, ok: r.ok, data: data, headers: r.headers };
      });
    });
  }

  function errorText(res, fallback) {
    if (res && isObject(res.data) && typeof res.data.error === 'string' && res.data.error) return res.data.error;
    return fallback + ' (HTTP ' + (res ? res.status : '?') + ')';
  }

  var toastTimer = null;
  function toast(text, kind) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (kind ? ' toast-' + kind : '');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 5000);
  }

  // ---------------------------------------------------------------------------------------------
  // State

  var state = {
    me: null,
    queues: [],
    alerts: new Map(),   // flag_id -> summary
    seq: 0,              // highest sequence seen (REST or stream)
    fresh: new Map(),    // flag_id -> time it arrived live (highlighted for a while)
    selectedId: null,
    detail: null,        // {alert, flag, dispositions} of the selected alert
    unmasked: null,      // the original flag of the selected alert, after a supervisor unmasked it
    detailLoading: false,
    filters: { queue: '', severity: '', status: 'open' },
    ws: null,
    wsAttempt: 0,
    reconnectAt: 0,
    reconnectTimer: null
  };

  function isSupervisor() { return !!state.me && (state.me.roles || []).indexOf('supervisor') >= 0; }
  function mayReview() {
    var roles = (state.me && state.me.roles) || [];
    return roles.indexOf('officer') >= 0 || roles.indexOf('supervisor') >= 0;
  }

  // Stores a summary unless we already hold a newer state of the same alert.
  function upsert(summary, live) {
    if (!isObject(summary) || typeof summary.flag_id !== 'string') return false;
    // state.seq (where a reconnect resumes) moves only with the server's own resume points
    // (msg.seq): pushes arrive out of sequence order, so an alert's seq is no safe resume point.
    var seq = Number(summary.seq) || 0;
    var old = state.alerts.get(summary.flag_id);
    if (old && (Number(old.seq) || 0) > seq) return false;
    state.alerts.set(summary.flag_id, summary);
    if (live && !old) state.fresh.set(summary.flag_id, Date.now());
    if (summary.flag_id === state.selectedId && state.detail &&
        (Number(state.detail.alert && state.detail.alert.seq) || 0) < seq) {
      // Someone (maybe another officer) changed the open alert: show its current state.
      refreshDetail();
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Queue table

  function matchesFilters(a) {
    var f = state.filters;
    if (f.queue && a.queue !== f.queue) return false;
    if (f.severity && a.severity !== f.severity) return false;
    if (f.status === 'open') {
      if (a.status !== 'new' && a.status !== 'escalated') return false;
    } else if (f.status && a.status !== f.status) {
      return false;
    }
    return true;
  }

  function visibleAlerts() {
    var list = [];
    state.alerts.forEach(function (a) { if (matchesFilters(a)) list.push(a); });
    // Newest first; ties by sequence so the order is stable.
    list.sort(function (x, y) {
      var tx = alertTime(x) || 0, ty = alertTime(y) || 0;
      if (tx !== ty) return ty - tx;
      return (Number(y.seq) || 0) - (Number(x.seq) || 0);
    });
    return list;
  }

  var rowCache = new Map();  // flag_id -> {tr, seq, fresh, selected}

  function buildRow(a) {
    var tr = el('tr', { className: 'alert-row', attrs: { tabindex: '-1', 'aria-selected': 'false' },
                        dataset: { flagId: a.flag_id } });
    var masked = !!a.masked || a.subject_name === MASKED;
    var subject = el('td', { className: 'col-subject', attrs: { title: str(a.subject_name) + (a.subject_role ? ' (' + a.subject_role + ')' : '') } }, [
      el('span', { className: 'subject-name' + (masked ? ' masked' : ''), text: a.subject_name || '–' })
    ]);
    var reason = reasonText(a);
    var age = el('td', { className: 'col-age num age' });
    tr.appendChild(el('td', { className: 'col-sev' }, [severityChip(a.severity)]));
    tr.appendChild(subject);
    var colon = reason.indexOf(': ');
    tr.appendChild(el('td', { className: 'col-reason', attrs: { title: reason } }, colon > 0 ? [
      el('span', { className: 'reason-kind', text: reason.slice(0, colon + 1) }), ' ',
      el('span', { className: 'reason-text', text: reason.slice(colon + 2) })
    ] : [reason]));
    tr.appendChild(el('td', { className: 'col-queue', text: a.queue }));
    tr.appendChild(el('td', { className: 'col-score num', text: fmtScore(a.score),
                              attrs: { title: Number(a.score) >= 1 ? 'an identifier was equal' : 'name match score' } }));
    tr.appendChild(el('td', { className: 'col-status' }, [statusChip(a.status)]));
    tr.appendChild(age);
    updateAge(tr, a);
    return tr;
  }

  function updateAge(tr, a) {
    var cell = tr.lastChild;
    var t = alertTime(a);
    var text = t === null ? '–' : fmtAge(serverNow() - t);
    if (cell.textContent !== text) cell.textContent = text;
    var title = t === null ? '' : 'published ' + fmtUtc(t);
    if (cell.getAttribute('title') !== title) cell.setAttribute('title', title);
  }

  var renderScheduled = false;
  function scheduleRender() {
    if (renderScheduled) return;
    renderScheduled = true;
    window.requestAnimationFrame(function () { renderScheduled = false; renderTable(); });
  }

  var FRESH_MS = 8000;

  function renderTable() {
    var body = $('alerts-body');
    var list = visibleAlerts();
    var now = Date.now();
    var keep = new Set();
    var prev = null;
    list.forEach(function (a) {
      keep.add(a.flag_id);
      var cached = rowCache.get(a.flag_id);
      var freshSince = state.fresh.get(a.flag_id);
      var fresh = freshSince !== undefined && now - freshSince < FRESH_MS;
      if (!cached || cached.seq !== a.seq || cached.summary !== a) {
        var tr = buildRow(a);
        if (cached && cached.tr.parentNode) cached.tr.parentNode.replaceChild(tr, cached.tr);
        var hadFocus = cached && document.activeElement === cached.tr;
        cached = { tr: tr, seq: a.seq, summary: a };
        rowCache.set(a.flag_id, cached);
        if (hadFocus) tr.focus();
      }
      var tr2 = cached.tr;
      tr2.classList.toggle('is-fresh', fresh);
      var selected = a.flag_id === state.selectedId;
      tr2.classList.toggle('is-selected', selected);
      tr2.setAttribute('aria-selected', selected ? 'true' : 'false');
      var expected = prev ? prev.nextSibling : body.firstChild;
      if (expected !== tr2) body.insertBefore(tr2, expected);
      prev = tr2;
    });
    rowCache.forEach(function (c, id) {
      if (!keep.has(id)) {
        if (c.tr.parentNode) c.tr.parentNode.removeChild(c.tr);
        rowCache.delete(id);
      }
    });
    // Roving tab stop: the selected row, else the first one.
    var stop = (state.selectedId && rowCache.get(state.selectedId)) || (list.length ? rowCache.get(list[0].flag_id) : null);
    rowCache.forEach(function (c) { c.tr.setAttribute('tabindex', c === stop ? '0' : '-1'); });

    var openCount = 0;
    state.alerts.forEach(function (a) { if (a.status === 'new') openCount += 1; });
    $('queue-count').textContent = list.length + ' shown · ' + openCount + ' awaiting review';
    document.title = (openCount ? '(' + openCount + ') ' : '') + 'Crosscheck review console';
    var empty = $('queue-empty');
    if (list.length === 0) {
      empty.textContent = state.alerts.size === 0
        ? 'No alerts in your queues yet. New alerts appear here as they arrive.'
        : 'No alerts match these filters.';
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }
  }

  function tickAges() {
    rowCache.forEach(function (c) { updateAge(c.tr, c.summary); });
    var now = Date.now();
    var expired = false;
    state.fresh.forEach(function (t, id) { if (now - t >= FRESH_MS) { state.fresh.delete(id); expired = true; } });
    if (expired) scheduleRender();
    var detailAge = $('detail-age');
    if (detailAge && state.detail && state.detail.alert) {
      var t = alertTime(state.detail.alert);
      detailAge.textContent = t === null ? '' : fmtAge(serverNow() - t) + ' ago';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stream

  function setConn(kind, text) {
    var c = $('conn');
    c.className = 'conn conn-' + kind;
    c.dataset.state = kind;
    $('conn-text').textContent = text;
  }

  function streamUrl() {
    var proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return proto + '//' + window.location.host + '/api/stream?after_seq=' + encodeURIComponent(String(state.seq));
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    setConn('connecting', state.wsAttempt ? 'Reconnecting…' : 'Connecting…');
    var ws;
    try {
      ws = new WebSocket(streamUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.addEventListener('open', function () {
      if (state.ws !== ws) return;
      state.wsAttempt = 0;
      setConn('live', 'Live');
    });
    ws.addEventListener('message', function (event) {
      if (state.ws !== ws) return;
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (!isObject(msg)) return;
      if (msg.type === 'catchup') {
        if (msg.reset === true) {
          // We were away for longer than the server keeps changes for: start again from the
          // newest alerts it sends rather than show a mix of stale and current states.
          state.alerts.clear();
          state.seq = 0;
        }
        (Array.isArray(msg.alerts) ? msg.alerts : []).forEach(function (a) { upsert(a, msg.reset !== true); });
        var s = Number(msg.seq) || 0;
        if (s > state.seq) state.seq = s;
        scheduleRender();
      } else if (msg.type === 'alerts' || msg.type === 'alert' || msg.type === 'seq') {
        var changed = false;
        if (msg.type === 'alerts') {
          (Array.isArray(msg.alerts) ? msg.alerts : []).forEach(function (a) {
            if (upsert(a, true)) changed = true;
          });
        } else if (msg.type === 'alert') {
          changed = upsert(msg.alert, true);
        }
        // The resume point moves with the message's own seq only (see upsert).
        var r = Number(msg.seq) || 0;
        if (r > state.seq) state.seq = r;
        if (changed) scheduleRender();
      }
    });
    ws.addEventListener('close', function (ev) {
      if (state.ws !== ws) return;
      state.ws = null;
      // 4401: the server found the sign-in expired or revoked, or this account's queues changed.
      // A reload signs in again or starts over with the new queues; what is shown now is stale.
      if (ev.code === 4401) { window.location.reload(); return; }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    state.wsAttempt += 1;
    // 0.5 s, 1 s, 2 s ... up to 15 s, with jitter so that a restarted server is not hit by every
    // browser at the same instant.
    var base = Math.min(15000, 500 * Math.pow(2, state.wsAttempt - 1));
    var delay = Math.round(base * (0.75 + Math.random() * 0.5));
    state.reconnectAt = Date.now() + delay;
    updateReconnectText();
    state.reconnectTimer = setTimeout(connect, delay);
    if (state.wsAttempt >= 2) {
      // Perhaps the session ended rather than the network: api() sends us to sign-in on 401.
      api('GET', '/api/me').catch(function () {});
    }
  }

  function updateReconnectText() {
    if (!state.reconnectTimer && state.reconnectAt <= Date.now()) return;
    var left = Math.max(0, Math.ceil((state.reconnectAt - Date.now()) / 1000));
    setConn(state.wsAttempt > 3 ? 'offline' : 'reconnecting',
            (state.wsAttempt > 3 ? 'Offline · retrying in ' : 'Reconnecting in ') + left + ' s');
  }

  function reconnectNow() {
    if (state.ws || !state.reconnectTimer) return;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    connect();
  }

  // ---------------------------------------------------------------------------------------------
  // Alert view

  function section(title, children, extraClass) {
    return el('section', { className: 'd-section' + (extraClass ? ' ' + extraClass : '') }, [
      el('h3', { className: 'd-title', text: title })
    ].concat(children));
  }

  function dl(rows, className) {
    var list = el('dl', { className: 'kv' + (className ? ' ' + className : '') });
    rows.forEach(function (r) {
      if (!r) return;
      var value = r[1];
      var valueNode = value instanceof Node ? value : el('span', {
        className: (r[2] || '') + (value === MASKED ? ' masked' : ''), text: value === '' || value === null || value === undefined ? '–' : value
      });
      list.appendChild(el('dt', { text: r[0] }));
      list.appendChild(el('dd', null, [valueNode]));
    });
    return list;
  }

  // A compact grid of label-over-value fields. Items: [label, value (string or node), options]
  // with options {wide: spans two columns, mono: identifier font}.
  function fields(items, className) {
    var grid = el('div', { className: 'fields' + (className ? ' ' + className : '') });
    items.forEach(function (it) {
      if (!it) return;
      var opts = it[2] || {};
      var v = it[1];
      var valueNode = v instanceof Node ? v : el('span', {
        className: 'field-value' + (opts.mono ? ' mono' : '') + (v === MASKED ? ' masked' : ''),
        text: v === '' || v === null || v === undefined ? '–' : v
      });
      if (v instanceof Node) valueNode.classList.add('field-value');
      grid.appendChild(el('div', { className: 'field' + (opts.wide ? ' field-wide' : '') }, [
        el('span', { className: 'field-label', text: it[0] }), valueNode
      ]));
    });
    return grid;
  }

  function table(headers, rows, className) {
    var thead = el('thead', null, [el('tr', null, headers.map(function (h) {
      return el('th', { attrs: { scope: 'col' }, className: h.className || '', text: h.label });
    }))]);
    var tbody = el('tbody', null, rows.map(function (cells) {
      return el('tr', null, cells.map(function (c, i) {
        var cls = headers[i].className || '';
        if (c instanceof Node) return el('td', { className: cls }, [c]);
        return el('td', { className: cls, text: c === '' || c === null || c === undefined ? '–' : c });
      }));
    }));
    return el('table', { className: 'mini' + (className ? ' ' + className : '') }, [thead, tbody]);
  }

  function scoreBar(score) {
    var n = Math.max(0, Math.min(1, Number(score) || 0));
    var fill = el('span', { className: 'bar-fill' });
    fill.style.width = (n * 100).toFixed(1) + '%';
    return el('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } }, [fill]);
  }

  function contributionCell(value) {
    var n = Number(value);
    var cls = !isFinite(n) || n === 0 ? 'contrib-zero' : n > 0 ? 'contrib-up' : 'contrib-down';
    var word = !isFinite(n) || n === 0 ? '' : n > 0 ? 'raises' : 'lowers';
    return el('span', { className: 'contrib ' + cls, attrs: { title: word ? word + ' the score' : '' } }, [
      el('span', { className: 'contrib-value', text: fmtSigned(n) }),
      word ? el('span', { className: 'sr-only', text: ' (' + word + ' the score)' }) : null
    ]);
  }

  function renderExplanation(expl, flag) {
    var nodes = [];
    if (!isObject(expl)) return nodes;
    var q = str(expl.query_name), l = str(expl.listed_name);
    if (q || l) {
      nodes.push(el('div', { className: 'name-pair' }, [
        el('div', { className: 'name-side' }, [
          el('span', { className: 'name-label', text: 'Name in the event' }),
          el('span', { className: 'name-value' + (q === MASKED ? ' masked' : ''), text: q || '–' })
        ]),
        el('span', { className: 'name-arrow', text: '\u2192', attrs: { 'aria-hidden': 'true' } }),
        el('div', { className: 'name-side' }, [
          el('span', { className: 'name-label',
                       text: (expl.alias ? 'Listed alias' : 'Listed name') +
                             (expl.list_version !== undefined ? ' · list v' + expl.list_version : '') }),
          el('span', { className: 'name-value' + (l === MASKED ? ' masked' : ''), text: l || '–' })
        ])
      ]));
    }
    var tokens = Array.isArray(expl.tokens) ? expl.tokens : [];
    if (tokens.length) {
      nodes.push(el('h4', { className: 'd-subtitle', text: 'How the name parts met' }));
      nodes.push(table(
        [{ label: 'Event token' }, { label: 'Listed token' }, { label: 'How' },
         { label: 'Similarity', className: 'num' }, { label: 'Weight', className: 'num' }],
        tokens.map(function (t) {
          var how = str(t.how);
          return [str(t.query), str(t.listed), HOW_LABEL[how] || humanize(how),
                  t.similarity === undefined ? '' : fmtScore(t.similarity),
                  t.weight === undefined ? '' : fmtScore(t.weight)];
        }), 'tokens'));
    }
    var features = Array.isArray(expl.features) ? expl.features : [];
    if (features.length) {
      nodes.push(el('h4', { className: 'd-subtitle', text: 'What each feature contributed' }));
      nodes.push(table(
        [{ label: 'Feature' }, { label: 'Contribution', className: 'num' }, { label: 'Detail' }],
        features.map(function (f) {
          return [FEATURE_LABEL[f.feature] || humanize(f.feature), contributionCell(f.contribution), str(f.detail)];
        }), 'features'));
    }
    if (expl.summary) {
      nodes.push(el('h4', { className: 'd-subtitle', text: 'The matcher\'s summary' }));
      nodes.push(el('p', { className: 'expl-summary mono', text: expl.summary }));
    }
    return nodes;
  }

  function renderWhy(flag) {
    var reason = isObject(flag.reason) ? flag.reason : {};
    var nodes = [];
    var wl = isObject(flag.watchlist) ? flag.watchlist : null;
    var rows = [];
    var matched = Array.isArray(reason.matched_on) ? reason.matched_on : [];
    if (reason.score !== undefined) {
      var certain = Number(reason.score) >= 1 && matched.some(function (m) { return m !== 'name'; });
      rows.push(['Score', el('span', { className: 'score-line' }, [
        el('strong', { className: 'score-value', text: fmtScore(reason.score) }), scoreBar(reason.score),
        el('span', { className: 'muted small', text: certain ? 'an identifier was equal' : 'name score, after corroboration' })
      ]), { wide: true }]);
    }
    rows.push(['Matched on', matched.length ? el('span', { className: 'tags' }, matched.map(function (m) {
      return el('span', { className: 'tag' + (m === 'name' ? '' : ' tag-strong'), text: MATCHED_ON_LABEL[m] || humanize(m) });
    })) : (reason.code === 'rule_match' ? 'the rule\'s condition' : '')]);
    if (wl) {
      rows.push(['Listed entry', el('span', null, [
        el('span', { className: wl.entry_name === MASKED ? 'masked' : '', text: str(wl.entry_name) }), ' ',
        el('span', { className: 'mono muted small', text: str(wl.entry_id) })
      ]), { wide: true }]);
      rows.push(['Watchlist', str(wl.list_id) + ' v' + str(wl.list_version)]);
    }
    nodes.push(fields(rows, 'fields-why'));
    if (isObject(reason.explanation)) {
      nodes = nodes.concat(renderExplanation(reason.explanation, flag));
    } else if (flag.masked || (state.detail && state.detail.alert && state.detail.alert.masked && !state.unmasked)) {
      nodes.push(el('p', { className: 'muted', text: 'The explanation was removed when this alert was depersonalised.' }));
    } else if (reason.code === 'rule_match') {
      nodes.push(el('p', { className: 'muted', text: 'The rule\'s condition held for this event; it has no watchlist explanation. ' +
        'The rule text is printed by crosscheck rules show ' + str(flag.rule && flag.rule.id) + ' ' + str(flag.rule && flag.rule.version) + '.' }));
    }
    var eventFields = Array.isArray(flag.event_fields) ? flag.event_fields : [];
    if (eventFields.length) {
      nodes.push(el('h4', { className: 'd-subtitle', text: 'Event fields the rule declared' }));
      nodes.push(table([{ label: 'Field' }, { label: 'Value' }], eventFields.map(function (f) {
        return [str(f.field), str(f.value)];
      }), 'fields'));
    }
    return nodes;
  }

  function renderDetail() {
    var body = $('detail-body');
    var actions = $('detail-actions');
    var keepComment = $('review-comment') ? $('review-comment').value : '';
    var scroll = body.scrollTop;
    clear(body);
    clear(actions);
    if (!state.detail) {
      $('detail-placeholder').hidden = false;
      body.hidden = true;
      actions.hidden = true;
      return;
    }
    $('detail-placeholder').hidden = true;
    body.hidden = false;
    actions.hidden = false;

    var d = state.detail;
    var a = d.alert || {};
    var flag = state.unmasked || (isObject(d.flag) ? d.flag : {});
    var subject = isObject(flag.subject) ? flag.subject : {};
    var masked = !!a.masked && !state.unmasked;
    var name = masked ? MASKED : (subject.name || a.subject_name || '–');

    var head = el('div', { className: 'd-head' }, [
      el('div', { className: 'd-head-row' }, [
        el('h2', { className: 'd-name' + (name === MASKED ? ' masked' : ''), attrs: { id: 'detail-name' }, text: name }),
        el('div', { className: 'd-chips' }, [
          severityChip(a.severity || flag.severity), statusChip(a.status),
          masked ? el('span', { className: 'tag tag-masked', text: 'Depersonalised' }) : null,
          state.unmasked ? el('span', { className: 'tag tag-unmasked', text: 'Unmasked for you' }) : null
        ])
      ]),
      el('p', { className: 'd-meta' }, [
        el('span', { text: humanize(subject.role || a.subject_role) }),
        ' · ', el('span', { text: humanize(a.kind || (flag.source && flag.source.kind)) + ' ' + str(flag.source && flag.source.event_id) }),
        ' · ', el('span', { text: 'queue ' + str(a.queue || flag.queue) }),
        ' · ', el('span', { attrs: { id: 'detail-age' } })
      ])
    ]);
    body.appendChild(head);

    if (state.unmasked) {
      body.appendChild(el('p', { className: 'notice notice-warn', text: 'Shown unmasked to you only; your reason is in the audit ' +
        'trail. The alert stays depersonalised for everyone else and will be masked again when you leave it.' }));
    } else if (a.masked) {
      body.appendChild(el('p', { className: 'notice', text: 'Depersonalised after the retention period: names, dates of birth, ' +
        'documents and accounts were replaced. Statistics and the review history remain.' }));
    }

    // The name is the heading above; the grid holds the rest of the minimal identity.
    var subjRows = SUBJECT_FIELDS.filter(function (f) { return f[0] !== 'name' && subject[f[0]] !== undefined && subject[f[0]] !== null; })
      .map(function (f) {
        // Shown as the server sent it: a depersonalised flag already holds "[masked]" values.
        var mono = f[0] === 'document_number' || f[0] === 'iban' || f[0] === 'bic' || f[0] === 'imo';
        return [f[1], str(subject[f[0]]), mono ? 'mono' : ''];
      });
    if (!subjRows.length) subjRows.push(['Name', name]);
    body.appendChild(section('Subject (minimal data from the event)', [fields(subjRows.map(function (r) {
      return [r[0], r[1], { mono: r[2] === 'mono' }];
    }), 'fields-subject')], 'd-subject'));

    body.appendChild(section('Why this was flagged', renderWhy(flag), 'd-why'));

    var rule = isObject(flag.rule) ? flag.rule : {};
    body.appendChild(section('Rule and legal basis', [dl([
      ['Rule', el('span', null, [el('span', { className: 'mono', text: str(rule.id || a.rule_id) }),
                                 ' ', el('span', { className: 'tag', text: 'v' + str(rule.version || a.rule_version) })])],
      ['Legal basis', str(rule.legal_basis)],
      ['Digest', str(rule.digest), 'mono small']
    ])], 'd-rule'));

    var lists = Array.isArray(flag.lists) ? flag.lists : [];
    body.appendChild(section('Watchlist versions in force', [lists.length
      ? el('div', { className: 'tags' }, lists.map(function (l) { return el('span', { className: 'tag', text: str(l.list_id) + ' v' + str(l.version) }); }))
      : el('p', { className: 'muted', text: 'None recorded.' })], 'd-lists'));

    var warnings = Array.isArray(flag.warnings) ? flag.warnings : [];
    if (warnings.length) {
      body.appendChild(section('Event warnings', [el('p', { className: 'muted small', text:
        'Problems in the event that did not reject it. They concern the event, not necessarily this subject.' }),
        el('ul', { className: 'warnings' }, warnings.map(function (w) {
          return el('li', null, [el('span', { className: 'warn-code', text: humanize(w.code) }), ' ',
            el('span', { className: 'mono small', text: str(w.path) }), el('div', { text: str(w.message) })]);
        }))], 'd-warnings'));
    }

    var src = isObject(flag.source) ? flag.source : {};
    var times = isObject(flag.times) ? flag.times : {};
    body.appendChild(section('Source and times', [dl([
      ['Event', humanize(src.kind || a.kind) + ' ' + str(src.event_id)],
      ['Kafka record', src.topic ? str(src.topic) + ' / ' + str(src.partition) + ' / ' + str(src.offset) : '', 'mono small'],
      ['Event time', times.event_time ? fmtUtc(parseTime(times.event_time)) : ''],
      ['Published', fmtUtc(parseTime(times.published_at || a.published_at))],
      ['Received', fmtUtc(parseTime(a.received_at))],
      ['Screener', str(flag.screener), 'mono small'],
      ['Flag id', str(a.flag_id || flag.flag_id), 'mono small']
    ])], 'd-source'));

    var disps = Array.isArray(d.dispositions) ? d.dispositions : [];
    body.appendChild(section('Review history', [disps.length
      ? el('ol', { className: 'history', attrs: { id: 'review-history' } }, disps.map(function (x) {
          return el('li', { className: 'history-item', dataset: { action: str(x.action) } }, [
            el('div', { className: 'history-head' }, [
              el('span', { className: 'status status-' + (x.action === 'escalate' ? 'escalated' : str(x.action).replace(/[^a-z_]/g, '')),
                           text: ACTION_LABEL[x.action] || humanize(x.action) }),
              el('span', { className: 'history-actor', text: str(x.actor) }),
              el('span', { className: 'muted small', text: fmtUtc(parseTime(x.at)) })
            ]),
            el('p', { className: 'history-comment', text: str(x.comment) })
          ]);
        }))
      : el('p', { className: 'muted', attrs: { id: 'review-history' }, text: 'No decision recorded yet.' })], 'd-history'));

    renderActions(actions, a, keepComment);
    body.scrollTop = scroll;
    tickAges();
  }

  function renderActions(box, a, keepComment) {
    box.appendChild(el('p', { className: 'lead-note' }, [
      el('strong', { text: 'This flag is a lead for your review, not a decision.' }),
      ' Check it, then decide.'
    ]));
    if (!mayReview()) return;
    var label = el('label', { className: 'comment-label', attrs: { 'for': 'review-comment' }, text: 'Your reasons (required for every decision)' });
    var comment = el('textarea', { className: 'comment', attrs: {
      id: 'review-comment', rows: '3', maxlength: '2000', required: true,
      placeholder: 'What you checked and why, e.g. "Date of birth and document number differ from the listed person."'
    } });
    comment.value = keepComment || '';
    var buttons = [
      ['confirmed_match', 'Confirmed match', 'btn-danger'],
      ['false_positive', 'False positive', 'btn-neutral'],
      ['escalate', 'Escalate', 'btn-warn']
    ].map(function (b) {
      var btn = el('button', { className: 'btn ' + b[2], attrs: { type: 'button', id: 'action-' + b[0] },
                               dataset: { action: b[0] }, text: b[1] });
      btn.addEventListener('click', function () { submitDisposition(b[0], btn); });
      return btn;
    });
    var hint = el('p', { className: 'action-hint muted small', attrs: { id: 'action-hint' } });
    function sync() {
      var empty = comment.value.trim() === '';
      buttons.forEach(function (btn) { btn.disabled = empty; });
      hint.textContent = empty ? 'Type your reasons to enable the decisions.'
        : 'Recorded with your name and the time, published to flags.dispositions and audited.';
    }
    comment.addEventListener('input', sync);
    box.appendChild(label);
    box.appendChild(el('div', { className: 'decide' }, [
      comment, el('div', { className: 'action-buttons', attrs: { role: 'group', 'aria-label': 'Decision' } }, buttons)
    ]));
    var error = el('div', { className: 'form-error', attrs: { id: 'action-error', role: 'alert' } });
    error.hidden = true;
    box.appendChild(error);
    box.appendChild(hint);
    sync();

    if (a.masked) {
      if (isSupervisor() && !state.unmasked) {
        box.appendChild(renderUnmask(a));
      } else if (!isSupervisor()) {
        box.appendChild(el('p', { className: 'muted small', text: 'Only a supervisor can unmask a depersonalised alert, with a recorded reason.' }));
      }
    }
  }

  function renderUnmask(a) {
    var wrap = el('div', { className: 'unmask' });
    var open = el('button', { className: 'btn btn-ghost btn-small', attrs: { type: 'button', id: 'unmask-open' },
                              text: 'Unmask (reason required)' });
    wrap.appendChild(open);
    open.addEventListener('click', function () {
      clear(wrap);
      var reason = el('input', { className: 'input', attrs: { id: 'unmask-reason', type: 'text', maxlength: '500',
        placeholder: 'Why you need the personal data (recorded in the audit trail)' } });
      var go = el('button', { className: 'btn btn-warn btn-small', attrs: { type: 'button', id: 'unmask-submit' }, text: 'Unmask' });
      go.disabled = true;
      reason.addEventListener('input', function () { go.disabled = reason.value.trim() === ''; });
      go.addEventListener('click', function () {
        go.disabled = true;
        api('POST', '/api/alerts/' + encodeURIComponent(a.flag_id) + '/unmask', { reason: reason.value.trim() })
          .then(function (res) {
            if (res.ok && res.data && res.data.flag) {
              if (state.selectedId !== a.flag_id) return;
              state.unmasked = typeof res.data.flag === 'string' ? JSON.parse(res.data.flag) : res.data.flag;
              renderDetail();
            } else {
              toast(errorText(res, 'Unmasking failed'), 'error');
              go.disabled = false;
            }
          }, function () { toast('The console server cannot be reached.', 'error'); go.disabled = false; });
      });
      wrap.appendChild(el('label', { className: 'comment-label', attrs: { 'for': 'unmask-reason' }, text: 'Reason for unmasking (required)' }));
      wrap.appendChild(el('div', { className: 'action-row' }, [reason, go]));
      reason.focus();
    });
    return wrap;
  }

  function submitDisposition(action, button) {
    var comment = $('review-comment');
    var text = comment ? comment.value.trim() : '';
    if (!text || !state.detail) return;
    var id = state.detail.alert.flag_id;
    var buttons = document.querySelectorAll('#detail-actions .action-buttons .btn');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    button.classList.add('is-busy');
    var err = $('action-error');
    err.hidden = true;
    api('POST', '/api/alerts/' + encodeURIComponent(id) + '/disposition', { action: action, comment: text })
      .then(function (res) {
        button.classList.remove('is-busy');
        if (res.ok && res.data && res.data.alert) {
          // The answer holds the new state: update the open view first, so that storing the
          // summary does not fetch (and audit) the alert once more.
          var shown = state.selectedId === id && state.detail;
          if (shown) {
            state.detail.alert = res.data.alert;
            if (Array.isArray(res.data.dispositions)) state.detail.dispositions = res.data.dispositions;
          }
          upsert(res.data.alert, false);
          if (shown) {
            $('review-comment').value = '';
            renderDetail();
          }
          scheduleRender();
          toast('Recorded: ' + (ACTION_LABEL[action] || action) + '.', 'ok');
          return;
        }
        err.textContent = res.status === 404 ? 'This alert is no longer available to you.'
          : res.status === 403 ? 'You may not review alerts of this queue (403).'
          : errorText(res, 'Your decision was not recorded');
        err.hidden = false;
        var c = $('review-comment');
        if (c) c.dispatchEvent(new Event('input'));
      }, function () {
        button.classList.remove('is-busy');
        err.textContent = 'The console server cannot be reached: your decision was not recorded. Try again.';
        err.hidden = false;
        var c = $('review-comment');
        if (c) c.dispatchEvent(new Event('input'));
      });
  }

  function loadDetail(id) {
    return api('GET', '/api/alerts/' + encodeURIComponent(id)).then(function (res) {
      if (state.selectedId !== id) return;
      if (res.ok && isObject(res.data) && isObject(res.data.alert)) {
        var data = res.data;
        if (typeof data.flag === 'string') {
          try { data.flag = JSON.parse(data.flag); } catch (e) { data.flag = {}; }
        }
        upsert(data.alert, false);
        state.detail = data;
        renderDetail();
        scheduleRender();
      } else if (res.status === 404) {
        state.alerts.delete(id);
        selectAlert(null);
        toast('This alert is no longer available to you.', 'error');
      } else {
        toast(errorText(res, 'Could not open the alert'), 'error');
      }
    }, function () { toast('The console server cannot be reached.', 'error'); });
  }

  var refreshPending = false;
  function refreshDetail() {
    if (refreshPending || !state.selectedId) return;
    refreshPending = true;
    setTimeout(function () {
      refreshPending = false;
      if (state.selectedId) loadDetail(state.selectedId);
    }, 150);
  }

  function selectAlert(id) {
    if (id === state.selectedId && state.detail) return;
    state.selectedId = id;
    state.detail = null;
    state.unmasked = null;
    var comment = $('review-comment');
    if (comment) comment.value = '';
    renderDetail();
    scheduleRender();
    if (id) {
      $('detail-body').hidden = false;
      $('detail-placeholder').hidden = true;
      clear($('detail-body'));
      $('detail-body').appendChild(el('p', { className: 'muted loading', text: 'Loading…' }));
      loadDetail(id);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  function loadAlerts() {
    var f = state.filters;
    var params = ['limit=500'];
    if (f.queue) params.push('queue=' + encodeURIComponent(f.queue));
    if (f.severity) params.push('severity=' + encodeURIComponent(f.severity));
    if (f.status && f.status !== 'open') params.push('status=' + encodeURIComponent(f.status));
    return api('GET', '/api/alerts?' + params.join('&')).then(function (res) {
      if (!res.ok || !isObject(res.data)) {
        toast(errorText(res, 'Could not load the alerts'), 'error');
        return;
      }
      (Array.isArray(res.data.alerts) ? res.data.alerts : []).forEach(function (a) { upsert(a, false); });
      var s = Number(res.data.seq) || 0;
      if (s > state.seq) state.seq = s;
      scheduleRender();
    });
  }

  function rowOf(node) {
    while (node && node !== document.body) {
      if (node.tagName === 'TR' && node.dataset && node.dataset.flagId) return node;
      node = node.parentNode;
    }
    return null;
  }

  function wireTable() {
    var body = $('alerts-body');
    body.addEventListener('click', function (e) {
      var tr = rowOf(e.target);
      if (tr) { tr.focus(); selectAlert(tr.dataset.flagId); }
    });
    body.addEventListener('keydown', function (e) {
      var tr = rowOf(e.target);
      if (!tr) return;
      var next = null;
      if (e.key === 'ArrowDown') next = tr.nextElementSibling;
      else if (e.key === 'ArrowUp') next = tr.previousElementSibling;
      else if (e.key === 'Home') next = body.firstElementChild;
      else if (e.key === 'End') next = body.lastElementChild;
      else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectAlert(tr.dataset.flagId); return; }
      if (next) {
        e.preventDefault();
        tr.setAttribute('tabindex', '-1');
        next.setAttribute('tabindex', '0');
        next.focus();
      }
    });
  }

  function wireFilters() {
    [['filter-queue', 'queue'], ['filter-severity', 'severity'], ['filter-status', 'status']].forEach(function (p) {
      var sel = $(p[0]);
      sel.value = state.filters[p[1]];
      sel.addEventListener('change', function () {
        state.filters[p[1]] = sel.value;
        scheduleRender();
        loadAlerts();  // older alerts of this filter that the first page did not hold
      });
    });
  }

  function currentTheme() {
    var t = document.documentElement.getAttribute('data-theme');
    if (t) return t;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
  }

  function wireTheme() {
    var btn = $('theme-toggle');
    function label() {
      var t = currentTheme();
      btn.textContent = t === 'dark' ? 'Light' : 'Dark';
      btn.setAttribute('aria-label', t === 'dark' ? 'Switch to light colours' : 'Switch to dark colours');
    }
    btn.addEventListener('click', function () {
      var next = currentTheme() === 'dark' ? 'light' : 'dark';
      document.documentElement.setAttribute('data-theme', next);
      try { window.localStorage.setItem('crosscheck.theme', next); } catch (e) { /* display preference only */ }
      label();
    });
    label();
  }

  function renderWhoami() {
    var me = state.me;
    var box = $('whoami');
    clear(box);
    box.appendChild(el('span', { className: 'who-user', text: me.user, attrs: { id: 'who-user' } }));
    var roles = (me.roles || []).join(', ');
    var queues = (me.queues || []).length ? ' · ' + me.queues.join(', ') : '';
    box.appendChild(el('span', { className: 'who-roles', text: roles + queues }));
  }

  function start() {
    wireTheme();
    wireTable();
    $('logout').addEventListener('click', function () {
      api('POST', '/api/logout').then(goToLogin, goToLogin);
    });
    window.addEventListener('online', reconnectNow);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) reconnectNow(); });
    setInterval(function () { tickAges(); updateReconnectText(); }, 1000);

    api('GET', '/api/me').then(function (res) {
      if (!res.ok || !isObject(res.data)) {
        setConn('offline', 'Unavailable');
        toast(errorText(res, 'The console could not load your account'), 'error');
        return;
      }
      state.me = res.data;
      renderWhoami();
      if (!mayReview()) {
        // An operations account opening / (a bookmark, the address bar) wants its dashboard.
        if ((state.me.roles || []).indexOf('ops') >= 0) { window.location.replace('/ops.html'); return; }
        setConn('offline', 'No queues');
        $('queue-empty').textContent = 'Your account (' + (state.me.roles || []).join(', ') + ') has no alert queues. ' +
          'The review console is for officers and supervisors; list and rule management use the manager API.';
        $('queue-empty').hidden = false;
        return;
      }
      api('GET', '/api/queues').then(function (q) {
        var queues = q.ok && isObject(q.data) && Array.isArray(q.data.queues) ? q.data.queues : [];
        state.queues = queues;
        var sel = $('filter-queue');
        queues.forEach(function (name) { sel.appendChild(el('option', { attrs: { value: name }, text: name })); });
      });
      wireFilters();
      loadAlerts().then(connect, connect);
    }, function () {
      setConn('offline', 'Server unreachable');
      setTimeout(function () { window.location.reload(); }, 5000);
    });
  }

  start();
})();
