// The review page: one sentence at a time, labels toggled by keyboard or mouse. Every
// change goes through the server, which writes the decision before it answers.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const KEYS = { p: "proposal", a: "agreement", r: "rejection" };
let view = null;
let selected = new Set();
let busy = false;

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = { method: body ? "POST" : "GET", headers: {} };
  if (token) options.headers["X-Parley-Token"] = token;
  if (body) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok && response.status !== 409) throw new Error(data.error || response.statusText);
  return data;
}

function sentenceNode(sentence, current) {
  const p = el("p", current ? "sentence current" : "sentence");
  for (const part of sentence.segments) {
    if (!part.label) {
      p.append(part.text);
      continue;
    }
    const cue = el("span", `cue ${part.status} ${part.label}`, part.text);
    cue.title = `${part.label} cue "${part.pattern}" (${part.status})`;
    p.append(cue);
  }
  return p;
}

function labelCard(label, item, thresholds) {
  const button = el("button", `label ${label}`);
  button.type = "button";
  button.dataset.label = label;
  button.setAttribute("aria-pressed", String(selected.has(label)));
  const name = el("div", "name");
  name.append(el("span", "", label), el("span", "check"));
  const key = el("kbd", "", label[0].toUpperCase());
  name.firstChild.append(key);
  const score = item.scores[label];
  const threshold = thresholds[label];
  const track = el("div", "track");
  const fill = el("div", "fill");
  fill.style.width = `${Math.round(score * 100)}%`;
  const tick = el("div", "tick");
  tick.style.left = `calc(${(threshold * 100).toFixed(1)}% - 1px)`;
  track.append(fill, tick);
  const text = el("div", "score", `score ${score.toFixed(2)} · threshold ${threshold.toFixed(2)}`);
  const wrap = el("div", "score");
  wrap.append(track, text);
  button.append(name, wrap);
  button.addEventListener("click", () => { button.blur(); toggle(label); });
  return button;
}

function render(data, message) {
  view = data;
  const { progress, item } = data;
  const decided = progress.total ? progress.decided / progress.total : 1;
  $("progress-fill").style.width = `${(decided * 100).toFixed(1)}%`;
  $("progress-text").textContent = `${progress.decided} of ${progress.total} decided · ${progress.remaining} left`;
  const model = data.models[0];
  $("meta").textContent = `${data.strategy} · model ${model.name} (${model.family}) · ${data.annotator}`;
  $("undo").disabled = !data.can_undo;
  $("main").hidden = !item;
  $("done").hidden = Boolean(item);
  const status = $("status");
  status.textContent = message || data.error || data.status || "";
  status.classList.toggle("error", Boolean(data.error));
  if (!item) return;

  selected = new Set(item.suggested);
  $("article-head").textContent = `${item.article_id} · sentence ${item.position + 1} of ${item.article_sentences}`;
  const context = $("context");
  context.replaceChildren();
  if (item.more_before) context.append(el("p", "gap", "…"));
  for (const sentence of item.context) context.append(sentenceNode(sentence, sentence.current));
  if (item.more_after) context.append(el("p", "gap", "…"));
  context.querySelector(".current").dataset.id = item.id;

  const labels = $("labels");
  labels.replaceChildren(...data.labels.map((label) => labelCard(label, item, model.thresholds)));
  const others = item.per_model.slice(1).map((m) =>
    `${m.name}: ${data.labels.map((l) => `${l[0]} ${m.scores[l].toFixed(2)}`).join(", ")} → ${m.labels.join(", ") || "none"}`);
  $("others").textContent = others.join(" · ");
}

function toggle(label) {
  if (!view || !view.item) return;
  if (selected.has(label)) selected.delete(label); else selected.add(label);
  const button = document.querySelector(`.label[data-label="${label}"]`);
  button.setAttribute("aria-pressed", String(selected.has(label)));
}

async function send(path, body, message) {
  if (busy) return;
  busy = true;
  try {
    render(await api(path, body), message);
  } catch (error) {
    $("status").textContent = `not saved: ${error.message}`;
    $("status").classList.add("error");
  } finally {
    busy = false;
  }
}

function accept() {
  if (!view || !view.item) return;
  const labels = view.labels.filter((l) => selected.has(l));
  send("api/decide", { id: view.item.id, labels }, `saved ${view.item.id}: ${labels.join(", ") || "no label"}`);
}

function skip() {
  if (view && view.item) send("api/skip", { id: view.item.id }, `skipped ${view.item.id}; it comes back at the end`);
}

function undo() {
  if (view && view.can_undo) send("api/undo", {}, "took back the last decision");
}

function help(show) {
  $("help").hidden = show === undefined ? !$("help").hidden : !show;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === "?") { help(); event.preventDefault(); return; }
  if (key === "Escape") { help(false); return; }
  if (!$("help").hidden) return;
  if (KEYS[key]) toggle(KEYS[key]);
  else if (key === "Enter") accept();
  else if (key === " ") skip();
  else if (key === "u") undo();
  else return;
  event.preventDefault();
});

$("accept").addEventListener("click", (e) => { e.currentTarget.blur(); accept(); });
$("skip").addEventListener("click", (e) => { e.currentTarget.blur(); skip(); });
$("undo").addEventListener("click", (e) => { e.currentTarget.blur(); undo(); });
$("help-button").addEventListener("click", (e) => { e.currentTarget.blur(); help(); });
$("help").addEventListener("click", (e) => { if (e.target === $("help")) help(false); });

api("api/state").then((data) => render(data)).catch((error) => {
  $("status").textContent = `cannot reach the review server: ${error.message}`;
  $("status").classList.add("error");
});
