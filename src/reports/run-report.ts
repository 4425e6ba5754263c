import type { RunReportData } from './run-report-data.js';

// `flow runs report`: one self-contained HTML page of a flow run (API.md
// section 8). Styles, script and data are inline and nothing is fetched, so
// the file opens from disk, offline, as a CI artifact. The data sits in a
// JSON script element and the page's script draws it: the timeline (SVG),
// the failures and the log lines with their filters.

/** Task runs drawn one bar each; above, each task's runs are drawn as one lane of how many ran when. */
export const MAX_BARS = 2_000;
/** Log lines drawn at once; the rest on request. */
const LINES_AT_ONCE = 2_000;

// JSON inside a script element: `<` escaped, so that no text of the run
// (a message holding `</script>`) can end the element.
const embedJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --bg: #fff; --panel: #f5f6f8; --line: #e2e5ea;
  --completed: #2e9d4a; --cached: #3b82f6; --cancelled: #c99400; --failed: #d33a2c; --crashed: #e0245e; --other: #8a8f98; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa1ab; --bg: #15181d; --panel: #1e2229; --line: #2c313a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; }
.sub { color: var(--muted); margin-bottom: 16px; }
table.facts { border-collapse: collapse; } table.facts td { padding: 3px 16px 3px 0; vertical-align: top; } table.facts td:first-child { color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--panel); padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 6px 0 14px; }
.state { font-weight: 600; }
.s-COMPLETED { color: var(--completed); } .s-Cached { color: var(--cached); } .s-CANCELLED { color: var(--cancelled); }
.s-FAILED { color: var(--failed); } .s-CRASHED { color: var(--crashed); } .s-OTHER { color: var(--other); }
#timeline svg { width: 100%; height: auto; background: var(--panel); border-radius: 6px; }
#timeline text { fill: var(--fg); font: 11px system-ui, sans-serif; } #timeline .axis { fill: var(--muted); }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.filters { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
select, button { font: inherit; padding: 3px 6px; }
#logs { border-collapse: collapse; width: 100%; } #logs td { padding: 2px 8px 2px 0; vertical-align: top; border-bottom: 1px solid var(--line); }
#logs td.msg { white-space: pre-wrap; word-break: break-word; }
.l-WARNING { color: var(--cancelled); } .l-ERROR, .l-CRITICAL { color: var(--failed); } .l-DEBUG { color: var(--muted); }
.muted { color: var(--muted); }
`;

const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var LINES_AT_ONCE = ${LINES_AT_ONCE}, MAX_BARS = ${MAX_BARS};
  var svgNs = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(svgNs, tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // As the console quotes names (Python's repr).
  function repr(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var body = text.replace(/\\\\/g, '\\\\\\\\').replace(/\\n/g, '\\\\n').replace(/\\r/g, '\\\\r').replace(/\\t/g, '\\\\t');
    return quote + body.split(quote).join('\\\\' + quote) + quote;
  }
  function stateClass(state) { return state.name === 'Cached' ? 's-Cached' : /^(COMPLETED|CANCELLED|FAILED|CRASHED)$/.test(state.type) ? 's-' + state.type : 's-OTHER'; }
  function colour(state) { return 'var(--' + stateClass(state).slice(2).toLowerCase() + ')'; }
  function seconds(ms) { return ms < 0 ? '-' : ms < 1000 ? Math.round(ms) + 'ms' : ms < 10000 ? (ms / 1000).toFixed(2) + 's' : (ms / 1000).toFixed(1) + 's'; }
  function clock(ms) { var d = new Date(data.run.start + ms); function p(n, w) { return String(n).padStart(w || 2, '0'); } return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds()) + '.' + p(d.getMilliseconds(), 3); }
  var runs = data.taskRuns.map(function (r, index) {
    return { index: index, name: r[0], task: data.tasks[r[1]], state: data.states[r[2]], created: r[3], start: r[4], end: r[5], runCount: r[6], flowRun: data.flowRuns[r[7]], immediate: r[8] === 1 };
  });

  // The timeline: a bar a task run (waiting lighter), grouped by task; past
  // MAX_BARS, a lane a task, shaded by how many of its runs ran at each time.
  (function drawTimeline() {
    var box = document.getElementById('timeline');
    if (runs.length === 0) { box.appendChild(el('p', { class: 'muted' }, 'No task runs.')); return; }
    // (A loop: Math.max.apply over 100,000 runs overflows the stack.)
    var span = Math.max(1, data.run.durationMs || 0);
    runs.forEach(function (r) { span = Math.max(span, r.end, r.start, r.created); });
    var labelWidth = 230, width = 1000, plot = width - labelWidth - 10, row = 14, y = 24;
    function x(ms) { return labelWidth + (Math.max(0, ms) / span) * plot; }
    var groups = [], byTask = {};
    runs.forEach(function (r) { if (!byTask[r.task]) { byTask[r.task] = []; groups.push(r.task); } byTask[r.task].push(r); });
    var aggregate = runs.length > MAX_BARS;
    var height = y + groups.length * (row + 4) + (aggregate ? groups.length * 22 : runs.length * row) + 10;
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Timeline of the task runs' });
    for (var tick = 0; tick <= 4; tick += 1) {
      var at = (span * tick) / 4;
      root.appendChild(svg('line', { x1: x(at), x2: x(at), y1: 16, y2: height, stroke: 'currentColor', 'stroke-opacity': 0.12 }));
      root.appendChild(svg('text', { x: x(at), y: 12, 'text-anchor': tick === 0 ? 'start' : tick === 4 ? 'end' : 'middle', class: 'axis' }, seconds(at)));
    }
    groups.forEach(function (task) {
      var members = byTask[task].slice().sort(function (a, b) { return (a.start < 0 ? a.created : a.start) - (b.start < 0 ? b.created : b.start); });
      var counts = {};
      members.forEach(function (r) { counts[r.state.name] = (counts[r.state.name] || 0) + 1; });
      var summary = Object.keys(counts).map(function (name) { return counts[name] + ' ' + name; }).join(', ');
      root.appendChild(svg('text', { x: 4, y: y + 11, 'font-weight': 600 }, task + ' (' + members.length + (members.length > 1 ? ': ' + summary : '') + ')'));
      y += row + 4;
      if (aggregate) {
        var bins = 200, busy = new Array(bins).fill(0), worst = new Array(bins).fill(null), top = 1;
        members.forEach(function (r) {
          if (r.start < 0) return;
          var from = Math.floor((r.start / span) * (bins - 1)), to = Math.floor(((r.end < 0 ? span : r.end) / span) * (bins - 1));
          for (var b = from; b <= to; b += 1) { busy[b] += 1; top = Math.max(top, busy[b]); if (r.state.type !== 'COMPLETED') worst[b] = r.state; }
        });
        busy.forEach(function (count, b) {
          if (count === 0) return;
          var rect = svg('rect', { x: labelWidth + (b / bins) * plot, y: y, width: plot / bins + 0.5, height: 18, fill: worst[b] ? colour(worst[b]) : 'var(--completed)', 'fill-opacity': 0.25 + (0.75 * count) / top });
          rect.appendChild(svg('title', {}, count + ' running at ' + seconds((b / bins) * span)));
          root.appendChild(rect);
        });
        y += 22;
        return;
      }
      members.forEach(function (r) {
        var g = svg('g', { class: 'bar', 'data-task': r.task });
        g.appendChild(svg('text', { x: 14, y: y + 10 }, r.name.length > 34 ? r.name.slice(0, 33) + '…' : r.name));
        var begun = r.start < 0 ? r.end : r.start;
        if (begun > r.created) g.appendChild(svg('rect', { x: x(r.created), y: y + 3, width: Math.max(0.5, x(begun) - x(r.created)), height: 8, fill: colour(r.state), 'fill-opacity': 0.25 }));
        if (r.start >= 0) g.appendChild(svg('rect', { x: x(r.start), y: y + 1, width: Math.max(1.5, x(r.end < 0 ? span : r.end) - x(r.start)), height: 12, rx: 2, fill: colour(r.state), 'data-start': r.start }));
        g.appendChild(svg('title', {}, r.name + ': ' + r.state.text + (r.start >= 0 && r.end >= 0 ? ' in ' + seconds(r.end - r.start) : '') + (r.runCount > 1 ? ', ' + r.runCount + ' attempts' : '')));
        root.appendChild(g);
        y += row;
      });
    });
    box.appendChild(root);
  })();

  // Failures: each failed or crashed run with its error lines (stacks included).
  (function drawFailures() {
    var box = document.getElementById('failures');
    var failed = runs.filter(function (r) { return r.state.type === 'FAILED' || r.state.type === 'CRASHED'; });
    var flowLevel = data.lines.filter(function (l) { return l[3] < 0 && l[1] >= data.levels.ERROR; });
    if (failed.length === 0 && flowLevel.length === 0) { box.appendChild(el('p', { class: 'muted' }, 'None.')); return; }
    var linesOf = {};
    data.lines.forEach(function (l) { if (l[3] >= 0 && l[1] >= data.levels.ERROR) (linesOf[l[3]] = linesOf[l[3]] || []).push(l[4]); });
    failed.forEach(function (r) {
      var head = el('h3', {}, 'Task run ' + repr(r.name) + ' ');
      head.appendChild(el('span', { class: 'state ' + stateClass(r.state) }, r.state.text));
      box.appendChild(head);
      (linesOf[r.index] || [r.state.text]).forEach(function (text) { box.appendChild(el('pre', {}, text)); });
    });
    flowLevel.forEach(function (l) { box.appendChild(el('h3', {}, l[2])); box.appendChild(el('pre', {}, l[4])); });
  })();

  // The log lines, as the console printed them: the stored ones, and the
  // engine's lines of each task run rebuilt from its row.
  (function drawLogs() {
    var all = data.lines.map(function (l) { return { time: l[0], level: l[1], source: l[2], run: l[3], text: l[4] }; });
    runs.forEach(function (r) {
      var flowSource = 'Flow run ' + repr(r.flowRun.name), level = data.run.logLevel;
      if (data.levels.INFO >= level) {
        all.push({ time: r.created, level: data.levels.INFO, source: flowSource, run: r.index, text: 'Created task run ' + repr(r.name) + ' for task ' + repr(r.task) });
        all.push({ time: r.created, level: data.levels.INFO, source: flowSource, run: r.index, text: r.immediate ? 'Executing ' + repr(r.name) + ' immediately...' : 'Submitted task run ' + repr(r.name) + ' for execution.' });
      }
      var end = r.state.type === 'COMPLETED' ? data.levels.INFO : data.levels.ERROR;
      if (r.end >= 0 && end >= level) all.push({ time: r.end, level: end, source: 'Task run ' + repr(r.name), run: r.index, text: 'Finished in state ' + r.state.text });
    });
    all.sort(function (a, b) { return a.time - b.time; });
    var names = {}; Object.keys(data.levels).forEach(function (name) { names[data.levels[name]] = name; });
    var levelSelect = document.getElementById('level'), taskSelect = document.getElementById('task');
    Object.keys(data.levels).forEach(function (name) { levelSelect.appendChild(el('option', { value: String(data.levels[name]), label: name }, name)); });
    data.tasks.forEach(function (task) { taskSelect.appendChild(el('option', { value: task }, task)); });
    var table = document.getElementById('logs'), count = document.getElementById('count'), more = document.getElementById('more'), shown = LINES_AT_ONCE;
    function draw() {
      var least = Number(levelSelect.value), task = taskSelect.value;
      var chosen = all.filter(function (line) { return line.level >= least && (task === '' || (line.run >= 0 && runs[line.run].task === task)); });
      table.textContent = '';
      chosen.slice(0, shown).forEach(function (line) {
        var tr = el('tr', { class: 'l-' + names[line.level] });
        tr.appendChild(el('td', { class: 'mono' }, clock(line.time)));
        tr.appendChild(el('td', { class: 'mono' }, names[line.level]));
        tr.appendChild(el('td', {}, line.source));
        tr.appendChild(el('td', { class: 'msg mono' }, line.text));
        table.appendChild(tr);
      });
      count.textContent = Math.min(shown, chosen.length) + ' of ' + chosen.length + ' lines';
      more.hidden = chosen.length <= shown;
    }
    levelSelect.onchange = taskSelect.onchange = function () { shown = LINES_AT_ONCE; draw(); };
    more.onclick = function () { shown += LINES_AT_ONCE; draw(); };
    draw();
  })();
})();
`;

