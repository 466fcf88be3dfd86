'use strict';
// The graph page: the task graph of the recent computations (ECharts), or, above the scheduler's drawing limit,
// its task groups with counts by state. Laid out in layers: a task's layer is its longest path from a root.
(() => {
  const P = Partita;
  const STATE_COLOR = {
    released: '#f0f0f0', waiting: '#d9d9d9', processing: '#31a354', memory: '#3182bd', done: '#9ecae1',
    erred: '#de2d26', forgotten: '#f0f0f0',
  };
  const el = document.getElementById('graph');
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  window.addEventListener('resize', () => chart.resize());
  let drawnVersion = null, drawnMode = null, positions = null;
  window.partitaGraph = { mode: null, nodes: 0, edges: 0, states: {} };

  P.follow('graph', (d) => {
    const g = d.graph;
    document.getElementById('no-graph').hidden = g.tasks > 0;
    el.style.visibility = g.tasks > 0 ? 'visible' : 'hidden';
    if (g.mode === 'tasks') tasks(g); else groups(g);
  });

  // layer of each node: longest path from a node without inputs
  function layers(n, edges) {
    const inputs = Array.from({ length: n }, () => []);
    for (const [a, b] of edges) inputs[b].push(a);
    const layer = new Array(n).fill(-1);
    const visit = (i, depth) => { // iterative enough for the small graphs drawn task by task
      if (layer[i] >= 0) return layer[i];
      if (depth > n) return 0;
      let l = 0;
      for (const a of inputs[i]) l = Math.max(l, visit(a, depth + 1) + 1);
      return (layer[i] = l);
    };
    for (let i = 0; i < n; i++) visit(i, 0);
    return layer;
  }

  function place(ids, layer) {
    const count = new Map(), pos = [];
    ids.forEach((_, i) => {
      const l = layer[i];
      const k = count.get(l) || 0;
      count.set(l, k + 1);
      pos.push([l * 140, k * 46]);
    });
    return pos;
  }

  function tasks(g) {
    const states = {};
    g.nodes.forEach(n => { states[n[2]] = (states[n[2]] || 0) + 1; });
    window.partitaGraph = { mode: 'tasks', nodes: g.nodes.length, edges: g.edges.length, states };
    document.getElementById('graph-caption').textContent = `${g.nodes.length.toLocaleString('en')} tasks, `
      + `${g.edges.length.toLocaleString('en')} dependencies: `
      + Object.entries(states).map(([s, n]) => `${n} ${s}`).join(', ');
    if (drawnVersion !== g.version || drawnMode !== 'tasks') {
      positions = place(g.nodes, layers(g.nodes.length, g.edges));
    }
    const labels = g.nodes.length <= 60;
    chart.setOption({
      animation: false,
      tooltip: { formatter: p => p.dataType === 'node' ? `${P.escape(p.data.name)}<br>${p.data.state}` : '' },
      series: [{
        type: 'graph', layout: 'none', roam: true, symbolSize: g.nodes.length > 300 ? 8 : g.nodes.length > 60 ? 14 : 24,
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 5,
        label: { show: labels, position: 'bottom', fontSize: 9, formatter: p => p.data.group },
        lineStyle: { color: '#999', opacity: .6 },
        data: g.nodes.map((n, i) => ({
          name: n[0], group: n[1], state: n[2], x: positions[i][0], y: positions[i][1],
          itemStyle: { color: STATE_COLOR[n[2]] || '#ccc', borderColor: P.groupColor(n[1]), borderWidth: 2 },
        })),
        edges: g.edges.map(([a, b]) => ({ source: a, target: b })),
      }],
    }, { replaceMerge: drawnVersion !== g.version || drawnMode !== 'tasks' ? ['series'] : [] });
    drawnVersion = g.version; drawnMode = 'tasks';
  }

  function groups(g) {
    const names = g.groups.map(x => x.name);
    const index = new Map(names.map((n, i) => [n, i]));
    const edges = g.edges.filter(e => index.has(e[0]) && index.has(e[1])).map(e => [index.get(e[0]), index.get(e[1]), e[2]]);
    const pos = place(names, layers(names.length, edges));
    const states = {};
    g.groups.forEach(x => Object.entries(x.counts).forEach(([s, n]) => { states[s] = (states[s] || 0) + n; }));
    window.partitaGraph = { mode: 'groups', nodes: names.length, edges: edges.length, tasks: g.tasks, states };
    document.getElementById('graph-caption').textContent = `${g.tasks.toLocaleString('en')} tasks, too many to draw `
      + `one by one: ${names.length} task groups shown, each with its tasks by state`;
    const maxTasks = Math.max(...g.groups.map(x => Object.values(x.counts).reduce((a, b) => a + b, 0)));
    chart.setOption({
      animation: false,
      tooltip: { formatter: p => p.dataType === 'node' ? p.data.detail : `${p.data.count.toLocaleString('en')} dependencies` },
      series: [{
        type: 'graph', layout: 'none', roam: true, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
        label: { show: true, position: 'bottom', fontSize: 11, lineHeight: 15, formatter: p => p.data.text },
        lineStyle: { color: '#999', opacity: .7 },
        data: g.groups.map((x, i) => {
          const total = Object.values(x.counts).reduce((a, b) => a + b, 0);
          const finished = (x.counts.memory || 0) + (x.counts.done || 0) + (x.counts.erred || 0);
          const main = Object.entries(x.counts).sort((a, b) => b[1] - a[1])[0][0];
          const detail = `<b>${P.escape(x.name)}</b>: ${total.toLocaleString('en')} tasks<br>`
            + Object.entries(x.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n.toLocaleString('en')} ${s}`).join('<br>');
          return {
            name: x.name, x: pos[i][0] * 1.5, y: pos[i][1] * 1.5, detail,
            text: `${x.name}\n${finished.toLocaleString('en')} / ${total.toLocaleString('en')} finished`,
            symbolSize: 14 + 30 * Math.sqrt(total / maxTasks),
            itemStyle: { color: STATE_COLOR[main] || '#ccc', borderColor: P.groupColor(x.name), borderWidth: 3 },
          };
        }),
        edges: edges.map(([a, b, n]) => ({ source: a, target: b, count: n, lineStyle: { width: 1 + Math.log10(n) } })),
      }],
    }, { replaceMerge: ['series'] });
    drawnMode = 'groups';
  }
})();
