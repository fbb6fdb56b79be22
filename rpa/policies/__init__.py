"""The policy PDFs: checking and filing a download, scanning and comparing the folder."""
