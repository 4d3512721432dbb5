import json

from tests.conftest import needs_shared, tiny_records, write_jsonl


def rows():
    return tiny_records()


def test_check_passes_on_clean_data(cli, tiny_corpus):
    result = cli("data", "check", tiny_corpus)
    assert result.code == 0, result.err
    assert "0 error(s)" in result.out


def check_error(cli, tmp_path, rows_, expected, line=None):
    path = write_jsonl(tmp_path / "c.jsonl", rows_)
    result = cli("data", "check", path)
    assert result.code == 1
    where = f"{path}:{line}" if line else str(path)
    assert any(where in lab and expected in lab for lab in result.err.splitlines()), result.err
    return result


def test_check_exact_duplicate(cli, tmp_path):
    data = rows()
    data[5] = {
        **data[5],
        "text": data[3]["text"],
        "labels": data[3]["labels"],
        "split": data[3]["split"],
        "article_id": data[3]["article_id"],
        "position": 99,
    }
    check_error(cli, tmp_path, data, "duplicate sentence of", line=6)


def test_check_near_duplicate_leaking_across_splits(cli, tmp_path):
    data = rows()
    train = next(i for i, r in enumerate(data) if r["split"] == "train")
    dev = next(i for i, r in enumerate(data) if r["split"] == "dev")
    later, earlier = max(train, dev), min(train, dev)
    data[later] = {**data[later], "text": data[earlier]["text"].upper().replace(" ", "  ") + "!!"}
    check_error(cli, tmp_path, data, "leaks across splits", line=later + 1)


def test_check_conflicting_labels(cli, tmp_path):
    data = rows()
    data.append({**data[0], "id": "dup", "labels": ["rejection"], "position": 50})
    check_error(cli, tmp_path, data, "conflicting labels", line=len(data))


def test_check_article_straddling_splits_and_repeated_position(cli, tmp_path):
    data = rows()
    data[1] = {**data[1], "split": "test"}
    check_error(cli, tmp_path, data, "straddles splits")
    data = rows()
    data[1] = {**data[1], "position": data[0]["position"]}
    check_error(cli, tmp_path, data, "repeats position", line=2)


def test_check_schema_errors_are_listed_all(cli, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"text": "A.", "labels": ["maybe"]}\nnot json\n{"labels": []}\n{"text": "Fine here.", "labels": []}\n'
    )
    result = cli("data", "check", path)
    assert result.code == 1
    for line, message in ((1, "unknown label"), (2, "malformed JSON"), (3, "record has no 'text' field")):
        assert f"{path}:{line}: error: {message}" in result.err


def test_check_unknown_split_and_single_member_group(cli, tmp_path):
    data = rows()
    data[0] = {**data[0], "split": "holdout"}
    check_error(cli, tmp_path, data, "unknown split 'holdout'", line=1)
    data = rows()
    data[0] = {**data[0], "group": "g1"}
    check_error(cli, tmp_path, data, "contrast group 'g1' has a single member", line=1)


def test_check_missing_path_and_empty_directory(cli, tmp_path):
    result = cli("data", "check", tmp_path / "nope.jsonl")
    assert result.code == 1 and "nope.jsonl: no such file or directory" in result.err
    (tmp_path / "empty").mkdir()
    result = cli("data", "check", tmp_path / "empty")
    assert result.code == 1 and "no .jsonl or .csv files" in result.err


def test_stats_counts(cli, tiny_corpus):
    result = cli("data", "stats", "--json", tiny_corpus)
    assert result.code == 0
    stats = json.loads(result.out)
    assert stats["sentences"] == 36
    assert stats["labels"] == {"proposal": 8, "agreement": 8, "rejection": 8}
    assert stats["none"] == 12
    assert set(stats["by_split"]) == {"train", "dev", "test"}
    assert stats["by_split"]["dev"]["proposal"] == 2
    table = cli("data", "stats", tiny_corpus)
    assert "Per split" in table.out and "co-occurrence" in table.out


def test_split_is_deterministic_and_by_article(cli, tmp_path):
    data = [{k: v for k, v in r.items() if k != "split"} for r in rows()]
    a = write_jsonl(tmp_path / "a.jsonl", data)
    assert cli("data", "split", a).code == 0
    first = a.read_text()
    assert cli("data", "split", a).code == 0
    assert a.read_text() == first
    by_article = {}
    for record in map(json.loads, first.splitlines()):
        by_article.setdefault(record["article_id"], set()).add(record["split"])
    assert all(len(splits) == 1 for splits in by_article.values())


def test_check_and_stats_on_external_files(cli):
    path = needs_shared("external/plover_gsr_cameo.jsonl")
    assert cli("data", "check", path).code == 0
    result = cli("data", "stats", "--json", path)
    assert json.loads(result.out)["sentences"] == 256
