"""Training: estimators behind one protocol (fit(texts, Y), predict_proba(texts) -> (n, 3),
save(directory)) and the run that turns data into a validated model directory."""
