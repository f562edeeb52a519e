"""fixtures.toml: the declaration and its pins (read, validated, written back), names, paths."""
