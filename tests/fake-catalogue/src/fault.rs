//! Deterministic fault injection: what goes wrong, for which requests, and the `--fault` spec syntax.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Api;
use crate::error::Error;

/// One injected fault: an action, the requests it applies to, and when it fires among them.
///
/// Faults are checked in the order they were added; the first one that fires decides the answer.
/// Counting is deterministic: by each fault's own count of matching requests, or by how many
/// times the same URL (path + query, without `key=`) has been requested.
///
/// ```
/// use bookenrich_fake_catalogue::{Api, Fault};
/// let f = Fault::status(503).on(Api::OpenLibrary).first_per_url(1); // each URL fails once
/// assert_eq!(f.to_string(), "503,api=openlibrary,first-per-url=1");
/// assert_eq!("503,api=openlibrary,first-per-url=1".parse::<Fault>().ok(), Some(f));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What happens.
    pub action: FaultAction,
    /// Only requests to this API (all if `None`).
    #[serde(default)]
    pub api: Option<Api>,
    /// Only requests to this route template, e.g. `/search.json` (all if `None`).
    #[serde(default)]
    pub route: Option<String>,
    /// When it fires among the matching requests.
    #[serde(default)]
    pub trigger: Trigger,
}

/// What an injected fault does to the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer this status with the API's real error body (429 and 5xx shapes), optionally `Retry-After`.
    Status {
        /// HTTP status code.
        status: u16,
        /// `Retry-After` seconds.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Read the request and never answer (until the client gives up or the server stops).
    Hang,
    /// Close the connection without sending anything.
    Drop,
    /// Send the real headers (full `Content-Length`) but only half the body, then close.
    Truncate,
    /// 200 with valid JSON of the wrong shape for the route (`[]`, `{"docs":"x"}`, …).
    WrongType,
    /// 200 with the real response padded to at least this many bytes.
    Oversized {
        /// Body size in bytes.
        bytes: usize,
    },
    /// 200 with JSON nested this deep.
    DeepNesting {
        /// Nesting depth.
        depth: usize,
    },
}

/// When a fault fires among the requests it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Trigger {
    /// Every matching request.
    #[default]
    Always,
    /// The first `n` requests of each distinct URL ("fail each URL once, then succeed" is `1`).
    FirstPerUrl(u64),
    /// Every `n`-th matching request (the `n`-th, `2n`-th, …).
    EveryNth(u64),
    /// Matching requests number `from` to `from + count - 1` (1-based): a burst.
    Requests {
        /// First request (1-based) of the burst.
        from: u64,
        /// Length of the burst.
        count: u64,
    },
}

impl Fault {
    fn new(action: FaultAction) -> Fault {
        Fault { action, api: None, route: None, trigger: Trigger::Always }
    }

