"""What every layer uses and that knows no portal and no browser: errors, the failure rule,
text, private files, locks, secrets, logs, waiting and retrying."""
