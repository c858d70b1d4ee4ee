//! reqwest transport.
/// placeholder
#[derive(Debug)] pub struct ReqwestClient;