    /// Answer `status` (500, 503, 429, …) with the API's real error body.
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultAction::Status { status, retry_after: None })
    }

    /// Answer 429, with `Retry-After: secs` if given.
    pub fn too_many_requests(retry_after: Option<u64>) -> Fault {
        Fault::new(FaultAction::Status { status: 429, retry_after })
    }

    /// Never answer.
    pub fn hang() -> Fault {
        Fault::new(FaultAction::Hang)
    }

    /// Close the connection without a response.
    pub fn drop_connection() -> Fault {
        Fault::new(FaultAction::Drop)
    }

    /// Cut the body in half after announcing its full length.
    pub fn truncate() -> Fault {
        Fault::new(FaultAction::Truncate)
    }

    /// Valid JSON of the wrong shape.
    pub fn wrong_type() -> Fault {
        Fault::new(FaultAction::WrongType)
    }

    /// A body of at least `bytes` bytes.
    pub fn oversized(bytes: usize) -> Fault {
        Fault::new(FaultAction::Oversized { bytes })
    }

    /// JSON nested `depth` levels deep.
    pub fn deep_nesting(depth: usize) -> Fault {
        Fault::new(FaultAction::DeepNesting { depth })
    }

    /// The whole API answers 503 for the run.
    pub fn api_down(api: Api) -> Fault {
        Fault::status(503).on(api)
    }

    /// The whole API drops every connection for the run (like a refused connection).
    pub fn api_unreachable(api: Api) -> Fault {
        Fault::drop_connection().on(api)
    }

    /// Restricts the fault to one API.
    #[must_use]
    pub fn on(mut self, api: Api) -> Fault {
        self.api = Some(api);
        self
    }

    /// Restricts the fault to one route template (`/search.json`, `/books/v1/volumes/{id}`, …).
    #[must_use]
    pub fn on_route(mut self, route: &str) -> Fault {
        self.route = Some(route.to_owned());
        self
    }

    /// Fires for the first `n` requests of each distinct URL.
    #[must_use]
    pub fn first_per_url(mut self, n: u64) -> Fault {
        self.trigger = Trigger::FirstPerUrl(n);
        self
    }

    /// Fires for every `n`-th matching request.
    #[must_use]
    pub fn every_nth(mut self, n: u64) -> Fault {
        self.trigger = Trigger::EveryNth(n.max(1));
        self
    }

    /// Fires for matching requests `from..from+count` (1-based).
    #[must_use]
    pub fn requests(mut self, from: u64, count: u64) -> Fault {
        self.trigger = Trigger::Requests { from: from.max(1), count };
        self
    }

    /// Sets `Retry-After` on a status fault.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Fault {
        if let FaultAction::Status { retry_after, .. } = &mut self.action {
            *retry_after = Some(secs);
        }
        self
    }

    /// Whether the fault applies to a request of this API and route.
    pub(crate) fn matches(&self, api: Option<Api>, route: &str) -> bool {
        self.api.is_none_or(|a| Some(a) == api) && self.route.as_deref().is_none_or(|r| r == route)
    }

    /// Whether it fires for the `nth` matching request, which is attempt `attempt` of its URL.
    pub(crate) fn fires(&self, nth: u64, attempt: u64) -> bool {
        match self.trigger {
            Trigger::Always => true,
            Trigger::FirstPerUrl(n) => attempt <= n,
            Trigger::EveryNth(n) => n > 0 && nth % n == 0,
            Trigger::Requests { from, count } => nth >= from && nth < from.saturating_add(count),
        }
    }

    /// The name counted in `Stats::faults_injected`.
    pub(crate) fn kind(&self) -> String {
        match &self.action {
            FaultAction::Status { status, .. } => format!("status-{status}"),
            FaultAction::Hang => "hang".into(),
            FaultAction::Drop => "drop".into(),
            FaultAction::Truncate => "truncate".into(),
            FaultAction::WrongType => "wrong-type".into(),
            FaultAction::Oversized { .. } => "oversized".into(),
            FaultAction::DeepNesting { .. } => "deep-nesting".into(),
        }
    }
}

