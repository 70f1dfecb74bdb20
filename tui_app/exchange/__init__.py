"""B2P exchange: the results-file format (b2p.py, b2p.xsd), row mapping, CSV tables and a
generator of realistic files. Use cases are in services/ (import_roster, import_scores,
export_results, consolidate)."""
