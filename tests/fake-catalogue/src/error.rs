//! The crate's error type.

/// Why the fake catalogue could not start or be configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding or inspecting the listening socket failed.
    #[error("fake catalogue: cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A catalogue file is unreadable or malformed.
    #[error("fake catalogue: catalogue {path}: {message}")]
    Catalogue {
        /// The file (or embedded name) at fault.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A fault spec or runtime configuration is malformed.
    #[error("fake catalogue: bad configuration: {0}")]
    Config(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
