import codecs
import json

import numpy as np
import pytest

from parley.errors import InputError
from parley.io import iter_records, load_records, read_text
from parley.labels import LABELS, UnknownLabel, from_row, to_matrix, validate_labels


def test_label_order_and_matrix():
    assert LABELS == ("proposal", "agreement", "rejection")
    assert validate_labels(["rejection", "proposal"]) == ["proposal", "rejection"]
    assert to_matrix([["agreement"], [], ["proposal", "rejection"]]).tolist() == [[0, 1, 0], [0, 0, 0], [1, 0, 1]]
    assert from_row(np.array([1, 0, 1])) == ["proposal", "rejection"]
    assert to_matrix([]).shape == (0, 3)


def test_unknown_and_repeated_labels():
    with pytest.raises(UnknownLabel, match="offer"):
        validate_labels(["offer"])
    with pytest.raises(ValueError, match="repeated"):
        validate_labels(["proposal", "proposal"])


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def test_jsonl_and_csv_read_the_same_records(tmp_path):
    jsonl = write(
        tmp_path,
        "a.jsonl",
        '{"id": "1", "text": "Kyiv rejected it.", "labels": ["rejection"]}\n'
        '{"id": "2", "text": "Talks went on.", "labels": []}\n',
    )
    csv = write(
        tmp_path,
        "a.csv",
        'id,text,labels\n1,Kyiv rejected it.,rejection\n2,"Talks went on.",\n'
        '3,"Both sides agreed, then signed.",agreement;proposal\n',
    )
    a = list(iter_records(jsonl))
    b = list(iter_records(csv))
    assert [(r.id, r.text, r.labels) for r in a] == [(r.id, r.text, r.labels) for r in b[:2]]
    assert b[2].labels == ("proposal", "agreement") and b[2].line == 4


@pytest.mark.parametrize("encoding,prefix", [("utf-8", codecs.BOM_UTF8), ("utf-16", b""), ("utf-8", b"")])
def test_bom_utf16_and_crlf_just_work(tmp_path, encoding, prefix):
    text = '{"text": "Moscow said no.", "labels": ["rejection"]}\r\n{"text": "Fine.", "labels": []}\r\n'
    path = write(tmp_path, "x.jsonl", prefix + text.encode(encoding))
    records = list(iter_records(path))
    assert [r.text for r in records] == ["Moscow said no.", "Fine."]
    assert records[1].line == 2


def test_read_text_normalises_crlf(tmp_path):
    path = write(tmp_path, "a.txt", "Headline\r\n\r\nBody one. Body two.\r\n")
    assert read_text(path) == "Headline\n\nBody one. Body two."


@pytest.mark.parametrize(
    "content,message,line",
    [
        ('{"text": "ok", "labels": []}\n{"text": "broken", \n', "malformed JSON", 2),
        ('{"text": "ok", "labels": []}\n["a list"]\n', "expected a JSON object", 2),
        ('{"labels": []}\n', "no 'text' field", 1),
        ('{"text": "   ", "labels": []}\n', "empty text", 1),
        ('{"text": "x y z", "labels": ["offer"]}\n', "unknown label", 1),
        ('{"text": "x y z"}\n', "no 'labels' field", 1),
        ('{"text": "x y z", "labels": ["proposal", "proposal"]}\n', "repeated label", 1),
        ('{"text": "x y z", "labels": [], "position": "third"}\n', "position must be an integer", 1),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, content, message, line):
    path = write(tmp_path, "bad.jsonl", content)
    with pytest.raises(InputError, match=message) as info:
        list(iter_records(path))
    assert str(info.value).startswith(f"{path}:{line}:")


def test_invalid_utf8_binary_and_empty_files(tmp_path):
    bad = write(tmp_path, "bad.jsonl", b'{"text": "ok", "labels": []}\n{"text": "caf\xe9", "labels": []}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: invalid UTF-8"):
        list(iter_records(bad))
    binary = write(tmp_path, "bin.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match="binary"):
        list(iter_records(binary))
    empty = write(tmp_path, "empty.jsonl", b"")
    with pytest.raises(InputError, match="empty file"):
        list(iter_records(empty))
    with pytest.raises(InputError, match="no such file"):
        list(iter_records(tmp_path / "missing.jsonl"))


def test_duplicate_ids_rejected(tmp_path):
    path = write(
        tmp_path, "d.jsonl", '{"id": "a", "text": "One.", "labels": []}\n{"id": "a", "text": "Two.", "labels": []}\n'
    )
    with pytest.raises(InputError, match=r"d.jsonl:2: duplicate id 'a' \(first at line 1\)"):
        load_records([path])


def test_collecting_problems_lists_every_bad_row(tmp_path):
    path = write(
        tmp_path,
        "m.jsonl",
        '{"text": "", "labels": []}\n{"text": "fine", "labels": []}\n{"text": "x", "labels": ["nope"]}\n',
    )
    problems = []
    records = list(iter_records(path, problems))
    assert [r.text for r in records] == ["fine"]
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (1, "empty text"),
        (3, "unknown label(s) ['nope']"),
    ]


def test_csv_label_cell_as_json_list(tmp_path):
    path = write(tmp_path, "j.csv", 'text,labels\n"A deal.","[""agreement""]"\n')
    assert next(iter(iter_records(path))).labels == ("agreement",)


def test_external_files_read_when_present():
    from tests.conftest import needs_shared

    path = needs_shared("external/plover_gsr_cameo.jsonl")
    records = load_records([path])
    assert len(records) == sum(1 for _ in path.open()) and all(r.confidence for r in records)
    assert json.loads(path.open().readline())["text"] == records[0].text
