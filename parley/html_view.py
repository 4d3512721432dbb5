"""One self-contained HTML page for labelled articles and their events (`parley predict --html`).

Inline CSS and a few lines of inline JavaScript, no network: the page must open from a mail
attachment or an air-gapped analyst's disk. Each sentence shows its acts by label colour;
inside it, triggers are bold in their act's colour, actors underlined solid and objects
underlined dashed. Spans may nest ("accepted a proposal from Trump": the proposal's trigger
and actor sit inside the agreement's object), so the sentence is cut at every span boundary
and each piece carries the classes of all spans covering it. A reply carries an "answers sN"
link to the proposal it answers; hovering or clicking it highlights that proposal. A
timeline per article lists each proposal with its replies and status. All text is escaped.
"""

from __future__ import annotations

import html

from parley.events import timeline
from parley.labels import LABELS

LABEL_COLOURS = {"proposal": "#1f6feb", "agreement": "#1a7f37", "rejection": "#cf222e"}
STATUS_COLOURS = {"accepted": "#1a7f37", "rejected": "#cf222e", "mixed": "#9a6700", "open": "#57606a"}

STYLE = """body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;
line-height:1.5}
article{border-top:2px solid #ddd;padding-top:.5em;margin-bottom:2.5em}
.sent{position:relative;margin:.25em 0;padding:.15em .5em .15em 7.5em;border-left:4px solid transparent}
.sent .idx{position:absolute;left:.4em;color:#888;font-size:12px}
.sent .acts{position:absolute;left:2.2em;font-size:11px}
.act{display:inline-block;border-radius:3px;color:#fff;padding:0 3px;margin-right:2px}
.trigger{font-weight:700}
.actor{border-bottom:2px solid #444}
.object{text-decoration:underline dashed #777;text-underline-offset:4px}
.answers{margin-left:.6em;font-size:12px;white-space:nowrap;color:#555;text-decoration:none;border:1px solid #bbb;
border-radius:3px;padding:0 4px}
.answers:hover{background:#fff3bf}
.hl{background:#fff3bf;border-left-color:#e3b341 !important}
table.timeline{border-collapse:collapse;font-size:14px;margin:.8em 0}
table.timeline td,table.timeline th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.status{font-weight:700}
.legend span{margin-right:1em}
""" + "".join(
    f".act-{label}{{background:{colour}}}.sent.{label}{{border-left-color:{colour}}}.trigger-{label}{{color:{colour}}}"
    for label, colour in LABEL_COLOURS.items()
)

SCRIPT = """document.querySelectorAll('a.answers').forEach(function(link){
  var target=function(){return document.getElementById(link.dataset.target);};
  link.addEventListener('mouseenter',function(){var t=target();if(t)t.classList.add('hl');});
  link.addEventListener('mouseleave',function(){var t=target();if(t&&!t.dataset.pinned)t.classList.remove('hl');});
  link.addEventListener('click',function(){var t=target();if(t){t.dataset.pinned='1';t.classList.add('hl');}});
});"""

MARKED_ROLES = ("trigger", "actor", "object")


def _escape(value) -> str:
    return html.escape(str(value), quote=True)


def _pieces(sentence: dict, events: list[dict]) -> str:
    """The sentence text cut at every span boundary, each piece wrapped in the classes of the
    spans (trigger, actor, object of this sentence's events) that cover it."""
    start, text = sentence["start"], sentence["text"]
    marks = []
    for event in events:
        for role in MARKED_ROLES:
            span = event.get(role)
            if span and sentence["start"] <= span["start"] < span["end"] <= sentence["end"]:
                css = f"trigger trigger-{event['act']}" if role == "trigger" else role
                marks.append((span["start"] - start, span["end"] - start, css))
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        classes = sorted({m[2] for m in marks if m[0] <= left and right <= m[1]})
        piece = _escape(text[left:right])
        out.append(f'<span class="{" ".join(classes)}">{piece}</span>' if classes else piece)
    return "".join(out)


