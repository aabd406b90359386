"""Pure reference models (reference-models.md): numbers and DataFrames in, numbers out.

No file I/O, no submission models, no imports from the rest of `grader`.
"""
