'use strict';
// The status page: progress by task group, task stream, memory and processing per worker.
(() => {
  const P = Partita;
  const MAX_SPANS = 60000; // what the page keeps to draw; older ones go first
  let spans = []; // [worker, thread, kind, group, label, startMs, durationMs]
  let serverOffset = 0; // server clock minus ours: the stream is drawn in the scheduler's time
  let streamWindow = 60000;
  let drawnAt = 0;

  const byName = (a, b) => a.name.localeCompare(b.name, 'en', { numeric: true });

  P.follow('status', (d) => {
    serverOffset = d.time - Date.now();
    d.workers.sort(byName);
    const parts = window.partitaStats.parts = {};
    const timed = (name, f) => { const t0 = performance.now(); f(); parts[name] = performance.now() - t0; };
    timed('progress', () => progress(d.groups));
    timed('memory', () => memory(d.workers));
    timed('processing', () => processing(d.workers));
    timed('stream', () => { take(d.stream); drawStream(); });
  });

  function progress(groups) {
    document.getElementById('no-tasks').hidden = groups.length > 0;
    document.getElementById('progress').innerHTML = groups.map(g => {
      const finished = g.done + g.memory + g.erred;
      const part = (cls, n, what) => n > 0
        ? `<span class="${cls}" style="width:${P.pct(n, g.total)}%" title="${n.toLocaleString('en')} ${what}"></span>` : '';
      return `<div class="row group" data-group="${P.escape(g.name)}" data-total="${g.total}" data-finished="${finished}"
          data-done="${g.done}" data-memory="${g.memory}" data-erred="${g.erred}" data-processing="${g.processing}"
          data-waiting="${g.waiting}">
        <span class="name" title="${P.escape(g.name)}">${P.escape(g.name)}</span>
        <div class="bar">${part('done', g.done, 'done')}${part('memory', g.memory, 'in memory')}${part('erred', g.erred, 'erred')}${part('processing', g.processing, 'processing')}${part('waiting', g.waiting, 'waiting')}</div>
        <span class="count">${finished.toLocaleString('en')} / ${g.total.toLocaleString('en')}${g.erred ? ` · <b style="color:var(--erred)">${g.erred} erred</b>` : ''}</span>
      </div>`;
    }).join('');
  }

  function memory(workers) {
    const el = document.getElementById('memory');
    el.classList.toggle('compact', workers.length > 20);
    // one scale for all bars: the largest limit (or use, when over it or unlimited)
    const scale = Math.max(1, ...workers.map(w => Math.max(w.memory.limit,
      w.memory.heap + w.memory.segments + (w.memory.tableEngine || 0) + w.memory.unmanaged + w.memory.spilled)));
    el.innerHTML = workers.map(w => {
      const m = w.memory;
      const engine = m.tableEngine || 0;
      const used = m.heap + m.segments + engine + m.unmanaged;
      const part = (cls, n, what) => n > 0
        ? `<span class="${cls}" style="width:${P.pct(n, scale)}%" title="${what}: ${P.bytes(n)}"></span>` : '';
      const marks = (m.pauseAt > 0 ? `<span class="pause-mark" style="left:${P.pct(m.pauseAt, scale)}%" title="pause at ${P.bytes(m.pauseAt)}"></span>` : '')
        + (m.limit > 0 ? `<span class="limit-mark" style="left:calc(${P.pct(m.limit, scale)}% - 2px)" title="limit ${P.bytes(m.limit)}"></span>` : '');
      return `<div class="row mem${w.paused ? ' paused' : ''}" data-worker="${P.escape(w.name)}" data-used="${used}"
          data-heap="${m.heap}" data-segments="${m.segments}" data-spilled="${m.spilled}" data-unmanaged="${m.unmanaged}" data-table-engine="${engine}"
          data-limit="${m.limit}" data-pause-at="${m.pauseAt}" data-paused="${w.paused}">
        <span class="name">${P.escape(w.name)}</span>
        <div class="bar">${part('heap', m.heap, 'heap')}${part('segments', m.segments, 'shared segments')}${part('engine', engine, 'table engine (DuckDB)')}${part('unmanaged', m.unmanaged, 'unmanaged')}${part('spilled', m.spilled, 'spilled to disk')}${marks}</div>
        <span class="count">${P.bytes(used)}${m.limit ? ' / ' + P.bytes(m.limit) : ''}${m.spilled ? ' +' + P.bytes(m.spilled) + ' disk' : ''}</span>
      </div>`;
    }).join('');
  }

  function processing(workers) {
    const el = document.getElementById('processing');
    el.classList.toggle('compact', workers.length > 20);
    const max = Math.max(1, ...workers.map(w => Math.max(w.processing, w.nthreads)));
    el.innerHTML = workers.map(w => `<div class="row proc" data-worker="${P.escape(w.name)}" data-processing="${w.processing}">
        <span class="name">${P.escape(w.name)}</span>
        <div class="bar"><span class="load" style="width:${P.pct(w.processing, max)}%"></span>
          <span class="limit-mark" style="left:${P.pct(w.nthreads, max)}%" title="${w.nthreads} threads"></span></div>
        <span class="count">${w.processing} · ${w.nthreads} threads</span>
      </div>`).join('');
  }

  // ---- task stream: a canvas, one row per worker thread (and one "io" row per worker for transfers and spills)

  const canvas = document.getElementById('stream');
  const tip = document.getElementById('stream-tip');
  const KIND_COLOR = { transfer: '#e6550d', spill: '#fd8d3c', unspill: '#fdd0a2' };
  let layout = null; // what was drawn, for hovering

  document.getElementById('stream-window').addEventListener('change', (e) => {
    streamWindow = Number(e.target.value);
    drawStream();
  });

  function take(stream) {
    if (!stream) return;
    for (const s of stream.spans) {
      s.push(s[0] + '\u0000' + s[1]); // [7]: its row, computed once
      spans.push(s);
    }
    const oldest = Date.now() + serverOffset - stream.windowMs;
    let drop = 0;
    while (drop < spans.length && spans[drop][5] + spans[drop][6] < oldest) drop++;
    if (spans.length - drop > MAX_SPANS) drop = spans.length - MAX_SPANS;
    if (drop > 0) spans = spans.slice(drop);
  }


  function drawStream() {
    drawnAt = Date.now();
    const now = Date.now() + serverOffset;
    const from = now - streamWindow;
    const rows = new Map();
    let first = 0; // spans are in arrival order, roughly by end time: skip the old ones quickly
    while (first < spans.length && spans[first][5] + spans[first][6] < from - 60000) first++;
    for (let i = first; i < spans.length; i++) {
      const s = spans[i];
      if (s[5] + s[6] >= from && !rows.has(s[7])) rows.set(s[7], null);
    }
    const keys = [...rows.keys()].sort((a, b) => {
      const [wa, ta] = a.split('\u0000'); const [wb, tb] = b.split('\u0000');
      return wa === wb ? Number(ta) - Number(tb) : wa.localeCompare(wb, 'en', { numeric: true });
    });
    keys.forEach((k, i) => rows.set(k, i));
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const labelW = 70, axisH = 16;
    // rows share at most about 440 px: with hundreds of threads a row is a pixel or less (drawn antialiased)
    const rowH = keys.length ? Math.min(18, Math.max(0.5, 440 / keys.length)) : 18;
    const height = Math.max(120, keys.length * rowH + axisH + 4);
    canvas.style.height = height + 'px';
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const plotW = width - labelW - 4;
    const x = (t) => labelW + (t - from) / streamWindow * plotW;
    // axis
    g.fillStyle = '#666'; g.font = '10px sans-serif'; g.strokeStyle = '#eee';
    const step = streamWindow <= 60000 ? 10000 : 30000;
    for (let t = Math.ceil(from / step) * step; t <= now; t += step) {
      const px = x(t);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, height - axisH); g.stroke();
      g.fillText(`-${Math.round((now - t) / 1000)} s`, px - 10, height - 4);
    }
    // labels, when rows are tall enough to read
    if (rowH >= 9) {
      for (const k of keys) {
        const [w, t] = k.split('\u0000');
        g.fillText(`${w} ${t === '0' ? 'io' : '#' + t}`, 2, rows.get(k) * rowH + rowH - 2);
      }
    }
    // one fill style per color: a canvas is much faster drawing runs of one color
    const byColor = new Map();
    let count = 0;
    for (let i = first; i < spans.length; i++) {
      const s = spans[i];
      if (s[5] + s[6] < from) continue;
      const color = s[2] === 'task' ? P.groupColor(s[3]) : (KIND_COLOR[s[2]] || '#999');
      let list = byColor.get(color);
      if (!list) byColor.set(color, list = []);
      list.push(i);
      count++;
    }
    const pad = rowH > 4 ? 1 : 0;
    // whole pixels: no antialiasing to compute, and rows thinner than a pixel still show
    const bar = (row, run) => {
      const y = Math.floor(row * rowH) + pad;
      const x0 = Math.floor(run[0]);
      g.fillRect(x0, y, Math.max(1, Math.round(run[1]) - x0), Math.max(1, Math.floor((row + 1) * rowH) - pad - y));
    };
    // bars of one color that touch on a row (within half a pixel) are drawn as one run: with thousands of short
    // tasks, most bars are a pixel wide and this draws far fewer rectangles
    for (const [color, list] of byColor) {
      g.fillStyle = color;
      const runs = new Map(); // row -> [x0, x1]
      for (const i of list) {
        const s = spans[i];
        const row = rows.get(s[7]);
        const x0 = x(s[5]), x1 = Math.max(x0 + 1, x(s[5] + s[6]));
        const run = runs.get(row);
        if (run && x0 <= run[1] + 0.5 && x1 >= run[0] - 0.5) {
          run[0] = Math.min(run[0], x0);
          run[1] = Math.max(run[1], x1);
        } else {
          if (run) bar(row, run);
          runs.set(row, [x0, x1]);
        }
      }
      for (const [row, run] of runs) bar(row, run);
    }
    layout = { from, labelW, plotW, rowH, rows, first };
    const workers = new Set(keys.map(k => k.split('\u0000')[0])).size;
    document.getElementById('stream-caption').textContent = keys.length
      ? `${count.toLocaleString('en')} bars on ${keys.length} rows of ${workers} workers in the last ${P.duration(streamWindow)}`
      : 'nothing ran in this window yet';
    canvas.dataset.bars = count;
    canvas.dataset.rows = keys.length;
  }

  canvas.addEventListener('mousemove', (e) => {
    if (!layout) return;
    const r = canvas.getBoundingClientRect();
    const mx = e.clientX - r.left, my = e.clientY - r.top;
    const { from, labelW, plotW, rowH, rows, first } = layout;
    const t = from + (mx - labelW) / plotW * streamWindow;
    const slack = 2 / plotW * streamWindow; // two pixels
    let hit = null;
    for (let i = spans.length - 1; i >= first && !hit; i--) {
      const s = spans[i];
      const row = rows.get(s[7]);
      if (row !== undefined && my >= row * rowH && my < (row + 1) * rowH && t >= s[5] - slack && t <= s[5] + s[6] + slack) hit = s;
    }
    if (!hit) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = `${hit[4]} · ${hit[0]} ${hit[1] ? 'thread ' + hit[1] : 'io'} · ${P.duration(hit[6])}`;
    tip.style.left = Math.min(mx + 12, r.width - 260) + 'px';
    tip.style.top = (my + 12) + 'px';
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
  // keep the stream moving between updates only when they are slow to come
  setInterval(() => {
    if (document.body.dataset.connection === 'live' && Date.now() - drawnAt > 900) drawStream();
  }, 1000);
})();
