// The operations dashboard (role ops): every screener's consumption, latency, consumer lag,
// dead letters, flags, rule caps, watchlist versions and connectivity, live.
//
// Data flow: GET /api/me (who am I; 401 -> the sign-in page), then GET /api/ops/overview every
// scrape interval (the console scrapes the screeners' /metrics itself and computes the rates and
// latency quantiles; docs/ops-dashboard.md describes the JSON). Polling rather than a WebSocket:
// the data changes once per scrape anyway, and a plain GET survives proxies and restarts with no
// reconnection logic. A failed poll is retried with backoff and the page says so.
//
// Charts are hand-written SVG (a few polylines and an axis; no library to ship, pin and audit).
// Safety: every piece of data reaches the page through textContent or attribute values set one by
// one; nothing is parsed as HTML. The page runs under CSP default-src 'self': no inline script or
// style, widths are set through the CSSOM.
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';

  // ---------------------------------------------------------------------------------------------
  // Small helpers

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

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (/^on/i.test(k) || k === 'style') throw new Error('svg(): refusing attribute ' + k);
      node.setAttribute(k, String(attrs[k]));
    });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(id) { return document.getElementById(id); }
  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function str(v) { return v === null || v === undefined ? '' : String(v); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
  function arr(v) { return Array.isArray(v) ? v : []; }

  // ---------------------------------------------------------------------------------------------
  // Formatting

  function fmtRate(v) {
    v = num(v);
    if (v === null) return '–';
    if (v === 0) return '0/s';
    if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + 'k/s';
    if (v >= 100) return v.toFixed(0) + '/s';
    if (v >= 10) return v.toFixed(1) + '/s';
    if (v >= 0.01) return v.toFixed(2) + '/s';
    return '<0.01/s';
  }

  // Latency in seconds, shown in ms up to a second.
  function fmtLatency(v) {
    v = num(v);
    if (v === null) return '–';
    var ms = v * 1000;
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 10) return ms.toFixed(1) + ' ms';
    if (ms < 1000) return ms.toFixed(0) + ' ms';
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  // Axis labels: three significant digits at most, no trailing zeros (0.25, 2, 1.5k).
  function fmtAxis(v) {
    if (v >= 1000) return Number((v / 1000).toPrecision(3)) + 'k';
    return String(Number(v.toPrecision(3)));
  }

  function fmtCount(v) {
    v = num(v);
    if (v === null) return '–';
    return Math.round(v).toLocaleString('en-GB');
  }

  function fmtPercent(v) {
    v = num(v);
    if (v === null) return '–';
    return (v * 100).toFixed(v < 0.1 ? 1 : 0) + ' %';
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
  function fmtUtc(t) {
    if (num(t) === null || t <= 0) return '–';
    var d = new Date(t);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' UTC';
  }

  // Server clock minus browser clock: ages are computed against the console's clock, which is the
  // one the scrape times come from.
  var clockOffsetMs = 0;
  function serverNow() { return Date.now() + clockOffsetMs; }

  // ---------------------------------------------------------------------------------------------
  // Charts

  // A "nice" step (1, 2, 2.5 or 5 times a power of ten) near `raw`.
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var e = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / e;
    var n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return n * e;
  }

  // Draws a line chart into `host` (a div sized by CSS). opts: {t: [ms], series: [{label, values,
  // cls}], now, spanMs, fmt(value) for the axis, minMax (the y axis reaches at least this), label
  // (for screen readers)}. null values are gaps.
  function drawChart(host, opts) {
    var w = Math.max(160, Math.floor(host.clientWidth || 400));
    var h = Math.max(80, Math.floor(host.clientHeight || 140));
    var left = 54, right = 10, top = 8, bottom = 20;
    var pw = w - left - right, ph = h - top - bottom;
    var t0 = opts.now - opts.spanMs;
    var max = opts.minMax || 0;
    opts.series.forEach(function (s) {
      s.values.forEach(function (v, i) {
        if (num(v) !== null && opts.t[i] >= t0 && v > max) max = v;
      });
    });
    var step = niceStep(max / 4 || 1);
    var yMax = Math.max(step, Math.ceil(max / step) * step);
    function x(t) { return left + ((t - t0) / opts.spanMs) * pw; }
    function y(v) { return top + ph - (v / yMax) * ph; }

    var root = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, width: w, height: h, role: 'img',
                            'aria-label': opts.label, 'class': 'chart-svg' });
    for (var g = 0; g <= yMax + step / 2; g += step) {
      var gy = y(g).toFixed(1);
      root.appendChild(svg('line', { x1: left, x2: w - right, y1: gy, y2: gy, 'class': g === 0 ? 'axis-line' : 'grid-line' }));
      root.appendChild(svg('text', { x: left - 6, y: (y(g) + 3.5).toFixed(1), 'class': 'axis-text', 'text-anchor': 'end' },
                           opts.fmt(g)));
    }
    // A label per minute (or per 10 s for short spans), counted back from now.
    var tick = opts.spanMs > 120000 ? 60000 : 10000;
    for (var back = 0; back <= opts.spanMs; back += tick) {
      var tx = x(opts.now - back);
      root.appendChild(svg('line', { x1: tx.toFixed(1), x2: tx.toFixed(1), y1: top, y2: top + ph, 'class': 'grid-line grid-line-v' }));
      var label = back === 0 ? 'now' : '−' + (tick === 60000 ? back / 60000 + ' min' : back / 1000 + ' s');
      root.appendChild(svg('text', { x: tx.toFixed(1), y: h - 5, 'class': 'axis-text',
                                     'text-anchor': back === 0 ? 'end' : back === opts.spanMs ? 'start' : 'middle' }, label));
    }
    opts.series.forEach(function (s) {
      var d = '';
      var pen = false;
      var last = null;
      s.values.forEach(function (v, i) {
        var t = opts.t[i];
        if (num(v) === null || !(t >= t0)) {
          pen = false;
          return;
        }
        d += (pen ? 'L' : 'M') + x(t).toFixed(1) + ' ' + y(v).toFixed(1);
        pen = true;
        last = [x(t), y(v)];
      });
      var path = svg('path', { d: d || 'M0 0', 'class': 'series ' + s.cls });
      path.dataset.series = s.label;
      root.appendChild(path);
      if (last) root.appendChild(svg('circle', { cx: last[0].toFixed(1), cy: last[1].toFixed(1), r: 2.5, 'class': 'series-dot ' + s.cls }));
    });
    clear(host);
    host.appendChild(root);
  }

  // The newest non-null value of a series.
  function lastValue(values) {
    for (var i = values.length - 1; i >= 0; i--) if (num(values[i]) !== null) return values[i];
    return null;
  }

  function legend(host, items) {
    clear(host);
    items.forEach(function (it) {
      host.appendChild(el('span', { className: 'legend-item', dataset: { series: it.label } }, [
        el('span', { className: 'swatch ' + it.cls, attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'legend-label', text: it.label }),
        el('span', { className: 'legend-value', text: it.value })
      ]));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // State and layout

  var state = { me: null, data: null, sections: {}, pollMs: 1000, failures: 0, lastOk: 0, timer: null };

  function setConn(kind, text) {
    var c = $('conn');
    c.className = 'conn conn-' + kind;
    c.dataset.state = kind;
    $('conn-text').textContent = text;
  }

  function panel(title, extraClass) {
    var head = el('div', { className: 'panel-head' }, [el('h3', { className: 'panel-title', text: title })]);
    var headline = el('span', { className: 'panel-headline' });
    head.appendChild(headline);
    var body = el('div', { className: 'panel-body' });
    var node = el('section', { className: 'panel ' + (extraClass || '') }, [head, body]);
    return { node: node, body: body, headline: headline };
  }

  function chartPanel(title, cls, aria) {
    var p = panel(title, 'panel-chart ' + cls);
    p.legend = el('div', { className: 'legend' });
    p.chart = el('div', { className: 'chart', attrs: { 'data-chart': aria } });
    p.body.appendChild(p.legend);
    p.body.appendChild(p.chart);
    return p;
  }

  function tablePanel(title, cls, columns) {
    var p = panel(title, 'panel-table ' + cls);
    var headRow = el('tr', null, columns.map(function (c) {
      return el('th', { className: c.num ? 'num' : '', text: c.label, attrs: { scope: 'col' } });
    }));
    p.tbody = el('tbody');
    p.table = el('table', { className: 'ops-table' }, [el('thead', null, [headRow]), p.tbody]);
    p.empty = el('div', { className: 'panel-empty', attrs: { hidden: true } });
    p.body.appendChild(p.table);
    p.body.appendChild(p.empty);
    return p;
  }

  function sectionFor(name) {
    var s = state.sections[name];
    if (s) return s;
    var id = 'screener-' + name.replace(/[^A-Za-z0-9_-]/g, '_');
    s = { name: name };
    s.title = el('h2', { className: 'screener-name', text: name });
    s.instance = el('span', { className: 'screener-instance' });
    s.chips = el('div', { className: 'chips' });
    s.updated = el('span', { className: 'ops-note ops-note-right' });
    s.problem = el('div', { className: 'screener-problem', attrs: { role: 'alert', hidden: true } });
    s.latency = chartPanel('End-to-end latency', 'panel-latency', 'latency');
    s.consumed = chartPanel('Consumed events/s by topic', 'panel-consumed', 'consumed');
    s.flags = chartPanel('Flags/s by queue', 'panel-flags', 'flags');
    s.lag = tablePanel('Consumer lag by partition', 'panel-lag',
                       [{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Lag', num: true }, { label: '' }]);
    s.deadletter = tablePanel('Dead letters by reason', 'panel-deadletter',
                              [{ label: 'Reason' }, { label: 'Rate', num: true }, { label: 'Total', num: true }]);
    s.rules = tablePanel('Rule caps (flags in the sliding hour, all screeners)', 'panel-rules',
                         [{ label: 'Rule' }, { label: 'Cap used' }, { label: 'Flagged', num: true },
                          { label: 'Suppressed', num: true }, { label: 'State' }]);
    s.watchlists = tablePanel('Watchlists', 'panel-watchlists',
                              [{ label: 'List' }, { label: 'Version', num: true }, { label: 'Entries', num: true },
                               { label: 'Loaded (UTC)' }, { label: 'Age', num: true }]);
    s.node = el('section', { className: 'screener', attrs: { id: id, 'aria-label': 'Screener ' + name },
                             dataset: { name: name } }, [
      el('div', { className: 'screener-head' }, [s.title, s.instance, s.chips, s.updated]),
      s.problem,
      el('div', { className: 'ops-grid' }, [
        s.latency.node, s.consumed.node, s.flags.node, s.lag.node, s.deadletter.node, s.rules.node, s.watchlists.node
      ])
    ]);
    $('screeners').appendChild(s.node);
    state.sections[name] = s;
    return s;
  }

  function chip(kind, text, title) {
    return el('span', { className: 'chip chip-' + kind, text: text, attrs: { title: title || null },
                        dataset: { kind: kind } });
  }

  function kafkaChip(x) {
    var up = num(x.kafka_brokers_up);
    if (up === null) return chip('unknown', 'Kafka: not reported', 'This screener does not export crosscheck_kafka_brokers_up');
    if (up < 1) return chip('bad', 'Kafka down', 'No broker is in state UP');
    return chip('ok', 'Kafka ' + up + (up === 1 ? ' broker' : ' brokers'), 'Brokers in state UP');
  }

  function redisChip(x) {
    var up = num(x.redis_up);
    if (up === null) return chip('unknown', 'Redis: –');
    return up >= 1 ? chip('ok', 'Redis up') : chip('bad', 'Redis down', 'The last poll of Redis failed');
  }

  function statusChip(x) {
    if (!x.up) return chip('bad', 'Down', str(x.error));
    if (num(x.ready) !== null && x.ready < 1) return chip('warn', 'Up, not ready', 'Watchlists not loaded or no partitions yet');
    return chip('ok', 'Up');
  }

  function rowsOrEmpty(p, rows, emptyText) {
    clear(p.tbody);
    rows.forEach(function (r) { p.tbody.appendChild(r); });
    p.empty.textContent = emptyText;
    p.empty.hidden = rows.length > 0;
    p.table.hidden = rows.length === 0;
  }

  function bar(fraction, cls) {
    var fill = el('span', { className: 'bar-fill ' + (cls || '') });
    fill.style.width = Math.max(0, Math.min(1, fraction)) * 100 + '%';
    return el('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } }, [fill]);
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  var SERIES_CLASSES = ['s0', 's1', 's2', 's3', 's4', 's5'];

  function renderScreener(x, data) {
    var s = sectionFor(x.name);
    var now = data.now_ms;
    var span = (num(data.history_seconds) || 300) * 1000;
    s.node.classList.toggle('is-down', !x.up);
    s.node.dataset.up = x.up ? 'true' : 'false';
    s.instance.textContent = x.instance_id ? 'instance ' + x.instance_id : '';
    clear(s.chips);
    s.chips.appendChild(statusChip(x));
    if (x.up || x.last_success_ms > 0) {
      s.chips.appendChild(redisChip(x));
      s.chips.appendChild(kafkaChip(x));
      if (num(x.assigned_partitions) !== null) {
        s.chips.appendChild(chip('neutral', x.assigned_partitions + ' partitions', 'Input partitions assigned to this screener'));
      }
    }
    s.lastScrape = x.last_scrape_ms;
    s.lastSuccess = x.last_success_ms;
    s.up = !!x.up;
    if (!x.up) {
      s.problem.hidden = false;
      s.problem.textContent = 'Not answering: ' + (str(x.error) || 'no scrape yet') + ' (' + str(x.url) + '). ' +
        (x.last_success_ms > 0 ? 'Values below are from the last successful scrape, ' + fmtUtc(x.last_success_ms) + '.'
                               : 'It has not answered since the console started.');
    } else {
      s.problem.hidden = true;
    }

    var h = isObject(x.history) ? x.history : {};
    var t = arr(h.t);

    // Latency (seconds in the data; ms on the axis).
    var toMs = function (v) { return num(v) === null ? null : v * 1000; };
    var lat = [
      { label: 'p50', values: arr(h.p50).map(toMs), cls: 's0', now: x.latency && x.latency.p50 },
      { label: 'p99', values: arr(h.p99).map(toMs), cls: 's1', now: x.latency && x.latency.p99 },
      { label: 'p99.9', values: arr(h.p999).map(toMs), cls: 's2', now: x.latency && x.latency.p999 }
    ];
    legend(s.latency.legend, lat.map(function (l) { return { label: l.label, cls: l.cls, value: fmtLatency(l.now) }; }));
    s.latency.headline.textContent = 'over ' + (num(data.rate_window_seconds) || 10) + ' s windows';
    drawChart(s.latency.chart, { t: t, series: lat, now: now, spanMs: span, minMax: 1,
                                 fmt: function (v) { return v >= 1000 ? (v / 1000) + ' s' : v + ' ms'; },
                                 label: 'End-to-end latency of ' + x.name + ': p50 ' + fmtLatency(lat[0].now) +
                                        ', p99 ' + fmtLatency(lat[1].now) + ', p99.9 ' + fmtLatency(lat[2].now) });

    function rateChart(p, historyMap, rows, key, what) {
      var names = Object.keys(isObject(historyMap) ? historyMap : {}).sort();
      var series = names.map(function (n, i) {
        return { label: n, values: arr(historyMap[n]), cls: SERIES_CLASSES[i % SERIES_CLASSES.length] };
      });
      var current = {};
      arr(rows).forEach(function (r) { current[r[key]] = r.per_s; });
      var total = 0, any = false;
      legend(p.legend, series.map(function (sr) {
        var v = current[sr.label] !== undefined ? current[sr.label] : lastValue(sr.values);
        if (num(v) !== null) { total += v; any = true; }
        return { label: sr.label, cls: sr.cls, value: fmtRate(v) };
      }));
      p.headline.textContent = any ? 'total ' + fmtRate(total) : '';
      if (series.length === 0) {
        clear(p.legend);
        p.legend.appendChild(el('span', { className: 'legend-none', text: 'No ' + what + ' yet' }));
      }
      drawChart(p.chart, { t: t, series: series, now: now, spanMs: span, minMax: 1,
                           fmt: fmtAxis,
                           label: p.node.querySelector('.panel-title').textContent + ' of ' + x.name + ': total ' +
                                  fmtRate(total) });
      return total;
    }
    s.consumedTotal = rateChart(s.consumed, h.consumed, x.consumed, 'topic', 'input topics');
    s.flagsTotal = rateChart(s.flags, h.flags, x.flags, 'queue', 'flags');

    // Consumer lag.
    var lags = arr(x.lag);
    var maxLag = 0;
    lags.forEach(function (l) { if (num(l.lag) !== null && l.lag > maxLag) maxLag = l.lag; });
    rowsOrEmpty(s.lag, lags.map(function (l) {
      var v = num(l.lag);
      return el('tr', { dataset: { topic: str(l.topic), partition: str(l.partition) } }, [
        el('td', { className: 'ellipsis', text: str(l.topic), attrs: { title: str(l.topic) } }),
        el('td', { className: 'num', text: str(l.partition) }),
        el('td', { className: 'num', text: v === null ? '–' : fmtCount(v) }),
        el('td', { className: 'cell-bar' }, [bar(maxLag > 0 && v !== null ? v / maxLag : 0, v > 0 ? 'bar-warn' : '')])
      ]);
    }), 'No lag reported: the screener has no partitions yet, or does not export crosscheck_consumer_lag ' +
        '(statistics every 5 s).');
    s.lag.headline.textContent = num(x.lag_total) !== null ?
      'total ' + fmtCount(x.lag_total) + (x.lag_total === 1 ? ' record' : ' records') : '';

    // Dead letters.
    var dl = arr(x.deadletter).slice().sort(function (a, b) { return (num(b.per_s) || 0) - (num(a.per_s) || 0); });
    rowsOrEmpty(s.deadletter, dl.map(function (d) {
      var active = num(d.per_s) !== null && d.per_s > 0;
      return el('tr', { className: active ? 'is-active' : '', dataset: { reason: str(d.reason) } }, [
        el('td', { className: 'ellipsis mono', text: str(d.reason) }),
        el('td', { className: 'num', text: fmtRate(d.per_s) }),
        el('td', { className: 'num', text: fmtCount(d.total) })
      ]);
    }), 'No dead letters since the screener started.');
    s.deadletter.headline.textContent = num(x.deadletter_per_s) !== null ? 'now ' + fmtRate(x.deadletter_per_s) : '';
    s.deadletter.node.classList.toggle('is-alarm', num(x.deadletter_per_s) !== null && x.deadletter_per_s > 0);

    // Rule caps: over-cap rules first (the server sorts), highlighted in words and colour.
    var rules = arr(x.rules);
    var over = 0;
    rowsOrEmpty(s.rules, rules.map(function (r) {
      var used = num(r.cap_used);
      if (r.over_cap) over += 1;
      var level = r.over_cap ? 'bar-bad' : used !== null && used >= 0.8 ? 'bar-warn' : 'bar-ok';
      return el('tr', { className: r.over_cap ? 'rule-row is-over-cap' : 'rule-row',
                        dataset: { rule: str(r.rule), overCap: r.over_cap ? 'true' : 'false' } }, [
        el('td', { className: 'ellipsis mono', text: str(r.rule), attrs: { title: str(r.rule) } }),
        el('td', { className: 'cell-cap' }, [bar(used === null ? 0 : used, level),
                                             el('span', { className: 'cap-text', text: fmtPercent(used) })]),
        el('td', { className: 'num', text: fmtRate(r.flagged_per_s) }),
        el('td', { className: 'num', text: fmtRate(r.suppressed_per_s) }),
        el('td', null, [r.over_cap ? chip('bad', 'Over cap', 'Matches are suppressed; a governance alert went out')
                                   : used !== null && used >= 0.8 ? chip('warn', 'Near cap') : chip('ok', 'Within cap')])
      ]);
    }), 'No rules have been evaluated yet.');
    s.rules.headline.textContent = rules.length ?
      (over ? over + ' over cap · ' : '') + rules.length + (rules.length === 1 ? ' rule' : ' rules') : '';
    s.rules.node.classList.toggle('is-alarm', over > 0);
    s.overCap = over;

    // Watchlists and their age (ticking).
    var lists = arr(x.watchlists);
    s.oldestList = null;
    rowsOrEmpty(s.watchlists, lists.map(function (l) {
      var loaded = num(l.loaded_at_ms);
      if (loaded !== null && (s.oldestList === null || loaded < s.oldestList)) s.oldestList = loaded;
      var age = el('td', { className: 'num age', dataset: { since: loaded === null ? '' : loaded } });
      return el('tr', { dataset: { list: str(l.list) } }, [
        el('td', { className: 'ellipsis mono', text: str(l.list), attrs: { title: str(l.list) } }),
        el('td', { className: 'num', text: num(l.version) === null ? '–' : 'v' + l.version }),
        el('td', { className: 'num', text: fmtCount(l.entries) }),
        el('td', { className: 'nowrap', text: fmtUtc(loaded) }),
        age
      ]);
    }), 'No watchlists loaded.');
    s.watchlists.headline.textContent = lists.length ? lists.length + (lists.length === 1 ? ' list' : ' lists') : '';
    s.p99 = x.latency ? x.latency.p99 : null;
    s.data = x;
  }

  function renderFleet(data) {
    var body = $('fleet-body');
    clear(body);
    var screeners = arr(data.screeners);
    var down = 0;
    screeners.forEach(function (x) {
      var s = state.sections[x.name];
      if (!x.up) down += 1;
      var link = el('a', { text: x.name, attrs: { href: '#' + s.node.id } });
      var lagTotal = num(x.lag_total);
      body.appendChild(el('tr', { className: x.up ? '' : 'is-down', dataset: { name: x.name } }, [
        el('td', { className: 'fleet-name' }, [link]),
        el('td', null, [statusChip(x)]),
        el('td', null, [x.up ? redisChip(x) : chip('unknown', '–')]),
        el('td', null, [x.up ? kafkaChip(x) : chip('unknown', '–')]),
        el('td', { className: 'num', text: x.up ? fmtRate(s.consumedTotal) : '–' }),
        el('td', { className: 'num', text: x.up ? fmtLatency(s.p99) : '–' }),
        el('td', { className: 'num', text: x.up && lagTotal !== null ? fmtCount(lagTotal) : '–' }),
        el('td', { className: 'num' + (num(x.deadletter_per_s) > 0 ? ' text-warn' : ''),
                   text: x.up ? fmtRate(x.deadletter_per_s) : '–' }),
        el('td', { className: 'num', text: x.up ? fmtRate(s.flagsTotal) : '–' }),
        el('td', { className: 'num' + (s.overCap ? ' text-bad' : ''), text: x.up ? String(s.overCap) : '–' }),
        el('td', { className: 'num age', dataset: { since: s.oldestList === null ? '' : s.oldestList } })
      ]));
    });
    $('fleet-summary').textContent = screeners.length === 0 ? '' :
      (screeners.length - down) + ' of ' + screeners.length + ' answering';
    $('fleet-window').textContent = 'scraped every ' + (num(data.scrape_interval_ms) || 1000) / 1000 + ' s · rates over ' +
      (num(data.rate_window_seconds) || 10) + ' s · charts ' + Math.round((num(data.history_seconds) || 300) / 60) + ' min';
    var empty = $('ops-empty');
    empty.hidden = screeners.length > 0;
    $('fleet-table').hidden = screeners.length === 0;
    if (screeners.length === 0) {
      empty.textContent = 'No screeners are configured. List them under ops.screeners in the console\'s ' +
        'configuration (name and http://host:port/metrics of each screener), then restart the console.';
    }
  }

  function render(data) {
    state.data = data;
    var screeners = arr(data.screeners);
    var names = {};
    screeners.forEach(function (x) {
      if (!isObject(x) || typeof x.name !== 'string') return;
      names[x.name] = true;
      renderScreener(x, data);
    });
    // A screener removed from the configuration (after a console restart) disappears.
    Object.keys(state.sections).forEach(function (n) {
      if (!names[n]) {
        state.sections[n].node.remove();
        delete state.sections[n];
      }
    });
    renderFleet(data);
    tick();
  }

  // Ages and "updated" notes move every second between polls.
  function tick() {
    var now = serverNow();
    document.querySelectorAll('.age').forEach(function (td) {
      var since = Number(td.dataset.since);
      td.textContent = td.dataset.since !== '' && isFinite(since) ? fmtAge(now - since) : '–';
    });
    Object.keys(state.sections).forEach(function (n) {
      var s = state.sections[n];
      s.updated.textContent = s.lastScrape > 0 ? 'scraped ' + fmtAge(now - s.lastScrape) + ' ago' : '';
    });
    if (state.lastOk > 0 && state.failures === 0) {
      setConn('live', 'Live');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Polling

  function goToLogin() { window.location.replace('/login.html'); }

  function poll() {
    state.timer = null;
    fetch('/api/ops/overview', { credentials: 'same-origin', headers: { 'Accept': 'application/json' }, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) { goToLogin(); return null; }
        if (r.status === 403) {
          setConn('offline', 'Not permitted');
          $('ops-empty').hidden = false;
          $('ops-empty').textContent = 'The operations dashboard is for accounts with the ops role.';
          return null;
        }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (data) {
        if (data === null) return;
        if (!isObject(data)) throw new Error('not an overview');
        if (num(data.now_ms) !== null) clockOffsetMs = data.now_ms - Date.now();
        state.failures = 0;
        state.lastOk = Date.now();
        state.pollMs = Math.min(10000, Math.max(1000, num(data.scrape_interval_ms) || 1000));
        render(data);
        schedule(state.pollMs);
      })
      .catch(function () {
        state.failures += 1;
        var wait = Math.min(15000, state.pollMs * Math.pow(2, state.failures - 1));
        setConn('reconnecting', 'Console unreachable, retrying in ' + Math.round(wait / 1000) + ' s');
        schedule(wait);
      });
  }

  function schedule(ms) {
    if (state.timer !== null) clearTimeout(state.timer);
    state.timer = setTimeout(poll, ms);
  }

  // ---------------------------------------------------------------------------------------------
  // Frame: who is signed in, theme, sign-out

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
      if (state.data) render(state.data);  // the charts take their colours from the theme
    });
    label();
  }

  function renderWhoami(me) {
    var box = $('whoami');
    clear(box);
    box.appendChild(el('span', { className: 'who-user', text: me.user, attrs: { id: 'who-user' } }));
    box.appendChild(el('span', { className: 'who-roles', text: arr(me.roles).join(', ') }));
    var roles = arr(me.roles);
    if (roles.indexOf('officer') >= 0 || roles.indexOf('supervisor') >= 0) {
      box.appendChild(el('a', { className: 'who-link', text: 'Review console', attrs: { href: '/' } }));
    }
  }

  function start() {
    wireTheme();
    $('logout').addEventListener('click', function () {
      fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Crosscheck-Request': '1' } })
        .then(goToLogin, goToLogin);
    });
    var resizeTimer = null;
    window.addEventListener('resize', function () {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { if (state.data) render(state.data); }, 150);
    });
    setInterval(tick, 1000);
    fetch('/api/me', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (r.status === 401) { goToLogin(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (me) {
        if (isObject(me)) {
          state.me = me;
          renderWhoami(me);
        }
        poll();
      }, function () {
        setConn('offline', 'Server unreachable');
        schedule(5000);
      });
  }

  start();
})();
