"""Screens, one file per screen; the main menu lists them from registry.py."""
