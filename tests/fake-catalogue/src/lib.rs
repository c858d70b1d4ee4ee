//! Fake catalogue server.
