"""Metrics, threshold tuning, reports, plots and model comparison."""
