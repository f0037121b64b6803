"""Presentation without a screen: figures in words, tables, Altair charts, and the PDF, Excel and CSV files.
The only layer below the UI that may import altair, fpdf2 or openpyxl."""
