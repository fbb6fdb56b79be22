"""What the bot remembers between runs: the ledger, removal records, PDF verdicts, on one
SQLite file or on the PostgreSQL server of RPA_LEDGER_URL."""
