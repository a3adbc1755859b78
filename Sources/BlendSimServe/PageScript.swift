extension Page {
    /// The page's script: the form, the scenario text it stands for, the API calls (a newer one
    /// aborts the older), and the answer. Nothing from the server is inserted as HTML: text goes
    /// in with textContent, the report in a sandboxed frame.
    public static var script: String { scriptForm + "\n" + scriptAnswer }

    /// The first part: the API call, the scenario text and the form.
    static let scriptForm = #"""
        'use strict';
        (() => {
        const $ = (id) => document.getElementById(id);
        const token = new URLSearchParams(location.search).get('token');
        const page = Math.random().toString(36).slice(2) + Date.now().toString(36);
        const LEVELS = ['elementary', 'pre_intermediate', 'intermediate', 'upper_intermediate', 'advanced', 'proficiency'];
        const TRAITS = [['self_regulation', 'Self-regulation (mean, 0–1)'], ['digital_competence', 'Digital competence (mean, 0–1)'],
          ['connectivity', 'Internet connection (mean, 0–1)'], ['motivation', 'Motivation (mean, 0–1)']];
        const state = { a: null, b: null, plugins: { models: [], policies: [] }, sequence: 0, controller: null, lines: [], timer: 0,
          result: null, yaml: '' };

        function headers(json) {
          const h = { 'X-Blendsim-Page': page };
          if (json) h['Content-Type'] = 'application/json';
          if (token) h['Authorization'] = 'Bearer ' + token;
          return h;
        }
        async function api(path, body, signal) {
          const response = await fetch('/api/v1/' + path, body === undefined
            ? { headers: headers(false) }
            : { method: 'POST', headers: Object.assign(headers(true), { 'X-Blendsim-Sequence': String(state.sequence) }), body: JSON.stringify(body), signal });
          let data = null;
          try { data = await response.json(); } catch (e) { data = { error: { message: 'the server answered ' + response.status } }; }
          if (!response.ok) { const error = new Error((data.error && data.error.message) || ('HTTP ' + response.status)); error.data = data; error.status = response.status; throw error; }
          return data;
        }
        const clone = (v) => JSON.parse(JSON.stringify(v));
        const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

        // ---- Scenario text: block YAML, one key a line, with the path each line sets ----
        function scalar(v) {
          if (v === null || v === undefined) return 'null';
          if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
          if (typeof v === 'boolean') return v ? 'true' : 'false';
          return JSON.stringify(String(v));
        }
        function key(k) { return /^[A-Za-z_][A-Za-z0-9_\-]*$/.test(k) ? k : JSON.stringify(k); }
        function inline(v) {
          if (Array.isArray(v)) return '[]';
          if (isObject(v)) return '{}';
          return scalar(v);
        }
        function toYAML(doc) {
          const lines = [], paths = [];
          const put = (text, path) => { lines.push(text); paths.push(path.join('.')); };
          const nonEmpty = (v) => (Array.isArray(v) && v.length > 0) || (isObject(v) && Object.keys(v).length > 0);
          function entry(k, v, column, path, prefix) {
            if (nonEmpty(v)) { put(prefix + key(k) + ':', path); node(v, column + 2, path); }
            else put(prefix + key(k) + ': ' + inline(v), path);
          }
          function node(v, column, path) {
            const pad = ' '.repeat(column);
            if (Array.isArray(v)) {
              v.forEach((item, i) => {
                const p = path.concat(i);
                if (isObject(item) && Object.keys(item).length) {
                  Object.keys(item).forEach((k, j) => entry(k, item[k], column + 2, p.concat(k), j === 0 ? pad + '- ' : pad + '  '));
                } else if (nonEmpty(item)) { put(pad + '-', p); node(item, column + 2, p); }
                else put(pad + '- ' + inline(item), p);
              });
            } else {
              Object.keys(v).forEach((k) => entry(k, v[k], column, path.concat(k), pad));
            }
          }
          node(doc, 0, []);
          return { text: lines.join('\n') + '\n', paths };
        }

        // ---- The document the form edits ----
        function normalise(doc) {
          const d = clone(doc);
          delete d.variants;
          if (!d.name) d.name = 'what-if';
          if (!d.replications || d.replications < 2) d.replications = 30;
          if (d.seed === undefined) d.seed = 1;
          d.population = isObject(d.population) ? d.population : {};
          d.groups = (d.groups || []).map((g) => {
            const group = clone(g);
            if (typeof group.model === 'string') group.model = { name: group.model };
            group.online_share = group.online_share ?? 0;
            group.hours = Object.assign({ contact: 4, siwt: 1, siw: 3 }, group.hours || {});
            group.policies = (group.policies || []).map((p) => typeof p === 'string' ? { name: p } : p);
            group.levels = group.levels || { intermediate: 1 };
            return group;
          });
          return d;
        }
        function groupForYAML(g) {
          const out = {};
          for (const [k, v] of Object.entries(g)) {
            if (k === 'model') out.model = v.parameters && Object.keys(v.parameters).length ? v : v.name;
            else if (k === 'policies') out.policies = v.map((p) => p.parameters && Object.keys(p.parameters).length ? p : p.name);
            else if (k === 'population' && (!isObject(v) || Object.keys(v).length === 0)) continue;
            else out[k] = v;
          }
          return out;
        }
        function mode() { return document.querySelector('input[name=mode]:checked').value; }
        function documentToSend() {
          const a = state.a;
          const doc = {};
          for (const [k, v] of Object.entries(a)) {
            if (k === 'groups') doc.groups = v.map(groupForYAML);
            else if (k === 'population' && Object.keys(v).length === 0) continue;
            else doc[k] = v;
          }
          const m = mode();
          if (m === 'compare') {
            // B sets only what differs from A, so compare's list of changes says what B changes.
            const b = {};
            state.b.groups.forEach((g, i) => {
              const own = groupForYAML(g), base = groupForYAML(a.groups[i]);
              const changes = {};
              for (const [k, v] of Object.entries(own)) if (k !== 'name' && JSON.stringify(v) !== JSON.stringify(base[k])) changes[k] = v;
              if (Object.keys(changes).length) b[g.name] = changes;
            });
            doc.variants = [{ name: 'A' }, Object.keys(b).length ? { name: 'B', groups: b } : { name: 'B' }];
          } else if (m === 'sweep') {
            const g = a.groups[Number($('sweep-group').value) || 0];
            doc.variants = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((share) =>
              ({ name: Math.round(share * 100) + '% online', groups: { [g.name]: { online_share: share } } }));
          }
          return doc;
        }

        // ---- The form ----
        function el(tag, attributes, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attributes || {})) {
            if (k === 'text') node.textContent = v; else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
          }
          children.forEach((c) => node.append(c));
          return node;
        }
        let uid = 0;
        function field(labelText, input, path, hint) {
          input.id = input.id || ('f' + (++uid));
          input.dataset.path = path;
          const row = el('div', { class: 'field' }, el('label', { for: input.id, text: labelText }), input);
          if (hint) row.append(hint);
          return row;
        }
        function number(value, min, max, step, set) {
          const input = el('input', { type: 'number', min, max, step, value });
          input.addEventListener('input', () => { if (input.value !== '') { set(Number(input.value)); changed(); } });
          return input;
        }
        function renderGroup(design, g, i, prefix) {
          const box = el('fieldset', { class: 'group' }, el('legend', { text: 'Group “' + g.name + '”' }));
          const at = (k) => prefix(i, g) + '.' + k;
          const models = el('select');
          state.plugins.models.slice().sort((x, y) => (x.example === y.example ? 0 : x.example ? 1 : -1)).forEach((m) => models.append(el('option', { value: m.name, text: m.name + (m.example ? ' (example plugin)' : ''), selected: m.name === g.model.name })));
          // A study may tune its model; picking a model from the list uses that model's defaults.
          const own = g.model.parameters && Object.keys(g.model.parameters).length
            ? el('output', { text: 'this study’s own ' + g.model.name + ' (' + Object.keys(g.model.parameters).join(', ') + ' set by the scenario)' }) : null;
          models.addEventListener('change', () => {
            if (own) own.textContent = models.value + ' with its default parameters (the study’s own values are not used)';
            g.model = { name: models.value };
            changed();
          });
          box.append(field('Blended model', models, at('model'), own));
          const share = el('input', { type: 'range', min: 0, max: 100, step: 5, value: Math.round(g.online_share * 100) });
          const shown = el('output', { text: '' });
          const say = () => { shown.textContent = share.value + '% online / ' + (100 - share.value) + '% classroom'; share.setAttribute('aria-valuetext', shown.textContent); };
          say();
          share.addEventListener('input', () => { g.online_share = Number(share.value) / 100; say(); changed(); });
          box.append(field('Online share', share, at('online_share'), shown));
          box.append(field('Students', number(g.students, 1, 100000, 1, (v) => { g.students = v; }), at('students')));
          box.append(field('Class hours a week', number(g.hours.contact, 0, 40, 0.5, (v) => { g.hours.contact = v; }), at('hours')));
          box.append(field('Independent work with a teacher (h/week)', number(g.hours.siwt, 0, 40, 0.5, (v) => { g.hours.siwt = v; }), at('hours')));
          box.append(field('Independent work (h/week)', number(g.hours.siw, 0, 40, 0.5, (v) => { g.hours.siw = v; }), at('hours')));
          const levels = el('details', {}, el('summary', { text: 'Starting levels (shares that sum to 1)' }));
          LEVELS.forEach((band) => levels.append(field(band.replace('_', '-'), number(g.levels[band] ?? 0, 0, 1, 0.01, (v) => { g.levels[band] = v; }), at('levels'))));
          box.append(levels);
          const traits = el('details', {}, el('summary', { text: 'The students (traits)' }));
          g.population = g.population || {};
          const base = design.population || {};
          traits.append(field('Share with a personal PC (0–1)', number(g.population.device_access ?? base.device_access ?? 0.8, 0, 1, 0.05,
            (v) => { g.population.device_access = v; }), at('population')));
          TRAITS.forEach(([trait, label]) => {
            const current = (g.population[trait] || base[trait] || {}).mean;
            traits.append(field(label, number(current ?? '', 0, 1, 0.05, (v) => { g.population[trait] = Object.assign({}, base[trait] || { sd: 0.15 }, g.population[trait] || {}, { mean: v }); }), at('population')));
          });
          box.append(traits);
          const policies = el('fieldset', { class: 'policies' }, el('legend', { text: 'Policies' }));
          // The shipped policies first, the example plugins last.
          state.plugins.policies.slice().sort((x, y) => (x.example === y.example ? 0 : x.example ? 1 : -1)).forEach((p) => {
            const chosen = g.policies.find((x) => x.name === p.name);
            const check = el('input', { type: 'checkbox', checked: !!chosen });
            check.dataset.path = at('policies');
            const label = el('label', {}, check, ' ' + p.name + (p.example ? ' (example plugin)' : '') + (p.summary ? ' — ' + p.summary : ''));
            const parameters = el('div', { class: 'policy-parameters', hidden: !chosen });
            (p.parameters || []).filter((q) => q.type === 'number' || q.type === 'integer').forEach((q) => {
              const own = chosen && chosen.parameters ? chosen.parameters[q.name] : undefined;
              parameters.append(field(q.name + (q.unit ? ' (' + q.unit + ')' : ''), number(own ?? q.default, q.minimum, q.maximum, q.type === 'integer' ? 1 : 'any', (v) => {
                const item = g.policies.find((x) => x.name === p.name);
                if (item) { item.parameters = item.parameters || {}; item.parameters[q.name] = v; }
              }), at('policies')));
            });
            check.addEventListener('change', () => {
              if (check.checked) g.policies.push({ name: p.name }); else g.policies = g.policies.filter((x) => x.name !== p.name);
              parameters.hidden = !check.checked;
              changed();
            });
            policies.append(label, parameters);
          });
          box.append(policies);
          return box;
        }
        function renderDesigns() {
          const host = $('designs');
          host.replaceChildren();
          const m = mode();
          const a = el('div', { class: 'design' }, el('h3', { text: m === 'compare' ? 'Design A' : 'Design' }));
          state.a.groups.forEach((g, i) => a.append(renderGroup(state.a, g, i, (index) => 'groups.' + index)));
          host.append(a);
          if (m === 'compare') {
            const b = el('div', { class: 'design' }, el('h3', { text: 'Design B' }));
            state.b.groups.forEach((g, i) => b.append(renderGroup(state.a, g, i, (index, group) => 'variants.1.groups.' + group.name)));
            host.append(b);
          }
          const sweep = $('sweep-group');
          sweep.replaceChildren(...state.a.groups.map((g, i) => el('option', { value: i, text: g.name })));
          $('sweep-options').hidden = m !== 'sweep';
          $('replications').value = state.a.replications;
          $('seed').value = state.a.seed;
        }
        // Design B starts as A with 20 points of teaching time moved (online to classroom, or the
        // other way from under 20% online): the question teachers ask first.
        function designB() {
          state.b = clone(state.a);
          state.b.groups.forEach((g) => {
            const moved = g.online_share >= 0.2 ? g.online_share - 0.2 : g.online_share + 0.2;
            g.online_share = Math.round(moved * 100) / 100;
          });
        }
        function load(doc) {
          state.a = normalise(doc);
          designB();
          renderDesigns();
          changed();
        }
        """#
}
