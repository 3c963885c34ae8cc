use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use tandem_sync::{LiveEvent, Version, LIVE_EVENT_NAME};
use tokio::sync::watch;
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::live::{self, Hub};
use crate::AppState;

/// How often an idle stream sends a comment, so proxies keep it open and clients notice a dead
/// connection.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /v1/events` (bearer token): Server-Sent Events, `event: changes` with
/// `data: {"version": N}`, first the current version, then each time it moves.
#[instrument(skip_all, fields(user = %session.user_name, device = %session.device_id), err(level = "info"))]
pub async fn events(
    State(state): State<AppState>,
    session: Session,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Error> {
    // Subscribe before reading the clock, so nothing published in between is lost.
    let rx = state.hub.subscribe();
    let current = live::current_version(&state.pool).await?.max(state.hub.latest());
    tracing::debug!(version = current.0, "live stream opened");
    Ok(Sse::new(versions(state.hub, rx, current)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

struct Cursor {
    hub: Hub,
    rx: watch::Receiver<Version>,
    /// The version to send next, if any; afterwards the last one sent.
    first: Option<Version>,
    sent: Version,
}

/// `first`, then every newer version the hub sees, until the hub closes.
fn versions(hub: Hub, rx: watch::Receiver<Version>, first: Version) -> impl Stream<Item = Result<Event, Infallible>> {
    let cursor = Cursor { hub, rx, first: Some(first), sent: Version(0) };
    stream::unfold(cursor, |mut c| async move {
        if let Some(v) = c.first.take() {
            c.sent = v;
            return Some((Ok(event(v)), c));
        }
        loop {
            let changed = tokio::select! {
                () = c.hub.closed() => return None,
                r = c.rx.changed() => r,
            };
            if changed.is_err() {
                return None;
            }
            let v = *c.rx.borrow_and_update();
            if v > c.sent {
                c.sent = v;
                return Some((Ok(event(v)), c));
            }
        }
    })
}

fn event(version: Version) -> Event {
    let data =
        serde_json::to_string(&LiveEvent { version }).unwrap_or_else(|_| format!("{{\"version\":{}}}", version.0));
    Event::default().event(LIVE_EVENT_NAME).data(data)
}
