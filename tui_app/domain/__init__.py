"""Pure rules of the exam day: models, criteria, scoring, checks.

Nothing here imports Textual, TinyDB, lxml, fpdf2, sounddevice or soundfile
(tests/test_domain_purity.py enforces it).
"""
