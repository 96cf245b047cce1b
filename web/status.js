// The status page: polls status.json every second and draws it.
"use strict";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function num(n) { return n === undefined || n === null ? "" : Number(n).toLocaleString("en-US"); }
function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }

function facts(s) {
  $("job").textContent = s.job;
  const state = $("state");
  state.textContent = s.error ? s.state + ": " + s.error : s.state;
  state.className = "state " + s.state;
  $("program").textContent = s.program;
  $("graph").textContent = s.graph;
  $("vertices").textContent = s.loaded ? num(s.vertices) : "loading";
  $("edges").textContent = s.loaded ? num(s.edges) + (s.directed ? " directed" : " undirected") : "";
  let step = s.superstep < 0 ? "not started" : String(s.superstep);
  if (s.superstep >= 0 && s.planned_supersteps)
    step += ", " + (s.superstep + 1) + " of " + s.planned_supersteps + " done" + (s.seconds_left !== undefined ? ", about " + s.seconds_left.toFixed(1) + " s left" : "");
  $("superstep").textContent = step;
  $("active").textContent = num(s.active);
  $("slowest").textContent = s.slowest_worker;
  $("messages").textContent = num(s.messages);
  $("bytes").textContent = bytes(s.bytes);
  $("retries").textContent = num(s.retries) + " / " + num(s.duplicates);
  $("recoveries").textContent = num(s.recoveries);
  $("checkpoint").textContent = s.checkpoint_step === undefined ? "none"
    : "superstep " + s.checkpoint_step + ", " + s.checkpoint_age_seconds.toFixed(0) + " s ago";
  $("elapsed").textContent = s.elapsed_seconds.toFixed(1) + " s";
}

// Bars: superstep time, and the slowest worker's compute inside it; a line:
// active vertices, on its own scale.
function chart(steps) {
  const svg = $("chart");
  svg.replaceChildren();
  const W = 900, H = 240, L = 50, R = 60, T = 10, B = 24;
  if (!steps.length) {
    svg.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#4a5468" }, "no superstep yet"));
    return;
  }
  const maxS = Math.max(...steps.map((s) => s.seconds)) || 1;
  const maxA = Math.max(...steps.map((s) => s.active)) || 1;
  const w = (W - L - R) / steps.length;
  const y = (v) => T + (H - T - B) * (1 - v / maxS);
  const ya = (v) => T + (H - T - B) * (1 - v / maxA);
  steps.forEach((s, i) => {
    const x = L + i * w;
    svg.appendChild(el("rect", { x: x + 0.5, y: y(s.seconds), width: Math.max(w - 1, 1), height: H - B - y(s.seconds), fill: "#9db4d8" }));
    svg.appendChild(el("rect", { x: x + 0.5, y: y(s.compute_seconds), width: Math.max(w - 1, 1), height: H - B - y(s.compute_seconds), fill: "#3e6bb0" }));
  });
  const pts = steps.map((s, i) => (L + (i + 0.5) * w).toFixed(1) + "," + ya(s.active).toFixed(1)).join(" ");
  svg.appendChild(el("polyline", { points: pts, fill: "none", stroke: "#d9822b", "stroke-width": 2 }));
  svg.appendChild(el("text", { x: 4, y: T + 10, "font-size": 11, fill: "#4a5468" }, (maxS * 1000).toFixed(1) + " ms"));
  svg.appendChild(el("text", { x: W - 4, y: T + 10, "font-size": 11, fill: "#d9822b", "text-anchor": "end" }, num(maxA)));
  svg.appendChild(el("text", { x: L, y: H - 6, "font-size": 11, fill: "#4a5468" }, "superstep " + steps[0].step));
  svg.appendChild(el("text", { x: W - R, y: H - 6, "font-size": 11, fill: "#4a5468", "text-anchor": "end" }, "superstep " + steps[steps.length - 1].step));
}

