# One venv for everything; `make predict` installs only the light runtime, `make test` adds
# torch (pinned first: an unpinned torch pulls a multi-GB CUDA build), transformers and test tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: predict test test-fast bench active-learning linear-model transformer-int8 default-model fast-model leaderboard corpus-check clean

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

# Corpus v2: what the models train on, and the news-density dev splits their thresholds are tuned on.
TRAIN_DATA := data/corpus data/hard data/twins
TUNE_DATA := --tune-data data/hard --tune-data data/natural

## models/linear: the linear family on corpus v2.1, a member of the default model. min_df 3: the same
## dev macro-F1 as min_df 2 (0.644 vs 0.643) with 35% fewer weights, so the default fits in 30 MB.
linear-model: $(VENV)/.light
	$(BIN)/parley train linear $(TRAIN_DATA) $(TUNE_DATA) --set min_df=3 --out models/linear --name linear --force

## models/transformer (not committed: 90 MB) and its int8 ONNX export models/transformer-int8. Seed 1:
## on the news-density dev splits its int8 export scores 0.734 (seed 0: 0.723) and the default
## ensemble built on it 0.768 (0.751); seeds differ by up to 4 points on the external files.
transformer-int8: $(VENV)/.full
	$(BIN)/parley train transformer $(TRAIN_DATA) $(TUNE_DATA) --set seed=1 --out models/transformer --name transformer --force
	$(BIN)/parley export-onnx models/transformer --out models/transformer-int8 --force

## models/default: linear and transformer-int8 combined per label, fitted on the news-density dev
## splits, with both members bundled inside (the directory ships in the wheel; it needs onnxruntime
## and tokenizers, no torch). It wins on real text; see the README for the figures.
default-model: $(VENV)/.full
	$(BIN)/parley train ensemble $(TRAIN_DATA) $(TUNE_DATA) --members models/linear,models/transformer-int8 \
		--set bundle=true --out models/default --name default --force

## models/fast: the linear family on corpus v2.1 plus real news pools labelled by models/default
## (teacher to student; the labelled pools hold others' sentences, so they stay in build/). Thresholds
## are the lowest reaching precision 0.7 on the news-density dev splits, where acts are rare.
fast-model: default-model
	$(BIN)/parley data pseudo-label --model models/default --out build/pseudo/pools.jsonl --force
	$(BIN)/parley train linear $(TRAIN_DATA) build/pseudo $(TUNE_DATA) --target-precision 0.7 \
		--out models/fast --name fast --force

## Evaluate every models/*/ into reports/LEADERBOARD.md.
leaderboard: $(VENV)/.full
	$(BIN)/parley leaderboard

## Does active learning pay? uncertain vs random sampling, 200 -> 3,000 labels (about 10 minutes).
active-learning: $(VENV)/.full
	$(BIN)/python -m benchmarks.active_learning

bench: $(VENV)/.full
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .pytest_cache
