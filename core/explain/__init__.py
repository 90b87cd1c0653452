"""What the app writes out: theory with live numbers, question cards, formulas, first steps, snippets and precision."""
