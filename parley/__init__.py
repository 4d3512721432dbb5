"""Parley: find proposals, agreements and rejections in news text."""

__version__ = "0.1.0"
