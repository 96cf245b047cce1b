// The history's list: reads jobs.json (every job's job.json, newest first)
// every few seconds and draws a row a job, linked to its status page.
"use strict";
const $ = (id) => document.getElementById(id);

function num(n) { return n === undefined || n === null ? "" : Number(n).toLocaleString("en-US"); }
function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); return td; }
function started(s) { return new Date(s * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, ""); }

function rows(jobs) {
  const body = document.querySelector("#jobs tbody");
  body.replaceChildren();
  for (const j of jobs) {
    const tr = document.createElement("tr");
    tr.className = "job";
    tr.dataset.id = j.id;
    cell(tr, started(j.started));
    const a = document.createElement("a");
    a.href = "jobs/" + encodeURIComponent(j.id) + "/";
    a.textContent = j.job || j.id;
    cell(tr, "").appendChild(a);
    cell(tr, j.program);
    cell(tr, j.graph);
    const st = document.createElement("span");
    st.className = "state " + j.state;
    st.textContent = j.state;
    cell(tr, "").appendChild(st);
    cell(tr, j.superstep < 0 ? "" : num(j.superstep + 1));
    cell(tr, j.loaded ? num(j.vertices) : "");
    cell(tr, j.loaded ? num(j.edges) : "");
    cell(tr, j.elapsed_seconds.toFixed(1) + " s");
    cell(tr, j.error || "");
    body.appendChild(tr);
  }
  const live = jobs.filter((j) => j.state !== "finished" && j.state !== "failed").length;
  $("count").textContent = jobs.length + (jobs.length === 1 ? " job" : " jobs") +
    (live ? ", " + live + " not ended (running, or its master was stopped)" : "");
  document.body.dataset.jobs = jobs.length;
}

async function poll() {
  try {
    const r = await fetch("jobs.json", { cache: "no-store" });
    rows(await r.json());
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("count").textContent = "no answer from zpregel serve";
  }
  setTimeout(poll, 5000);
}
poll();
