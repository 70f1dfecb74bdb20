"""PDF forms ИС-01 … ИС-09 and the application form, over a shared page kit (kit.py)."""
