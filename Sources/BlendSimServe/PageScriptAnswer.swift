extension Page {
    /// The second part: asking the server, the answer, the sweep's curve and the start.
    static let scriptAnswer = #"""
        // ---- Asking the server ----
        function changed() {
          clearTimeout(state.timer);
          state.timer = setTimeout(ask, 120);
        }
        async function ask() {
          if (state.controller) state.controller.abort();
          const controller = new AbortController();
          state.controller = controller;
          state.sequence += 1;
          const sequence = state.sequence;
          const doc = documentToSend();
          const yaml = toYAML(doc);
          state.lines = yaml.paths;
          state.yaml = yaml.text;
          const m = mode();
          $('status').textContent = 'Simulating ' + state.a.replications + ' replications…';
          const started = performance.now();
          try {
            const body = { scenario: yaml.text, uncertainty: $('uncertainty').checked ? 'model' : 'none' };
            const result = await api(m === 'run' ? 'run' : 'compare', body, controller.signal);
            if (sequence !== state.sequence) return;
            show(result, m, doc);
            $('status').textContent = 'Answered in ' + Math.round(performance.now() - started) + ' ms (' + state.a.replications + ' replications).';
          } catch (error) {
            if (error.name === 'AbortError' || sequence !== state.sequence) return;
            if (error.status === 409) return;
            if (error.status === 503) {
              // Busy, not wrong: ask again in a second unless a newer change has asked since.
              $('status').textContent = 'The server is busy with other simulations; asking again in a second…';
              setTimeout(() => { if (sequence === state.sequence) ask(); }, 1000);
              return;
            }
            problem(error);
          }
        }
        function clearProblems() {
          $('problem').hidden = true;
          document.querySelectorAll('.invalid').forEach((n) => n.classList.remove('invalid'));
          document.querySelectorAll('.message').forEach((n) => n.remove());
        }
        function control(path) {
          let p = path;
          while (p) {
            const found = document.querySelector('[data-path="' + CSS.escape(p) + '"]');
            if (found) return found;
            p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
          }
          return null;
        }
        function problem(error) {
          clearProblems();
          const data = error.data || {};
          const errors = data.errors || [{ message: error.message }];
          $('status').textContent = 'No answer: the design has a problem.';
          let placed = 0;
          errors.forEach((e) => {
            const at = e.line ? control(state.lines[e.line - 1] || '') : null;
            if (at) {
              at.classList.add('invalid');
              at.setAttribute('aria-invalid', 'true');
              const message = el('div', { class: 'message', text: e.message });
              at.closest('.field') ? at.closest('.field').append(message) : at.after(message);
              placed += 1;
            }
          });
          $('problem').textContent = (data.error && data.error.rendered) || error.message;
          $('problem').hidden = false;
        }
        function link(id, text, type) {
          const a = $(id);
          if (a.dataset.url) URL.revokeObjectURL(a.dataset.url);
          a.dataset.url = URL.createObjectURL(new Blob([text], { type }));
          a.href = a.dataset.url;
        }
        function show(result, m, doc) {
          clearProblems();
          state.result = result;
          $('verdict').textContent = result.table;
          link('download-yaml', state.yaml, 'text/yaml');
          link('download-summary', result.summary_json, 'application/json');
          const report = '/results/' + result.id + '/report.html' + (token ? '?token=' + encodeURIComponent(token) : '');
          $('download-report').href = report;
          $('report').src = report;
          const figure = $('curve-figure');
          figure.hidden = m !== 'sweep';
          if (m === 'sweep') curve(result.summary, Number($('sweep-group').value) || 0);
        }

        // ---- The sweep's response curve (SVG, with its table as the text alternative) ----
        function curve(summary, groupIndex) {
          const points = (summary.variants || []).map((v, i) => {
            const g = v.groups[groupIndex];
            return { share: i / 10, mean: g.overall.after.mean, lower: g.overall.after.ci95[0], upper: g.overall.after.ci95[1],
              dropout: g.rates && g.rates.dropout_share ? g.rates.dropout_share.mean : null };
          });
          if (points.length === 0) return;
          const w = 640, h = 300, left = 60, bottom = 40, top = 20, right = 20;
          const lo = Math.min(...points.map((p) => p.lower)), hi = Math.max(...points.map((p) => p.upper));
          const pad = Math.max((hi - lo) * 0.1, 0.5);
          const y0 = lo - pad, y1 = hi + pad;
          const x = (s) => left + s * (w - left - right);
          const y = (v) => top + (1 - (v - y0) / (y1 - y0)) * (h - top - bottom);
          const ns = 'http://www.w3.org/2000/svg';
          const svg = document.createElementNS(ns, 'svg');
          svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
          svg.setAttribute('role', 'img');
          svg.setAttribute('aria-labelledby', 'curve-title');
          const title = document.createElementNS(ns, 'title');
          title.id = 'curve-title';
          const best = points.reduce((a, b) => (b.mean > a.mean ? b : a));
          title.textContent = 'Overall English score at the end of the semester by online share; highest at ' + Math.round(best.share * 100) + '% online (' + best.mean.toFixed(1) + ' scale points).';
          svg.append(title);
          const add = (tag, attributes, text) => {
            const n = document.createElementNS(ns, tag);
            for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, v);
            if (text !== undefined) n.textContent = text;
            svg.append(n);
            return n;
          };
          const band = points.map((p) => x(p.share) + ',' + y(p.upper)).concat(points.slice().reverse().map((p) => x(p.share) + ',' + y(p.lower)));
          add('polygon', { points: band.join(' '), fill: '#1f5fbf33', stroke: 'none' });
          add('polyline', { points: points.map((p) => x(p.share) + ',' + y(p.mean)).join(' '), fill: 'none', stroke: '#1f5fbf', 'stroke-width': 2 });
          points.forEach((p) => add('circle', { cx: x(p.share), cy: y(p.mean), r: 3, fill: '#1f5fbf' }));
          add('line', { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: '#5b6473' });
          add('line', { x1: left, y1: top, x2: left, y2: h - bottom, stroke: '#5b6473' });
          [0, 0.2, 0.4, 0.6, 0.8, 1].forEach((s) => add('text', { x: x(s), y: h - bottom + 16, 'text-anchor': 'middle', 'font-size': 12 }, Math.round(s * 100) + '%'));
          [y0, (y0 + y1) / 2, y1].forEach((v) => add('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 12 }, v.toFixed(1)));
          add('text', { x: (left + w - right) / 2, y: h - 4, 'text-anchor': 'middle', 'font-size': 12 }, 'share of teaching time online');
          $('curve').replaceChildren(svg);
          $('curve-caption').textContent = title.textContent + ' The band is the 95% interval over replications.';
          const table = $('curve-table');
          table.replaceChildren(el('caption', { text: 'The curve as a table' }),
            el('tr', {}, el('th', { scope: 'col', text: 'online' }), el('th', { scope: 'col', text: 'overall score' }), el('th', { scope: 'col', text: '95% interval' }), el('th', { scope: 'col', text: 'dropout' })));
          points.forEach((p) => table.append(el('tr', {}, el('td', { text: Math.round(p.share * 100) + '%' }), el('td', { text: p.mean.toFixed(2) }),
            el('td', { text: p.lower.toFixed(2) + ' – ' + p.upper.toFixed(2) }), el('td', { text: p.dropout === null ? '' : (p.dropout * 100).toFixed(1) + '%' }))));
        }

        // ---- Start ----
        async function start(name) {
          try {
            const doc = name === '' ? await api('template') : await api('scenarios/' + encodeURIComponent(name));
            load(doc.document);
          } catch (error) { problem(error); }
        }
        async function init() {
          try {
            state.plugins = await api('plugins');
            const list = await api('scenarios');
            const select = $('start');
            select.append(el('option', { value: '', text: 'a new course (the starting template)' }));
            list.scenarios.forEach((s) => select.append(el('option', { value: s, text: s })));
            const preferred = list.scenarios.includes('ratio-40-60.yaml') ? 'ratio-40-60.yaml' : '';
            select.value = preferred;
            select.addEventListener('change', () => start(select.value));
            $('upload').addEventListener('change', async () => {
              const file = $('upload').files[0];
              if (!file) return;
              try { load((await api('document', { scenario: await file.text() })).document); } catch (error) { problem(error); }
            });
            $('replications').addEventListener('input', () => { const v = Number($('replications').value); if (v >= 2) { state.a.replications = v; changed(); } });
            $('seed').addEventListener('input', () => { if ($('seed').value !== '') { state.a.seed = Number($('seed').value); changed(); } });
            $('uncertainty').addEventListener('change', changed);
            document.querySelectorAll('input[name=mode]').forEach((r) => r.addEventListener('change', () => { if (mode() === 'compare') designB(); renderDesigns(); changed(); }));
            $('sweep-group').addEventListener('change', changed);
            await start(preferred);
          } catch (error) { problem(error); }
        }
        init();
        })();
        """#
}
