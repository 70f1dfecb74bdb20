"""Use cases that the screens and the CLI both call."""