function workers(s) {
  const body = document.querySelector("#workers tbody");
  body.replaceChildren();
  for (const w of s.workers) {
    const tr = document.createElement("tr");
    if (w.name === s.slowest_worker) tr.className = "slowest";
    cell(tr, w.name); cell(tr, w.transport); cell(tr, num(w.vertices)); cell(tr, num(w.edges));
    cell(tr, num(w.active)); cell(tr, num(w.messages_out)); cell(tr, num(w.messages_in));
    cell(tr, bytes(w.bytes_out)); cell(tr, bytes(w.bytes_in));
    cell(tr, w.compute_seconds.toFixed(4)); cell(tr, w.send_wait_seconds.toFixed(4));
    cell(tr, w.barrier_wait_seconds.toFixed(4));
    body.appendChild(tr);
  }
}

// Workers on a circle, routers inside it; one line (or two, through the
// router) per link between two workers, coloured by its route.
function plan(p) {
  const svg = $("plan");
  svg.replaceChildren();
  const n = p.workers.length, C = 210, Rw = 170, Rr = 70;
  if (!n) {
    svg.appendChild(el("text", { x: C, y: C, "text-anchor": "middle", fill: "#4a5468" }, "no plan yet"));
    return;
  }
  const at = (i, k, r) => [C + r * Math.cos(2 * Math.PI * i / k - Math.PI / 2), C + r * Math.sin(2 * Math.PI * i / k - Math.PI / 2)];
  const wp = p.workers.map((_, i) => at(i, n, Rw));
  const rp = p.routers.map((_, i) => p.routers.length === 1 ? [C, C] : at(i, p.routers.length, Rr));
  const colour = { direct: "#8a93a3", aggregated: "#2f6fd0", balanced: "#2e9d5b" };
  for (const l of p.links) {
    const a = wp[l.from], b = wp[l.to];
    const attrs = { stroke: colour[l.route], "stroke-width": 1.5, "stroke-opacity": 0.7, class: "link " + l.route };
    if (l.router !== undefined && rp[l.router]) {
      const r = rp[l.router];
      svg.appendChild(el("polyline", Object.assign({ points: a.join(",") + " " + r.join(",") + " " + b.join(","), fill: "none" }, attrs)));
    } else {
      svg.appendChild(el("line", Object.assign({ x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, attrs)));
    }
  }
  p.routers.forEach((name, i) => {
    svg.appendChild(el("ellipse", { cx: rp[i][0], cy: rp[i][1], rx: 34, ry: 16, fill: "#eef3fb", stroke: "#2f6fd0" }));
    svg.appendChild(el("text", { x: rp[i][0], y: rp[i][1] + 4, "text-anchor": "middle", "font-size": 12 }, name));
  });
  p.workers.forEach((name, i) => {
    svg.appendChild(el("rect", { x: wp[i][0] - 30, y: wp[i][1] - 13, width: 60, height: 26, rx: 3, fill: "#fff", stroke: "#1d2330", class: "worker" }));
    svg.appendChild(el("text", { x: wp[i][0], y: wp[i][1] + 4, "text-anchor": "middle", "font-size": 12 }, name));
  });
}

function aggregators(list) {
  const body = document.querySelector("#aggregators tbody");
  body.replaceChildren();
  for (const a of list) {
    const tr = document.createElement("tr");
    cell(tr, a.name);
    cell(tr, a.value === null ? "not a number" : String(a.value));
    body.appendChild(tr);
  }
}

async function poll() {
  try {
    const r = await fetch("status.json", { cache: "no-store" });
    const s = await r.json();
    facts(s);
    chart(s.steps);
    workers(s);
    plan(s.plan);
    aggregators(s.aggregators);
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.superstep = s.superstep;
    if (s.state === "finished" || s.state === "failed") return;
  } catch (e) {
    const state = $("state");
    state.textContent = "no answer: the job has ended, or its master is gone";
    state.className = "state lost";
  }
  setTimeout(poll, 1000);
}
// Served by zpregel serve (a job of a history): a way back to the list.
if (location.pathname.includes("/jobs/")) {
  const back = document.createElement("a");
  back.href = "../../";
  back.textContent = "all jobs";
  const footer = document.querySelector("footer");
  footer.prepend(back, " · ");
  // A finished job's metrics were served while it ran, and are not kept.
  const metrics = footer.querySelector('a[href="metrics"]');
  if (metrics) {
    metrics.previousSibling.remove();
    metrics.remove();
  }
}
poll();
