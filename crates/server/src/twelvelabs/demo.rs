//! Test controls under `/v1.3/_demo/` (behind the key like the API, never
//! faulted): move the server clock forward, and queue exact faults.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::errors::{TlError, TlResult};
use super::params::Params;
use super::state::TlState;
use crate::faults::Scripted;

/// `POST /v1.3/_demo/clock?advance=SECS`: time passes for sessions, links,
/// search pages and processing.
pub async fn advance_clock(
    State(state): State<Arc<TlState>>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let secs: u64 = Params::parse(q.as_deref())
        .get("advance")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| TlError::invalid("`advance` must be a number of seconds."))?;
    state.clock.advance(Duration::from_secs(secs));
    Ok(Json(
        json!({"now": super::clock::rfc3339(state.clock.now_ms())}),
    ))
}

/// `POST /v1.3/_demo/faults?path=PREFIX&fault=KIND[@BYTES]` (repeat
/// `fault` for several): the next requests under PREFIX get these.
pub async fn queue_faults(
    State(state): State<Arc<TlState>>,
    RawQuery(q): RawQuery,
) -> TlResult<StatusCode> {
    let p = Params::parse(q.as_deref());
    let prefix = p.get("path").unwrap_or("/v1.3/");
    let faults = p
        .all("fault")
        .iter()
        .map(|f| Scripted::parse(f, prefix))
        .collect::<Result<Vec<_>, _>>()
        .map_err(TlError::invalid)?;
    state.script_faults(faults);
    Ok(StatusCode::OK)
}
