/* hoc explore's page: plain JavaScript, no framework, nothing fetched but
 * the explorer's own /api. With window.HOC_BUNDLE (hoc check --html, hoc sim
 * --html) the same views read a bundle of documents instead: read-only. */
"use strict";
(function () {
  const B = window.HOC_BUNDLE || null;
  let algo = null, tree = null, cur = -1, state = null, seed = 1;
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  async function api(path, body) {
    if (B) {
      const d = B.docs[path];
      if (!d) throw new Error("this page holds no " + path + " (it is read-only)");
      return d;
    }
    const init = body === undefined ? {} :
      { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) };
    const r = await fetch(path, init);
    let j;
    try { j = await r.json(); } catch (e) { throw new Error("HTTP " + r.status); }
    if (!r.ok) throw new Error(j.error || "HTTP " + r.status);
    return j;
  }
  function error(e) { $("error").textContent = e ? String(e.message || e) : ""; }
  function message(m) { $("message").textContent = m || ""; }

  /* ---- addresses: #/run/... (durable) or #/node/ID (this explorer) ---- */
  function hashOf(s) { return s.addr ? "#/" + s.addr : "#/node/" + s.id; }
  async function route() {
    const h = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    try {
      if (h.startsWith("node/")) return await show(parseInt(h.slice(5), 10));
      if (h.startsWith("run/")) {
        if (B) {
          const n = tree.nodes.find((x) => x.addr === h);
          if (!n) throw new Error("this page holds no state at " + h);
          return await show(n.id);
        }
        const r = await api("/api/resolve?addr=" + encodeURIComponent(h));
        tree = await api("/api/tree");
        return await show(r.id);
      }
      if (h) throw new Error("no state at #/" + h + " (addresses are #/run/... or #/node/ID)");
      await show(B ? B.focus : (await api("/api/focus")).id);
    } catch (e) { error(e); }
  }
  function go(id) {
    const n = tree.nodes[id];
    const h = n && n.addr ? "#/" + n.addr : "#/node/" + id;
    if (location.hash === h) show(id).catch(error); else location.hash = h;
  }

  /* ---- the views ---- */
  function renderTree() {
    const kids = {};
    tree.nodes.forEach((n) => { (kids[n.parent] = kids[n.parent] || []).push(n); });
    const item = (n) => {
      const li = el("li", { "data-id": n.id });
      const a = el("a", { href: n.addr ? "#/" + n.addr : "#/node/" + n.id, "data-id": n.id },
        "#" + n.id + " " + (n.parent < 0 ? n.label : "r" + (n.round - 1)) +
        (n.label !== "step" && n.parent >= 0 ? " " + n.label : ""));
      if (n.failing) a.classList.add("bad");
      if (n.id === cur) a.classList.add("current");
      a.title = n.failing ? n.failing + " spec(s) fail here" : "every invariant and property holds";
      li.appendChild(a);
      return li;
    };
    /* a run without branches stays at one level; branches nest, so a long
     * trace does not walk off the pane */
    const chain = (n, ul) => {
      for (let x = n; ;) {
        const li = item(x), k = kids[x.id] || [];
        ul.appendChild(li);
        if (k.length === 1) { x = k[0]; continue; }
        if (k.length > 1) {
          const sub = el("ul");
          k.forEach((c) => chain(c, sub));
          li.appendChild(sub);
        }
        return;
      }
    };
    const root = el("ul");
    for (const r of kids[-1] || []) { /* each start holds its runs */
      const li = item(r), k = kids[r.id] || [];
      root.appendChild(li);
      if (k.length) {
        const sub = el("ul");
        k.forEach((c) => chain(c, sub));
        li.appendChild(sub);
      }
    }
    const t = $("tree");
    t.replaceChildren(...root.childNodes);
  }

  function renderState(s) {
    $("state-id").textContent = "#" + s.id;
    $("state-round").textContent = s.round;
    $("state-next").textContent = s.next_round;
    $("state-addr").textContent = s.addr ? "address: #/" + s.addr : "";
    const blamed = new Set();
    s.specs.forEach((sp) => sp.blame.forEach((p) => blamed.add(p)));
    const tb = $("state");
    const head = el("tr");
    head.appendChild(el("th", {}, "process"));
    for (const f of algo.fields) {
      const th = el("th", { "data-f": f.name }, f.name + (f.ghost ? " (ghost)" : ""));
      if (f.ghost) th.classList.add("ghost");
      head.appendChild(th);
    }
    head.appendChild(el("th", {}, "status"));
    const rows = [head];
    for (const p of s.procs) {
      const tr = el("tr", { "data-p": p.id });
      tr.appendChild(el("th", {}, "p" + p.id));
      for (const f of p.fields) {
        const td = el("td", { "data-p": p.id, "data-f": f.name, "data-change": f.change }, f.value);
        if (f.ghost) td.classList.add("ghost");
        if (f.change) { td.classList.add(f.change); td.title = f.change + " in the last round"; }
        tr.appendChild(td);
      }
      tr.appendChild(el("td", { "data-p": p.id, "data-f": "status" },
        p.crashed ? "crashed" : p.halted ? "halted" : ""));
      if (p.crashed) tr.classList.add("crashed");
      if (blamed.has(p.id)) tr.classList.add("blame");
      rows.push(tr);
    }
    tb.replaceChildren(...rows);
    const ul = $("specs");
    ul.replaceChildren(...s.specs.map((sp) => {
      const li = el("li", { "data-spec": sp.name, "data-holds": String(sp.holds) },
        sp.kind + " " + sp.name);
      li.className = !sp.judged ? "info" : sp.holds ? "ok" : "bad";
      if (!sp.judged) li.append(sp.holds ? " (holds here)" : " (does not hold here)");
      if (sp.kind === "assumption") li.append(sp.holds ? " (this round keeps it)" : " (this round breaks it)");
      if (sp.judged && !sp.holds && sp.kind !== "assumption") {
        const why = sp.blame.length ?
          " broken by " + sp.blame.map((p) => "p" + p).join(", ") + "'s step: with " +
            (sp.blame.length > 1 ? "their states" : "its state") + " from before the round, it holds" :
          (s.parent < 0 ? " fails in this initial state" : " fails; no one to three processes' steps alone explain it");
        li.appendChild(el("span", { class: "blame", "data-blame": sp.blame.join(",") }, why));
      }
      return li;
    }));
  }

  /* what the environment did to one process after its update, as hoc check
   * prints it: "p0 replaced, write(2)" */
  function envText(e) {
    return "p" + e.p + " " + (e.replaced ? ["replaced"] : []).concat(e.events).join(", ");
  }

  function renderOutputs(path) {
    const last = path.rounds[path.rounds.length - 1];
    const div = $("outputs");
    if (!last) { div.textContent = "none: this is a start"; return; }
    const parts = ["round " + last.round + " (" + last.name + ")"];
    if (last.crashed.length) parts.push("crashed: " + last.crashed.map((p) => "p" + p).join(", "));
    parts.push("outputs: " + (last.outputs.length ?
      last.outputs.map((o) => "p" + o.p + " " + o.name + (o.value ? "(" + o.value + ")" : "")).join(", ") : "none"));
    if (last.env.length) parts.push("environment: " + last.env.map(envText).join(", "));
    const lost = last.msgs.filter((m) => !m.heard && m.from !== m.to).length;
    parts.push(last.msgs.length + " messages, " + lost + " lost");
    div.textContent = parts.join(" · ");
  }

  /* processes are horizontal lines, rounds columns; an arrow per message,
   * dashed red where it was lost; outputs as dots at the round's end */
  function renderDiagram(path) {
    const NS = "http://www.w3.org/2000/svg", n = algo.n, W = 170, H = 34, X0 = 40, Y0 = 28;
    const rounds = path.rounds;
    const svg = document.createElementNS(NS, "svg");
    const w = X0 + Math.max(1, rounds.length) * W + 20, h = Y0 + n * H;
    svg.setAttribute("width", w); svg.setAttribute("height", h);
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    };
    const y = (p) => Y0 + p * H + H / 2 - 6;
    rounds.forEach((r, k) => {
      const x = X0 + k * W;
      if (k === rounds.length - 1) add("rect", { x: x, y: 0, width: W, height: h, class: "current" });
      add("text", { x: x + 4, y: 14, "font-size": 11 }, "round " + r.round + " " + r.name);
    });
    for (let p = 0; p < n; p++) {
      add("text", { x: 4, y: y(p) + 4, "font-size": 12 }, "p" + p);
      add("line", { x1: X0, y1: y(p), x2: X0 + rounds.length * W, y2: y(p), stroke: "#90a4ae" });
    }
    rounds.forEach((r, k) => {
      const x = X0 + k * W;
      for (const m of r.msgs) {
        if (m.from === m.to) continue;
        const x2 = m.heard ? x + W - 12 : x + W / 2, y2 = m.heard ? y(m.to) : (y(m.from) + y(m.to)) / 2;
        const line = add("line", { x1: x + 8, y1: y(m.from), x2: x2, y2: y2,
          class: m.heard ? "heard" : "lost", "data-from": m.from, "data-to": m.to, "data-round": r.round });
        line.appendChild(document.createElementNS(NS, "title")).textContent =
          "p" + m.from + " → p" + m.to + (m.heard ? "" : " (lost)") + ": " + m.payload;
      }
      for (const o of r.outputs) {
        add("circle", { cx: x + W - 8, cy: y(o.p), r: 4, fill: "#2e7d32" });
        add("text", { x: x + W - 60, y: y(o.p) - 6, "font-size": 10, fill: "#2e7d32" },
          o.name + (o.value ? "(" + o.value + ")" : ""));
      }
      /* the environment acts after the update: a mark ending at the round's
       * end, below the process's line (so a long one stays in its round) */
      for (const e of r.env) {
        const mark = add("text", { x: x + W - 4, y: y(e.p) + 14, "font-size": 10, fill: "#e65100",
          "text-anchor": "end", class: "env", "data-p": e.p, "data-round": r.round },
          "⚡ " + (e.replaced ? ["replaced"] : []).concat(e.events).join(", "));
        mark.appendChild(document.createElementNS(NS, "title")).textContent =
          "after its update in round " + r.round + ", " + envText(e);
      }
      for (const p of r.crashed)
        add("text", { x: x + W - 14, y: y(p) + 4, fill: "#c62828", "font-size": 13 }, "✕");
    });
    $("diagram").replaceChildren(svg);
  }

  /* ---- choosing the next round ---- */
  function renderChooser(s) {
    const n = algo.n, tb = $("ho"), crashed = new Set(s.crashed);
    const head = el("tr");
    head.appendChild(el("th", {}, "hears →"));
    for (let p = 0; p < n; p++) head.appendChild(el("th", {}, "p" + p));
    head.appendChild(el("th", {}, "crash now"));
    const rows = [head];
    for (let q = 0; q < n; q++) {
      const tr = el("tr");
      tr.appendChild(el("th", {}, "p" + q));
      for (let p = 0; p < n; p++) {
        const c = el("input", { type: "checkbox", id: "ho-" + q + "-" + p, "data-q": q, "data-p": p });
        c.checked = p === q || !crashed.has(p);
        if (p === q) c.disabled = true;
        const td = el("td"); td.appendChild(c); tr.appendChild(td);
      }
      const td = el("td");
      const c = el("input", { type: "checkbox", id: "crash-" + q, title: "p" + q + " crashes in this round: its messages reach only those ticked" });
      c.checked = crashed.has(q); c.disabled = crashed.has(q);
      const b = el("button", { id: "btn-crash-" + q, title: "crash p" + q + " cleanly: nobody hears it" }, "crash");
      b.onclick = () => { c.checked = true; for (let r = 0; r < n; r++) if (r !== q) $("ho-" + r + "-" + q).checked = false; };
      td.append(c, b); tr.appendChild(td);
      rows.push(tr);
    }
    tb.replaceChildren(...rows);
    const maj = [];
    for (let p = 0; p < Math.floor(n / 2) + 1; p++) maj.push(p);
    if (!$("majority").value) $("majority").value = maj.join(",");
    const od = $("oracles");
    od.replaceChildren();
    if (algo.oracles.length) {
      od.appendChild(el("h2", {}, "Oracles"));
      for (let q = 0; q < n; q++) {
        const line = el("div", {}, "p" + q + ": ");
        algo.oracles.forEach((name, i) => {
          const c = el("input", { type: "checkbox", id: "oracle-" + q + "-" + i });
          const l = el("label"); l.append(c, " " + name + " "); line.appendChild(l);
        });
        od.appendChild(line);
      }
    }
  }
  function choices(all) {
    const n = algo.n, ho = [], crash = [], oracle = [];
    for (let q = 0; q < n; q++) {
      const hs = [];
      for (let p = 0; p < n; p++) if (all || $("ho-" + q + "-" + p).checked) hs.push(p);
      ho.push(hs);
      if (!all && $("crash-" + q).checked && !state.crashed.includes(q)) crash.push(q);
      let bits = 0;
      algo.oracles.forEach((_, i) => { const c = $("oracle-" + q + "-" + i); if (c && c.checked) bits |= 1 << i; });
      oracle.push(bits);
    }
    return { from: cur, ho: ho, crash: crash, oracle: oracle };
  }
  async function step(all) {
    try {
      const r = await api("/api/step", choices(all));
      tree = await api("/api/tree");
      error(null);
      go(r.id);
    } catch (e) { error(e); }
  }
  function fillAll(on) {
    for (let q = 0; q < algo.n; q++) for (let p = 0; p < algo.n; p++) if (p !== q) $("ho-" + q + "-" + p).checked = on(p, q);
  }

  async function show(id) {
    if (!(id >= 0)) throw new Error("no such state");
    if (!B) tree = await api("/api/tree");
    if (!tree.nodes[id]) throw new Error("no state #" + id + " in this explorer");
    const s = await api("/api/state/" + id), path = await api("/api/path/" + id);
    cur = id; state = s;
    renderTree(); renderState(s); renderOutputs(path); renderDiagram(path);
    if (!B) renderChooser(s);
    document.body.dataset.shown = id;
    const want = hashOf(s);
    if (location.hash !== want) history.replaceState(null, "", want);
  }

  /* ---- actions ---- */
  function sibling(d) {
    const n = tree.nodes[cur];
    const sibs = tree.nodes.filter((x) => x.parent === n.parent);
    const i = sibs.findIndex((x) => x.id === cur);
    if (sibs[i + d]) go(sibs[i + d].id);
  }
  function forward() {
    if (state.children.length) go(state.children[0]); else if (!B) step(false);
  }
  function back() { if (state && state.parent >= 0) go(state.parent); }
  async function search(kind) {
    message(kind === "walk" ? "walking…" : "running hoc check…");
    try {
      const body = kind === "walk" ? { from: cur, walks: 200, depth: 30, seed: seed++ } :
        kind === "check" ? { from: cur, depth: 30, seconds: 10 } : { depth: 30, seconds: 10 };
      const r = await api(kind === "walk" ? "/api/walk" : "/api/check", body);
      message(r.message);
      error(null);
      tree = await api("/api/tree");
      if (r.id >= 0) go(r.id); else renderTree();
    } catch (e) { error(e); message(""); }
  }
  async function openTrace(file) {
    try {
      const text = await file.text();
      const r = await api("/api/trace", text);
      error(null);
      message("opened " + file.name);
      tree = await api("/api/tree");
      go(r.id);
    } catch (e) { error(file.name + ": " + (e.message || e)); }
  }
  async function newRoot() {
    try {
      const vals = $("inputs").value.split(/[,:]/).filter((x) => x.trim() !== "").map(Number);
      const r = await api("/api/root", { inputs: vals });
      tree = await api("/api/tree");
      error(null);
      go(r.id);
    } catch (e) { error(e); }
  }

  function bind() {
    $("btn-back").onclick = back;
    $("btn-fwd").onclick = forward;
    $("btn-all").onclick = () => step(true);
    $("btn-step").onclick = () => step(false);
    $("btn-fill").onclick = () => fillAll(() => true);
    $("btn-majority").onclick = () => {
      const m = new Set($("majority").value.split(",").map((x) => parseInt(x, 10)));
      fillAll((p) => m.has(p));
    };
    $("btn-walk").onclick = () => search("walk");
    $("btn-check").onclick = () => search("check");
    $("btn-check-all").onclick = () => search("check-all");
    $("btn-root").onclick = newRoot;
    $("trace-file").onchange = (e) => { if (e.target.files[0]) openTrace(e.target.files[0]); e.target.value = ""; };
    document.addEventListener("keydown", (e) => {
      if (e.target.tagName === "INPUT" || e.ctrlKey || e.metaKey || e.altKey || !state) return;
      const k = e.key;
      if (k === "ArrowLeft" || k === "h") back();
      else if (k === "ArrowRight" || k === "l") forward();
      else if (k === "ArrowUp") sibling(-1);
      else if (k === "ArrowDown") sibling(1);
      else if (k === "a" && !B) step(true);
      else if (k === "s" && !B) step(false);
      else return;
      e.preventDefault();
    });
    window.addEventListener("hashchange", route);
  }

  async function start() {
    if (B) {
      document.body.classList.add("readonly");
      $("note").textContent = (B.note ? B.note + " · " : "") + "read-only page written by hoc";
    }
    try {
      algo = await api("/api/algo");
      tree = await api("/api/tree");
      if (!B) seed = (await api("/api/focus")).seed; /* hoc explore --seed: reproducible walks */
    } catch (e) { error(e); return; }
    $("algo-name").textContent = algo.name;
    document.title = "hoc explore: " + algo.name;
    $("algo-params").textContent = algo.params.map((p) => p.name + "=" + p.value).join(" ");
    if (algo.inputs.length && tree.nodes.length) {
      const root = tree.nodes.find((n) => n.addr);
      if (root) $("inputs").value = root.addr.split("/")[1];
    }
    bind();
    await route();
  }
  start();
})();
