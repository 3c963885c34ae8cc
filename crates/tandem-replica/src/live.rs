//! Live updates from the server: a Server-Sent Events stream of "changes up to version N".
//!
//! [`Replica::listen`] holds one `GET /v1/events` open and reports every version it hears; the
//! caller decides whether to sync (the version is above the cursor) and reconnects when the
//! stream ends. The events carry no data, so the pull that follows is the normal, scoped one.

use crate::error::{ReplicaError, Result};
use crate::replica::{Mode, Replica};
use crate::sync::without_url;
use std::time::Duration;
use tandem_sync::{paths, ErrorBody, LiveEvent, Version, LIVE_EVENT_NAME};

/// How long connecting may take. The stream itself has no overall timeout; a read that hears
/// nothing (not even the server's keep-alive comment, every 15 s) for [`READ_TIMEOUT`] counts
/// as a dead connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(45);
/// The longest line the parser buffers; a stream that sends more without a newline is refused.
const MAX_LINE_BYTES: usize = 64 * 1024;

impl Replica {
    /// Listens to the server's live updates and calls `on_version` for each announced version,
    /// the first being the server's current one. Returns when the stream ends (`Ok`) or fails;
    /// either way the caller reconnects, with back-off.
    pub async fn listen(&self, mut on_version: impl FnMut(Version) + Send) -> Result<()> {
        if self.mode() != Mode::Server {
            return Err(ReplicaError::NotSignedIn);
        }
        let (url, _device, token) = self.server_session().await?;
        let offline = |e: reqwest::Error| ReplicaError::Offline { url: url.clone(), reason: without_url(&e) };
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("tandem/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(offline)?;
        let mut resp = http
            .get(format!("{url}{}", paths::EVENTS))
            .bearer_auth(token.expose())
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(offline)?;
        let status = resp.status();
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
                Ok(b) => (b.code, b.message),
                Err(_) => (format!("http_{}", status.as_u16()), text.chars().take(200).collect()),
            };
            return Err(ReplicaError::Server { status: status.as_u16(), code, message });
        }
        tracing::debug!("live stream connected");
        let mut parser = SseParser::default();
        while let Some(chunk) = resp.chunk().await.map_err(offline)? {
            for event in parser.feed(&chunk).map_err(bad_stream)? {
                if event.event != LIVE_EVENT_NAME {
                    continue; // a newer server's event this build does not know
                }
                let live: LiveEvent = serde_json::from_str(&event.data)
                    .map_err(|e| bad_stream(format!("event data {:?}: {e}", event.data)))?;
                on_version(live.version);
            }
        }
        tracing::debug!("live stream ended");
        Ok(())
    }
}

fn bad_stream(message: String) -> ReplicaError {
    ReplicaError::Server { status: 200, code: "bad_event_stream".into(), message }
}

/// One dispatched Server-Sent Event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// `message` unless the server named it.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// An incremental parser of `text/event-stream` (the WHATWG rules that matter here): bytes
/// arrive in chunks that may split a line or a UTF-8 character anywhere; lines end with LF or
/// CRLF; `:` starts a comment; a blank line dispatches the event (if it had data).
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    event: String,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Feeds one chunk; returns the events it completed.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> std::result::Result<Vec<SseEvent>, String> {
        let mut out = Vec::new();
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..nl]);
            rest = &rest[nl + 1..];
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8(line).map_err(|_| "a line of the event stream is not UTF-8".to_owned())?;
            if let Some(event) = self.line_done(&line) {
                out.push(event);
            }
        }
        self.line.extend_from_slice(rest);
        if self.line.len() > MAX_LINE_BYTES {
            return Err(format!("a line of the event stream is longer than {MAX_LINE_BYTES} bytes"));
        }
        Ok(out)
    }

    fn line_done(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            let data = std::mem::take(&mut self.data);
            if !std::mem::take(&mut self.has_data) {
                return None;
            }
            let event = if event.is_empty() { "message".to_owned() } else { event };
            return Some(SseEvent { event, data });
        }
        if line.starts_with(':') {
            return None; // a comment: keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {} // id, retry and unknown fields: not used
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent { event: event.into(), data: data.into() }
    }

    #[test]
    fn several_events_in_one_chunk_come_out_in_order() {
        let mut p = SseParser::default();
        let got = p
            .feed(b"event: changes\ndata: {\"version\":1}\n\nevent: changes\ndata: {\"version\":2}\n\n")
            .expect("a valid stream");
        assert_eq!(got, vec![ev("changes", r#"{"version":1}"#), ev("changes", r#"{"version":2}"#)]);
    }

    #[test]
    fn a_line_split_across_chunks_is_joined() {
        let stream = "event: changes\r\ndata: {\"version\":42}\r\n\r\n".as_bytes();
        for split in 0..=stream.len() {
            let mut p = SseParser::default();
            let mut got = p.feed(&stream[..split]).expect("first half");
            got.extend(p.feed(&stream[split..]).expect("second half"));
            assert_eq!(got, vec![ev("changes", r#"{"version":42}"#)], "split at byte {split}");
        }
    }

    #[test]
    fn a_utf8_character_split_across_chunks_survives() {
        let stream = "data: Müller\n\n".as_bytes();
        let at = stream.iter().position(|&b| b == 0xC3).expect("ü starts with 0xC3") + 1;
        let mut p = SseParser::default();
        assert!(p.feed(&stream[..at]).expect("first half").is_empty());
        assert_eq!(p.feed(&stream[at..]).expect("second half"), vec![ev("message", "Müller")]);
    }

    #[test]
    fn comments_and_unknown_fields_are_skipped_and_events_without_data_are_not_dispatched() {
        let mut p = SseParser::default();
        let got = p
            .feed(b": keep-alive\n\n:\n\nevent: changes\n\nid: 7\nretry: 10\nevent: changes\ndata:{\"version\":3}\n\n")
            .expect("a valid stream");
        assert_eq!(got, vec![ev("changes", r#"{"version":3}"#)], "a comment or an event without data is no event");
    }

    #[test]
    fn data_lines_join_with_newlines() {
        let mut p = SseParser::default();
        assert_eq!(p.feed(b"data: a\ndata\ndata: b\n\n").expect("valid"), vec![ev("message", "a\n\nb")]);
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut p = SseParser::default();
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        assert!(p.feed(&long).is_err(), "a stream that never ends its line must not grow memory forever");
    }
}
