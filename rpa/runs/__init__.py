"""What a run leaves behind: its outcomes, results workbook, archive, report, notification."""
