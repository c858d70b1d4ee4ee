//! Python bindings (filled by the Python issue).
