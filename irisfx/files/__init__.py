"""File safety under everything: atomic writes, digests and the stat cache, disk full, signals."""
