"""Runtime scorers for each model family: load a model directory, score sentences.

Training code lives in `training/`; these modules only load and predict.
"""
