"""CLI subcommands, one group per module; each has register(subparsers)."""
