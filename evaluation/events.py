"""Scoring events against the annotated set data/events/events.jsonl.

Per role, two span matches:
- exact: the predicted span has the gold offsets;
- head: the predicted span's head token is the gold span's head token. The head is defined
  once, for gold and predicted alike: the token of the span (in a spaCy parse of the whole
  sentence) whose syntactic head lies outside the span; the last token when the span holds
  none or several. Annotators differ on modifiers ("a draft" vs "a draft on Monday that
  would ..."); the head is what the event is about.
Precision counts predicted spans, recall gold spans; a predicted event is matched to a gold
event by sentence and act (in order, when a sentence has two of the same act).

Reply-link accuracy: the share of gold replies that have a gold `answers` link whose
matched predicted event answers the predicted event matched to the gold proposal.

Modes: "gold acts" takes each sentence's labels from the annotations, "predicted acts" from
a model scoring each line of the article (lines are the annotated sentences, so sentence
indices agree). "gold events" re-links the gold events with their `answers` removed, which
measures `link_replies` alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from parley.events import REPLY_ACTS, ROLES, extract_events, link_replies, load_parser
from parley.settings import in_project

ERRORS_PER_ROLE = 50
EVENTS_FILE = ("data", "events", "events.jsonl")


def load_articles(path: Path | None = None, split: str | None = None) -> list[dict]:
    path = path or in_project(*EVENTS_FILE)
    with open(path, encoding="utf-8") as handle:
        articles = [json.loads(line) for line in handle if line.strip()]
    return [a for a in articles if split is None or a["split"] == split]


def sentence_records(article: dict, labels: list[list[str]] | None = None) -> list[dict]:
    """Records (as the Predictor yields them) for the article's lines, with the given labels
    (default: the gold sentence labels)."""
    records, start = [], 0
    lines = article["text"].split("\n")
    for index, line in enumerate(lines):
        chosen = labels[index] if labels is not None else article["sentences"][index]["labels"]
        records.append(
            {
                "doc_id": article["article_id"],
                "sentence": index,
                "start": start,
                "end": start + len(line),
                "text": line,
                "labels": list(chosen),
            }
        )
        start += len(line) + 1
    return records


def model_labels(articles: list[dict], labeller) -> dict[str, list[list[str]]]:
    """Per article, the labels a model (parley.load(...)) gives each line."""
    out = {}
    for article in articles:
        lines = article["text"].split("\n")
        out[article["article_id"]] = [r["labels"] for r in labeller.predict(lines)]
    return out


def predict_events(articles: list[dict], labels_per_article: dict[str, list[list[str]]] | None = None) -> dict:
    """Predicted events per article id, from gold labels or from the given labels."""
    nlp = load_parser()
    return {
        a["article_id"]: extract_events(
            a["text"], sentence_records(a, labels_per_article[a["article_id"]] if labels_per_article else None), nlp=nlp
        )
        for a in articles
    }


class HeadFinder:
    """Head token (as a document offset) of any span of an article, from one parse per sentence."""

    def __init__(self, nlp=None):
        self.nlp = nlp or load_parser()
        self.parsed: dict[tuple[str, int], object] = {}

    def head(self, text: str, span: dict) -> int:
        line_start = text.rfind("\n", 0, span["start"]) + 1
        line_end = text.find("\n", span["start"])
        line_end = len(text) if line_end < 0 else line_end
        key = (text, line_start)
        if key not in self.parsed:
            self.parsed[key] = self.nlp(text[line_start:line_end])
        doc = self.parsed[key]
        start, end = span["start"] - line_start, span["end"] - line_start
        inside = [t for t in doc if t.idx >= start and t.idx + len(t.text) <= end]
        if not inside:
            return span["end"]
        roots = [t for t in inside if not (start <= t.head.idx < end) or t.head.i == t.i]
        token = roots[0] if len(roots) == 1 else inside[-1]
        return line_start + token.idx


def _match(gold: list[dict], predicted: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pairs of (gold, predicted) events matched by sentence and act, in order."""

    def key_order(events):
        seen: dict = {}
        keyed = {}
        for event in events:
            key = (event["sentence"], event["act"])
            seen[key] = seen.get(key, 0) + 1
            keyed[key + (seen[key],)] = event
        return keyed

    gold_keyed, pred_keyed = key_order(gold), key_order(predicted)
    keys = sorted(set(gold_keyed) | set(pred_keyed))
    return [(gold_keyed.get(k), pred_keyed.get(k)) for k in keys]


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "predicted": n_pred,
        "gold": n_gold,
    }