def _describe(event: dict | None) -> str:
    if event is None:
        return ""
    parts = [event[role]["text"] for role in ("actor", "trigger", "object") if event.get(role)]
    return " · ".join(parts) if parts else event["act"]


def _article(number: int, document: dict) -> str:
    doc_id = document.get("doc_id", str(number))
    sentences = document.get("sentences", [])
    events = document.get("events", [])
    anchor = f"a{number}"
    sentence_ids = {s["sentence"]: f"{anchor}-s{s['sentence']}" for s in sentences}
    by_id = {e["id"]: e for e in events}
    rows = []
    for sentence in sentences:
        own = [e for e in events if e["sentence"] == sentence["sentence"]]
        labels = [label for label in LABELS if label in sentence.get("labels", [])]
        acts = "".join(f'<span class="act act-{label}">{label[:4]}</span>' for label in labels)
        links = []
        for event in own:
            target = by_id.get(event.get("answers"))
            if target is not None:
                links.append(
                    f'<a class="answers" href="#{sentence_ids[target["sentence"]]}" '
                    f'data-target="{sentence_ids[target["sentence"]]}" data-event="{_escape(event["id"])}" '
                    f'data-answers="{_escape(target["id"])}" title="{_escape(_describe(target))}">'
                    f"&#8617; answers s{target['sentence']}</a>"
                )
        rows.append(
            f'<div class="sent {" ".join(labels)}" id="{sentence_ids[sentence["sentence"]]}" '
            f'data-events="{_escape(" ".join(e["id"] for e in own))}">'
            f'<span class="idx">s{sentence["sentence"]}</span><span class="acts">{acts}</span>'
            f"{_pieces(sentence, own)}{''.join(links)}</div>"
        )
    return (
        f'<article id="{anchor}"><h2>{_escape(doc_id)}</h2>\n'
        + "\n".join(rows)
        + _timeline(events, sentence_ids)
        + "</article>"
    )


def _timeline(events: list[dict], sentence_ids: dict[int, str]) -> str:
    entries = timeline(events)
    if not entries:
        return '<p class="timeline-empty">No proposals found.</p>'
    rows = []
    for entry in entries:
        proposal = entry["proposal"]
        replies = (
            "<br>".join(
                f'<a href="#{sentence_ids.get(r["sentence"], "")}">s{r["sentence"]}</a> {_escape(r["act"])}: '
                f"{_escape(_describe(r))}"
                for r in entry["replies"]
            )
            or "—"
        )
        colour = STATUS_COLOURS[entry["status"]]
        rows.append(
            f'<tr data-proposal="{_escape(proposal["id"])}">'
            f'<td><a href="#{sentence_ids.get(proposal["sentence"], "")}">'
            f"s{proposal['sentence']}</a></td><td>{_escape(_describe(proposal))}</td>"
            f'<td class="status" style="color:{colour}">{entry["status"]}</td><td>{replies}</td></tr>'
        )
    return (
        '<h3>Timeline</h3><table class="timeline"><tr><th>sentence</th><th>proposal</th><th>status</th>'
        "<th>replies</th></tr>" + "".join(rows) + "</table>"
    )


def render_html(documents: list[dict], title: str = "Parley: proposals, agreements, rejections") -> str:
    """The page for documents given as {"doc_id", "sentences": sentence records (with start,
    end, text, labels), "events": events from parley.events.extract_events}."""
    legend = "".join(f'<span><span class="act act-{label}">{label}</span></span>' for label in LABELS)
    legend += '<span class="actor">actor</span><span class="object">object</span>'
    body = "\n".join(_article(number, document) for number, document in enumerate(documents))
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{_escape(title)}</h1><p class='legend'>{legend}</p>\n"
        f"{body}\n<script>{SCRIPT}</script></body></html>\n"
    )
