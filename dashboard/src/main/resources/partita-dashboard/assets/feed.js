'use strict';
// Shared by the pages: the live feed (server-sent events), the connection and empty states, formatting.
const Partita = (() => {
  const STALE_MS = 2500; // no update for this long (pushes come every 500 ms): the scheduler is gone
  const stats = { updates: 0, lagMs: 0, renderMs: 0, maxRenderMs: 0, bytes: 0 };
  window.partitaStats = stats;

  function follow(page, render) {
    let lastAt = 0;
    let source = null;
    const setConnection = (state) => {
      if (document.body.dataset.connection === state) return;
      document.body.dataset.connection = state;
      document.getElementById('connection').textContent =
        state === 'live' ? 'live' : state === 'disconnected' ? 'disconnected' : 'connecting…';
      document.getElementById('disconnected').hidden = state !== 'disconnected';
      if (state === 'disconnected' && lastAt) {
        document.getElementById('last-received').textContent = ' at ' + new Date(lastAt).toLocaleTimeString();
      }
    };
    const open = () => {
      source = new EventSource('/dashboard/events?page=' + page);
      source.onmessage = (e) => {
        lastAt = Date.now();
        setConnection('live');
        const data = JSON.parse(e.data);
        const t0 = performance.now();
        header(data);
        render(data);
        const took = performance.now() - t0;
        stats.updates++;
        stats.lagMs = Date.now() - data.time;
        stats.renderMs = took;
        stats.maxRenderMs = Math.max(stats.maxRenderMs, took);
        stats.bytes = e.data.length;
      };
      source.onerror = () => {
        setConnection('disconnected');
        if (source.readyState === EventSource.CLOSED) { // the browser gave up: try again ourselves
          setTimeout(open, 1000);
        }
      };
    };
    setInterval(() => {
      if (lastAt && Date.now() - lastAt > STALE_MS) setConnection('disconnected');
    }, 500);
    open();
  }

  function header(data) {
    const s = data.summary || {};
    document.getElementById('summary').textContent =
      `${count(s.workers, 'worker')} · ${count(s.tasks, 'task')} · scheduler ${s.role || '?'}`;
    document.getElementById('standby').hidden = s.role !== 'standby';
    document.getElementById('no-workers').hidden = (s.workers || 0) > 0 || s.role === 'standby';
    document.querySelectorAll('.scheduler-address').forEach(e => e.textContent = location.hostname + ':8786');
  }

  function count(n, what) {
    n = n || 0;
    return `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
  }

  function bytes(n) {
    if (!n) return '0 B';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }

  function duration(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  // One stable color per task group, so that a group keeps its color across pages and updates.
  const colors = new Map();
  function groupColor(group) {
    let c = colors.get(group);
    if (!c) {
      let h = 0;
      for (let i = 0; i < group.length; i++) h = (h * 31 + group.charCodeAt(i)) >>> 0;
      c = `hsl(${(h % 360)}, 55%, ${45 + (h >> 9) % 20}%)`;
      colors.set(group, c);
    }
    return c;
  }

  function escape(s) {
    return String(s).replace(/[&<>"']/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]));
  }

  function pct(part, whole) {
    return whole > 0 ? Math.max(0, Math.min(100, 100 * part / whole)) : 0;
  }

  return { follow, bytes, duration, groupColor, escape, pct, count };
})();
