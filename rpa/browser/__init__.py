"""Chromium and what lives in it: launch and contexts, workers in one browser, the cookie
slots a worker keeps between runs, per-item traces, HAR recordings."""
