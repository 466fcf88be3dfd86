'use strict';
// The workers page: one row per worker, sortable by any column (the choice survives live updates).
(() => {
  const P = Partita;
  const table = document.getElementById('workers');
  const body = table.querySelector('tbody');
  let sortKey = 'name', sortDir = 1, rows = [];

  const value = (w, key) => {
    const m = w.memory, t = w.transfers;
    switch (key) {
      case 'memory': return m.heap + m.segments + (m.tableEngine || 0) + m.unmanaged;
      case 'heap': case 'segments': case 'spilled': case 'unmanaged': case 'limit': return m[key];
      case 'tableEngine': return m.tableEngine || 0;
      case 'segmentIn': case 'flightIn': case 'flightOut': case 'bulkIn': case 'bulkOut': return t[key];
      case 'paused': return w.paused ? 'paused' : 'running';
      default: return w[key];
    }
  };

  table.querySelectorAll('th[data-sort]').forEach(th => th.addEventListener('click', () => {
    const key = th.dataset.sort;
    sortDir = key === sortKey ? -sortDir : (th.dataset.type === 'text' ? 1 : -1); // numbers: largest first
    sortKey = key;
    render();
  }));

  P.follow('workers', (d) => { rows = d.workers; render(); });

  function render() {
    const th = table.querySelector(`th[data-sort="${sortKey}"]`);
    table.querySelectorAll('th').forEach(h => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
    const text = th.dataset.type === 'text';
    const sorted = [...rows].sort((a, b) => {
      const va = value(a, sortKey), vb = value(b, sortKey);
      const c = text ? String(va).localeCompare(String(vb), 'en', { numeric: true }) : va - vb;
      return (c || a.name.localeCompare(b.name, 'en', { numeric: true })) * sortDir;
    });
    body.innerHTML = sorted.map(w => {
      const m = w.memory, t = w.transfers;
      const engine = m.tableEngine || 0;
      const used = m.heap + m.segments + engine + m.unmanaged;
      const scale = Math.max(m.limit, used + m.spilled, 1);
      const mini = `<span class="mini"><span class="heap" style="width:${P.pct(m.heap, scale)}%;background:var(--heap)"></span><span style="width:${P.pct(m.segments, scale)}%;background:var(--segments)"></span><span style="width:${P.pct(engine, scale)}%;background:var(--engine)"></span><span style="width:${P.pct(m.unmanaged, scale)}%;background:var(--unmanaged)"></span><span style="width:${P.pct(m.spilled, scale)}%;background:var(--spilled)"></span></span>`;
      return `<tr data-worker="${P.escape(w.name)}" class="${w.paused ? 'paused' : ''}">
        <td>${P.escape(w.name)}</td><td title="host id ${P.escape(w.hostId)}">${P.escape(w.host)}</td>
        <td>${w.nthreads}</td><td>${w.cpu.toFixed(0)} %</td>
        <td>${mini}${P.bytes(used)}</td><td>${P.bytes(m.heap)}</td><td>${P.bytes(m.segments)}</td>
        <td>${P.bytes(m.spilled)}</td><td>${P.bytes(engine)}</td><td>${P.bytes(m.unmanaged)}</td><td>${m.limit ? P.bytes(m.limit) : 'none'}</td>
        <td>${w.running}</td><td>${w.processing}</td><td>${w.storedKeys.toLocaleString('en')}</td><td>${P.bytes(w.storedBytes)}</td>
        <td>${P.bytes(t.segmentIn)}</td><td>${P.bytes(t.flightIn)}</td><td>${P.bytes(t.flightOut)}</td><td>${P.bytes(t.bulkIn)}</td><td>${P.bytes(t.bulkOut)}</td>
        <td>${w.uptimeMs ? P.duration(w.uptimeMs) : '?'}</td><td>${w.paused ? 'paused' : 'running'}</td>
      </tr>`;
    }).join('');
  }
})();