def evaluate_events(
    gold_articles: Iterable[dict], predicted_per_article: dict[str, list[dict]], head_finder: HeadFinder | None = None
) -> dict:
    """Role precision/recall/F1 (exact and head), reply-link accuracy and error lists."""
    heads = head_finder or HeadFinder()
    counts = {role: {"exact": 0, "head": 0, "predicted": 0, "gold": 0} for role in ROLES}
    errors: dict[str, list[dict]] = {role: [] for role in ROLES}
    link_errors: list[dict] = []
    replies = linked_right = 0
    events = {"gold": 0, "predicted": 0, "matched": 0}
    for article in gold_articles:
        text = article["text"]
        predicted = predicted_per_article.get(article["article_id"], [])
        pairs = _match(article["events"], predicted)
        gold_to_pred = {g["id"]: p for g, p in pairs if g is not None and p is not None}
        events["gold"] += len(article["events"])
        events["predicted"] += len(predicted)
        events["matched"] += len(gold_to_pred)
        for gold, pred in pairs:
            for role in ROLES:
                g = gold.get(role) if gold else None
                p = pred.get(role) if pred else None
                counts[role]["gold"] += g is not None
                counts[role]["predicted"] += p is not None
                if g is None or p is None:
                    same_exact = same_head = False
                else:
                    same_exact = (g["start"], g["end"]) == (p["start"], p["end"])
                    same_head = heads.head(text, g) == heads.head(text, p)
                counts[role]["exact"] += same_exact
                counts[role]["head"] += same_head
                if not same_head and (g is not None or p is not None) and len(errors[role]) < ERRORS_PER_ROLE:
                    sentence = text.split("\n")[(gold or pred)["sentence"]]
                    errors[role].append(
                        {
                            "article": article["article_id"],
                            "act": (gold or pred)["act"],
                            "sentence": sentence,
                            "gold": g["text"] if g else None,
                            "predicted": p["text"] if p else None,
                        }
                    )
            if gold is None or gold["act"] not in REPLY_ACTS or not gold.get("answers"):
                continue
            replies += 1
            target = gold_to_pred.get(gold["answers"])
            right = pred is not None and target is not None and pred.get("answers") == target["id"]
            linked_right += right
            if not right and len(link_errors) < ERRORS_PER_ROLE:
                by_id = {e["id"]: e for e in predicted}
                got = by_id.get(pred.get("answers")) if pred else None
                gold_target = next(e for e in article["events"] if e["id"] == gold["answers"])
                link_errors.append(
                    {
                        "article": article["article_id"],
                        "reply": text.split("\n")[gold["sentence"]],
                        "gold": text.split("\n")[gold_target["sentence"]],
                        "predicted": text.split("\n")[got["sentence"]] if got else None,
                    }
                )
    roles = {
        role: {"exact": _prf(c["exact"], c["predicted"], c["gold"]), "head": _prf(c["head"], c["predicted"], c["gold"])}
        for role, c in counts.items()
    }
    return {
        "events": events,
        "roles": roles,
        "reply_links": {
            "gold_replies": replies,
            "right": linked_right,
            "accuracy": round(linked_right / replies, 4) if replies else 0.0,
        },
        "errors": errors,
        "link_errors": link_errors,
    }


def relink_gold(articles: list[dict]) -> dict[str, list[dict]]:
    """The gold events with their links removed and re-made by `link_replies`."""
    out = {}
    for article in articles:
        events = [{**e, "answers": None} for e in article["events"]]
        out[article["article_id"]] = link_replies(events, article["text"])
    return out


def evaluate_modes(articles: list[dict], labeller=None) -> dict:
    """Results for gold acts, gold events (linking alone) and, with a model, predicted acts."""
    heads = HeadFinder()
    result = {
        "articles": len(articles),
        "gold acts": evaluate_events(articles, predict_events(articles), heads),
        "gold events": evaluate_events(articles, relink_gold(articles), heads),
    }
    if labeller is not None:
        result["predicted acts"] = evaluate_events(
            articles, predict_events(articles, model_labels(articles, labeller)), heads
        )
        result["predicted acts"]["model"] = labeller.name
    return result


def events_report_markdown(result: dict, title: str = "Events", show_errors: int = 10) -> str:
    """A report section: one table per mode, reply-link accuracy, then the first errors."""
    modes = [m for m in ("gold acts", "predicted acts", "gold events") if m in result]
    lines = [f"## {title}", ""]
    lines.append(
        f"{result.get('articles', '?')} articles. Head = the span's syntactic head token "
        "(last token as fallback), the same rule for gold and predicted spans."
    )
    lines.append("")
    for mode in modes:
        scored = result[mode]
        if mode == "gold events":
            lines += [
                f"### Reply linking alone (gold events, links removed): accuracy "
                f"{scored['reply_links']['accuracy']:.3f} "
                f"({scored['reply_links']['right']}/{scored['reply_links']['gold_replies']})",
                "",
            ]
            continue
        model = f" ({scored['model']})" if "model" in scored else ""
        lines += [
            f"### {mode.capitalize()}{model}",
            "",
            f"Events: {scored['events']['gold']} gold, {scored['events']['predicted']} predicted, "
            f"{scored['events']['matched']} matched by sentence and act.",
            "",
            "| role | head P | head R | head F1 | exact P | exact R | exact F1 | gold |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for role in ROLES:
            h, x = scored["roles"][role]["head"], scored["roles"][role]["exact"]
            lines.append(
                f"| {role} | {h['precision']:.3f} | {h['recall']:.3f} | **{h['f1']:.3f}** | "
                f"{x['precision']:.3f} | {x['recall']:.3f} | {x['f1']:.3f} | {h['gold']} |"
            )
        links = scored["reply_links"]
        lines += [
            "",
            f"Reply-link accuracy: **{links['accuracy']:.3f}** ({links['right']}/{links['gold_replies']} "
            "gold replies with a link)",
            "",
        ]
    if "gold acts" in result and show_errors:
        lines += ["### Errors (gold acts)", ""]
        for role in ROLES:
            shown = result["gold acts"]["errors"][role][:show_errors]
            if not shown:
                continue
            lines += [f"**{role}**", "", "| sentence | gold | predicted |", "|---|---|---|"]
            lines += [f"| {_cell(e['sentence'])} | {_cell(e['gold'])} | {_cell(e['predicted'])} |" for e in shown]
            lines.append("")
    return "\n".join(lines)


def _cell(value: str | None) -> str:
    return "—" if value is None else value.replace("|", "\\|")


def main(split: str = "dev", model: str | None = None, show: Callable[[str], None] = print) -> dict:
    """Evaluate on one split of the annotated set (dev while developing) and print the section."""
    labeller = None
    if model:
        from parley.api import load

        labeller = load(model)
    result = evaluate_modes(load_articles(split=split), labeller)
    show(events_report_markdown(result, title=f"Events ({split})"))
    return result
