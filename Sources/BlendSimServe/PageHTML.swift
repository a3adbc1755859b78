/// The what-if page: one HTML document, its script and its style sheet, served by `blendsim
/// serve` from memory (no CDN, nothing fetched from elsewhere: it works offline). The script
/// talks only to the JSON API (docs/openapi.json); the results' charts are report.html's own,
/// shown in a sandboxed frame.
public enum Page {
    public static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>blendsim — what if?</title>
        <link rel="stylesheet" href="/app.css">
        <script src="/app.js" defer></script>
        </head>
        <body>
        <header>
          <h1>blendsim — what if?</h1>
          <p>Change the design of a blended course and see what a semester does to the students' English.
          Every answer is a simulation, computed as <code>blendsim run</code> and <code>blendsim compare</code> compute it.</p>
        </header>
        <main>
          <section id="setup" aria-labelledby="setup-title">
            <h2 id="setup-title">1. Start from</h2>
            <div class="row">
              <label for="start">Scenario</label>
              <select id="start"></select>
              <label for="upload">or upload a scenario (YAML)</label>
              <input id="upload" type="file" accept=".yaml,.yml,text/yaml">
            </div>
            <div class="row">
              <label for="replications">Replications</label>
              <input id="replications" type="number" min="2" max="200" step="1" data-path="replications">
              <label for="seed">Seed</label>
              <input id="seed" type="number" min="0" step="1" data-path="seed">
              <label><input id="uncertainty" type="checkbox"> Include what the evidence leaves uncertain (model uncertainty)</label>
            </div>
            <fieldset class="row" id="mode">
              <legend>2. Question</legend>
              <label><input type="radio" name="mode" value="run" checked> What does this design give?</label>
              <label><input type="radio" name="mode" value="compare"> Design A against design B</label>
              <label><input type="radio" name="mode" value="sweep"> Online share from 0% to 100%</label>
              <span id="sweep-options" hidden>
                <label for="sweep-group">for group</label>
                <select id="sweep-group"></select>
              </span>
            </fieldset>
          </section>
          <section aria-labelledby="designs-title">
            <h2 id="designs-title">3. Design</h2>
            <div id="designs" class="designs"></div>
          </section>
          <section id="answer" aria-labelledby="answer-title">
            <h2 id="answer-title">4. Answer</h2>
            <p id="status" role="status" aria-live="polite">Loading…</p>
            <div id="problem" role="alert" hidden></div>
            <pre id="verdict" tabindex="0" aria-label="Verdict and table"></pre>
            <figure id="curve-figure" hidden>
              <div id="curve"></div>
              <figcaption id="curve-caption"></figcaption>
              <table id="curve-table"></table>
            </figure>
            <p class="downloads">
              Download what is on screen:
              <a id="download-yaml" download="scenario.yaml" href="#">scenario.yaml</a>
              <a id="download-summary" download="summary.json" href="#">summary.json</a>
              <a id="download-report" download="report.html" href="#">report.html</a>
            </p>
            <iframe id="report" title="The full report: charts and tables of the answer" sandbox></iframe>
          </section>
        </main>
        </body>
        </html>
        """#

    public static let css = #"""
        :root { --ink: #1d2430; --muted: #5b6473; --line: #d5dae2; --accent: #1f5fbf; --bad: #b3261e; --bg: #fbfcfd; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
        header, main { max-width: 1200px; margin: 0 auto; padding: 0 1rem; }
        h1 { font-size: 1.5rem; margin: 1rem 0 0.25rem; }
        h2 { font-size: 1.1rem; margin: 1.25rem 0 0.5rem; }
        .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.4rem 0; border: 0; padding: 0; }
        fieldset.row legend { font-weight: 600; margin-bottom: 0.25rem; }
        .designs { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
        .design { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; background: #fff; }
        .design h3 { margin: 0.25rem 0 0.5rem; font-size: 1rem; }
        .group { border: 1px solid var(--line); border-radius: 4px; margin: 0.5rem 0; padding: 0.4rem 0.6rem; }
        .group legend { font-weight: 600; }
        .field { display: grid; grid-template-columns: 11rem 1fr; gap: 0.25rem 0.5rem; align-items: center; margin: 0.2rem 0; }
        .field output { color: var(--muted); }
        .policies label { display: block; }
        .policy-parameters { margin-left: 1.5rem; }
        input[type=number] { width: 7rem; }
        input[type=range] { width: 100%; }
        .invalid { outline: 2px solid var(--bad); }
        .message { color: var(--bad); font-size: 0.9rem; grid-column: 1 / -1; }
        #problem { color: var(--bad); white-space: pre-wrap; border-left: 3px solid var(--bad); padding-left: 0.5rem; }
        #verdict { background: #fff; border: 1px solid var(--line); padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; }
        #report { width: 100%; height: 900px; border: 1px solid var(--line); background: #fff; }
        .downloads a { margin-right: 1rem; }
        #curve svg { width: 100%; max-width: 760px; height: auto; }
        #curve-table { border-collapse: collapse; font-size: 0.9rem; }
        #curve-table td, #curve-table th { border: 1px solid var(--line); padding: 0.15rem 0.5rem; text-align: right; }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        """#
}
