"""`rpa serve`: the morning's supervision in a browser (runs, vehicles, traces, reruns)."""
