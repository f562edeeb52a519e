"""irisfx: declare, pin, verify and mount InterSystems IRIS test-data fixtures."""

__version__ = "0.1.0"
