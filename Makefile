# One venv for everything; `make predict` installs only the light runtime, `make test` adds
# torch (pinned first: an unpinned torch pulls a multi-GB CUDA build), transformers and test tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: predict test test-fast bench active-learning default-model leaderboard transformer-int8 corpus-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.light: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.full: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[transformer,onnx,evaluate,test,ray,bench,review]"
	touch $@ $(VENV)/.light

## The main job: batch prediction on the sample articles with the shipped default model.
predict: $(VENV)/.light
	$(BIN)/parley predict data/articles --format table --summary

## Install everything and run the test suite (pytest's exit 5, "no tests", is reported, not hidden).
test: $(VENV)/.full
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-fast: $(VENV)/.full
	$(BIN)/python -m pytest -q -m "not slow"

corpus-check: $(VENV)/.light
	$(BIN)/parley data check data/
	$(BIN)/parley data stats data/corpus

## Rebuild models/default (the linear family on the corpus train split).
default-model: $(VENV)/.light
	$(BIN)/parley train linear --data data/corpus --out models/default --name default --force

## Train all four families into models/ and regenerate reports/LEADERBOARD.md.
leaderboard: $(VENV)/.full
	$(BIN)/parley leaderboard --train-missing

## Export models/transformer to ONNX Runtime with int8 weights (predicts without torch).
transformer-int8: $(VENV)/.full
	$(BIN)/parley export-onnx models/transformer --out models/transformer-int8 --force

## Does active learning pay? uncertain vs random sampling, 200 -> 3,000 labels (about 10 minutes).
active-learning: $(VENV)/.full
	$(BIN)/python -m benchmarks.active_learning

bench: $(VENV)/.full
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .pytest_cache
