//! Node.js bindings (filled by the Node issue).
