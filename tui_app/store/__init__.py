"""Durable storage: TinyDB behind an atomic storage, a process lock, backups, the audit log."""
