"""The flow: observe (files + engine, read-only) -> plan (pure) -> apply; report and verify."""
