"""Spreadsheets in and out: the warranty queue, removal files, the one workbook writer."""