const factRow = (name: string, value: string, valueClass?: string): string =>
  `<tr><td>${escapeHtml(name)}</td><td${valueClass === undefined ? '' : ` class="${valueClass}"`}>${escapeHtml(value)}</td></tr>`;

const stateClassOf = (state: RunReportData['run']['state']): string =>
  state.name === 'Cached' ? 's-Cached' : ['COMPLETED', 'CANCELLED', 'FAILED', 'CRASHED'].includes(state.type) ? `s-${state.type}` : 's-OTHER';

const LEGEND = [
  ['Completed', 'completed'],
  ['Cached', 'cached'],
  ['Cancelled', 'cancelled'],
  ['Failed, TimedOut', 'failed'],
  ['Crashed', 'crashed'],
  ['other', 'other'],
]
  .map(([label, variable]) => `<span><i style="background: var(--${variable ?? 'other'})"></i>${label ?? ''}</span>`)
  .join('');

/** The page, whole. `formatTime` renders the run's start for people (local time). */
export const buildRunReport = (data: RunReportData, formatTime: (time: number) => string, formatDuration: (ms: number) => string): string => {
  const { run } = data;
  const subflows = data.flowRuns.slice(1);
  const facts = [
    factRow('flow', run.flowName),
    factRow('flow run', `${run.name} (${run.id})`),
    factRow('state', run.state.text, `state ${stateClassOf(run.state)}`),
    factRow('started', formatTime(run.start)),
    factRow('duration', run.durationMs === undefined ? 'not finished' : formatDuration(run.durationMs)),
    factRow('runner', run.runner),
    factRow('parameters', JSON.stringify(run.parameters)),
    factRow('process', `pid ${run.pid} on ${run.host}${run.runCount > 1 ? `, run ${run.runCount} times (flow runs retry)` : ''}`),
    factRow('task runs', String(data.taskRuns.length)),
    ...(subflows.length === 0 ? [] : [factRow('subflow runs', subflows.map((subflow) => `${subflow.name} (${subflow.flowName}): ${subflow.state.text}`).join('; '))]),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${run.flowName} / ${run.name}: ${run.state.text}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Flow run ${escapeHtml(run.name)}</h1>
<div class="sub">flow ${escapeHtml(run.flowName)} · <span class="state ${stateClassOf(run.state)}">${escapeHtml(run.state.text)}</span></div>
<table class="facts">
${facts}
</table>
<h2>Timeline</h2>
<div class="legend">${LEGEND}</div>
<div id="timeline"></div>
<h2>Failures</h2>
<div id="failures"></div>
<h2>Log lines</h2>
<div class="filters"><label>Level <select id="level"></select></label><label>Task <select id="task"><option value="">all</option></select></label><span id="count" class="muted"></span></div>
<table id="logs"></table>
<p><button id="more" hidden>More lines</button></p>
<noscript>The timeline, failures and log lines are drawn by the page's script.</noscript>
</main>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
};