/// The spec syntax: `ACTION[,OPTION…]`.
///
/// ACTION: a status code (`503`, `429`), `hang`, `drop`, `truncate`, `wrong-type`, `oversized=BYTES`,
/// `deep-nesting=DEPTH`. OPTION: `api=openlibrary|google`, `route=/search.json`, `retry-after=SECS`,
/// `first-per-url=N`, `every=N`, `from=K` and `count=N` (a burst; `count` alone starts at 1).
impl FromStr for Fault {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Fault, Error> {
        let bad = |why: String| Error::Config(format!("fault spec {spec:?}: {why}"));
        let mut parts = spec.split(',').map(str::trim);
        let action = parts.next().unwrap_or_default();
        let (name, value) = action.split_once('=').unwrap_or((action, ""));
        let number =
            |v: &str| v.parse::<usize>().map_err(|_| bad(format!("{v:?} is not a number")));
        let mut fault = Fault::new(match name {
            "hang" => FaultAction::Hang,
            "drop" => FaultAction::Drop,
            "truncate" => FaultAction::Truncate,
            "wrong-type" => FaultAction::WrongType,
            "oversized" => FaultAction::Oversized { bytes: number(value)? },
            "deep-nesting" => FaultAction::DeepNesting { depth: number(value)? },
            code => match code.parse::<u16>() {
                Ok(status) if (100..600).contains(&status) => {
                    FaultAction::Status { status, retry_after: None }
                }
                _ => return Err(bad(format!("unknown action {code:?}"))),
            },
        });
        let (mut from, mut count) = (None, None);
        for option in parts {
            let (key, value) =
                option.split_once('=').ok_or_else(|| bad(format!("option {option:?} needs =")))?;
            let n = || {
                value.parse::<u64>().map_err(|_| bad(format!("{key}: {value:?} is not a number")))
            };
            match key {
                "api" => fault.api = Some(value.parse()?),
                "route" => fault.route = Some(value.to_owned()),
                "retry-after" => match &mut fault.action {
                    FaultAction::Status { retry_after, .. } => *retry_after = Some(n()?),
                    _ => return Err(bad("retry-after only goes with a status".into())),
                },
                "first-per-url" => fault.trigger = Trigger::FirstPerUrl(n()?),
                "every" => fault.trigger = Trigger::EveryNth(n()?.max(1)),
                "from" => from = Some(n()?),
                "count" => count = Some(n()?),
                _ => return Err(bad(format!("unknown option {key:?}"))),
            }
        }
        if from.is_some() || count.is_some() {
            fault.trigger = Trigger::Requests {
                from: from.unwrap_or(1).max(1),
                count: count.unwrap_or(u64::MAX),
            };
        }
        Ok(fault)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.action {
            FaultAction::Status { status, .. } => write!(f, "{status}")?,
            FaultAction::Hang => f.write_str("hang")?,
            FaultAction::Drop => f.write_str("drop")?,
            FaultAction::Truncate => f.write_str("truncate")?,
            FaultAction::WrongType => f.write_str("wrong-type")?,
            FaultAction::Oversized { bytes } => write!(f, "oversized={bytes}")?,
            FaultAction::DeepNesting { depth } => write!(f, "deep-nesting={depth}")?,
        }
        if let FaultAction::Status { retry_after: Some(s), .. } = &self.action {
            write!(f, ",retry-after={s}")?;
        }
        if let Some(api) = self.api {
            write!(f, ",api={api}")?;
        }
        if let Some(route) = &self.route {
            write!(f, ",route={route}")?;
        }
        match self.trigger {
            Trigger::Always => Ok(()),
            Trigger::FirstPerUrl(n) => write!(f, ",first-per-url={n}"),
            Trigger::EveryNth(n) => write!(f, ",every={n}"),
            Trigger::Requests { from, count } if count == u64::MAX => write!(f, ",from={from}"),
            Trigger::Requests { from, count } => write!(f, ",from={from},count={count}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip() {
        for spec in [
            "500",
            "429,retry-after=2,api=google",
            "503,api=openlibrary,route=/search.json,first-per-url=1",
            "hang,every=3",
            "drop,from=2,count=5",
            "truncate,from=4",
            "wrong-type,api=google",
            "oversized=5000000",
            "deep-nesting=100000",
        ] {
            let fault: Fault = spec.parse().unwrap_or_else(|e| panic!("{spec}: {e}"));
            assert_eq!(fault.to_string(), spec);
        }
        assert_eq!("count=3".parse::<Fault>().ok(), None);
        assert!("503,bogus=1".parse::<Fault>().is_err());
        assert!("hang,retry-after=1".parse::<Fault>().is_err());
        assert_eq!("503,count=2".parse::<Fault>().ok(), Some(Fault::status(503).requests(1, 2)));
    }

    #[test]
    fn triggers() {
        let f = Fault::status(500).first_per_url(2);
        assert!(f.fires(10, 1) && f.fires(11, 2) && !f.fires(12, 3));
        let f = Fault::hang().every_nth(3);
        assert_eq!((1..=9).filter(|&n| f.fires(n, 1)).collect::<Vec<_>>(), vec![3, 6, 9]);
        let f = Fault::drop_connection().requests(2, 2);
        assert_eq!((1..=5).filter(|&n| f.fires(n, 1)).collect::<Vec<_>>(), vec![2, 3]);
        let f = Fault::wrong_type().on(Api::Google).on_route("/books/v1/volumes");
        assert!(f.matches(Some(Api::Google), "/books/v1/volumes"));
        assert!(!f.matches(Some(Api::OpenLibrary), "/books/v1/volumes"));
        assert!(!f.matches(Some(Api::Google), "/books/v1/volumes/{id}"));
    }

    #[test]
    fn json_form() {
        let f = Fault::too_many_requests(Some(1)).on(Api::OpenLibrary).requests(1, 3);
        let json = serde_json::to_string(&f).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Fault>(&json).ok(), Some(f));
    }
}
