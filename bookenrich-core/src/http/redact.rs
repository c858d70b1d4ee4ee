//! URLs as they may appear in errors, logs and `Debug` output: without secrets.

/// Query parameters whose values are secrets: redacted in errors, dropped from cache keys.
const SECRET_PARAMS: &[&str] =
    &["key", "api_key", "apikey", "access_token", "token", "client_secret", "password"];

pub(crate) fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

pub(crate) fn has_secret_params(url: &url::Url) -> bool {
    url.query_pairs().any(|(k, _)| is_secret_param(&k))
}

/// `url` with credentials removed and secret query values replaced by `REDACTED`.
pub fn redact_url(url: &url::Url) -> String {
    let mut clean = url.clone();
    if !clean.username().is_empty() || clean.password().is_some() {
        // Only fails for URLs that cannot have credentials, which then have none.
        let _ = clean.set_username("");
        let _ = clean.set_password(None);
    }
    if has_secret_params(&clean) {
        let pairs: Vec<(String, String)> = clean
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_param(&k) { "REDACTED".to_owned() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        clean.query_pairs_mut().clear().extend_pairs(pairs);
    }
    clean.into()
}
