"""Recipes: the files that build a source namespace from nothing, read and run the same way
on every engine."""
