"""Analysis helpers behind ``tools/analysis_tools`` (not imported by
``import mmssl``)."""
