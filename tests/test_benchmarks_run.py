"""The benchmarks run: a small input through the profile and segmentation benchmarks, so an API
change in the runtime cannot leave `make bench` broken until someone next runs it (it once did)."""

import pytest

from tests.conftest import needs_shared


@pytest.fixture
def small_work(monkeypatch, tmp_path):
    needs_shared("external/pools")
    from benchmarks import common

    monkeypatch.setattr(common, "WORK", tmp_path)
    return tmp_path


def test_linear_profile_times_every_stage(small_work):
    from benchmarks import linear_profile

    result = linear_profile.run(limit=300)
    stages = result["stages_sentences_per_second"]
    assert result["sentences"] == 300
    for stage in ("normalise", "all model stages (warm)", "CLI: read JSONL", "CLI: build records", "CLI: write JSONL"):
        assert stages[stage] > 0, stage
    from benchmarks.run_all import where_the_time_goes

    reading = " ".join(where_the_time_goes({"linear_profile": result}))  # the RESULTS.md text reads these stages
    assert "word n-grams" in reading and "us per sentence" in reading


def test_segmentation_benchmark_runs_every_splitter(small_work):
    from benchmarks import segmentation

    result = segmentation.run(limit=200)
    assert len(result) == 3
    ours = result["parley (sentencizer + lines)"]
    right, total = ours["cases_exactly_right"].split("/")
    assert right == total and int(total) == len(segmentation.CASES)
    assert all(row["sentences_produced"] > 0 for row in result.values())
