"""The report's sections, one module each: a section's figures, tables and text from
analysis tables (the page around them is ``seedmodel.report.html``)."""
