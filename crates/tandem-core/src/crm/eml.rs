//! Reading an e-mail saved as `.eml` (RFC 5322 with MIME), to log it as an activity.
//!
//! What is handled: folded headers; RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`);
//! `multipart/alternative` and `multipart/mixed`, nested, taking the first `text/plain` part
//! that is not an attachment and else the first `text/html` part with its tags stripped;
//! `base64` and `quoted-printable` transfer encodings; the charsets UTF-8, US-ASCII,
//! ISO-8859-1, ISO-8859-15 and Windows-1252 (others are read as UTF-8). The date becomes UTC.

use crate::error::FieldError;
use crate::fields::Email;
use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How deep multiparts may nest before the message is refused (real mail nests 3 or 4 deep).
const MAX_DEPTH: usize = 16;

/// An address with its display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    #[serde(default)]
    pub name: Option<String>,
    pub email: Email,
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n} <{}>", self.email),
            None => write!(f, "{}", self.email),
        }
    }
}

/// What Tandem keeps of an e-mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailMessage {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Empty when the message has none.
    pub subject: String,
    /// When it was sent, in UTC.
    pub date: NaiveDateTime,
    /// The text of the message (lines separated by `\n`).
    pub body_text: String,
    /// The Message-ID without angle brackets, to recognise a message imported twice.
    #[serde(default)]
    pub message_id: Option<String>,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

/// Reads an `.eml` file.
pub fn parse_eml(bytes: &[u8]) -> Result<EmailMessage, FieldError> {
    let (headers, body) = split_entity(bytes);
    if headers.is_empty() {
        return Err(err("eml", "this is not an e-mail message: it has no headers"));
    }
    let h = |name: &str| header(&headers, name);
    let from_raw = h("from").ok_or_else(|| err("From", "the message has no From header"))?;
    let from = parse_address_list("From", from_raw)?
        .into_iter()
        .next()
        .ok_or_else(|| err("From", "the From header names no address"))?;
    let to = h("to").map_or(Ok(vec![]), |v| parse_address_list("To", v))?;
    let cc = h("cc").map_or(Ok(vec![]), |v| parse_address_list("Cc", v))?;
    let subject = h("subject").map(|s| collapse_ws(&decode_words(s))).unwrap_or_default();
    let date_raw = h("date").ok_or_else(|| err("Date", "the message has no Date header"))?;
    let date = parse_date(date_raw)?;
    let message_id = h("message-id").map(|m| m.trim().trim_start_matches('<').trim_end_matches('>').to_owned());
    let mut found = Found::default();
    collect_text(&headers, body, 0, &mut found)?;
    let body_text = match (found.plain, found.html) {
        (Some(p), _) => p,
        (None, Some(html)) => html_to_text(&html),
        (None, None) => String::new(),
    };
    Ok(EmailMessage { from, to, cc, subject, date, body_text: tidy(&body_text), message_id })
}

fn parse_date(raw: &str) -> Result<NaiveDateTime, FieldError> {
    // A trailing comment ("+0100 (CET)") is not part of the date.
    let s = raw.split('(').next().unwrap_or(raw).trim();
    DateTime::parse_from_rfc2822(s)
        .map(|d| d.naive_utc())
        .map_err(|_| err("Date", format!("{:?} is not an RFC 2822 date", raw.trim())))
}

type Headers = Vec<(String, String)>;

fn header<'h>(headers: &'h Headers, name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Splits an entity at its first empty line into unfolded headers and the body.
fn split_entity(bytes: &[u8]) -> (Headers, &[u8]) {
    let mut pos = 0;
    let (head, body) = loop {
        let nl = bytes[pos..].iter().position(|b| *b == b'\n').map(|i| pos + i);
        let end = nl.unwrap_or(bytes.len());
        let line = &bytes[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break (&bytes[..pos], &bytes[(end + 1).min(bytes.len())..]);
        }
        match nl {
            Some(nl) => pos = nl + 1,
            None => break (bytes, &bytes[bytes.len()..]),
        }
    };
    let text = match std::str::from_utf8(head) {
        Ok(s) => s.to_owned(),
        Err(_) => latin1(head),
    };
    let mut headers: Headers = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            if !name.is_empty() && !name.contains(' ') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
    }
    (headers, body)
}

#[derive(Default)]
struct Found {
    plain: Option<String>,
    html: Option<String>,
}

struct ContentType {
    mime: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Splits on `sep` outside double quotes.
fn split_unquoted(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(String::new());
            continue;
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_owned(),
    }
}

fn content_type(value: Option<&str>) -> ContentType {
    let Some(v) = value else {
        return ContentType { mime: "text/plain".into(), params: vec![] };
    };
    let parts = split_unquoted(v, ';');
    let mime = parts.first().map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    let params = parts[1..]
        .iter()
        .filter_map(|p| p.split_once('='))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), unquote(v)))
        .collect();
    ContentType { mime, params }
}

fn collect_text(headers: &Headers, body: &[u8], depth: usize, found: &mut Found) -> Result<(), FieldError> {
    if depth > MAX_DEPTH {
        return Err(err("eml", format!("the message nests parts more than {MAX_DEPTH} deep")));
    }
    let ct = content_type(header(headers, "content-type"));
    let attachment =
        header(headers, "content-disposition").is_some_and(|d| d.trim().to_ascii_lowercase().starts_with("attachment"));
    if ct.mime.starts_with("multipart/") {
        let boundary = ct.param("boundary").ok_or_else(|| err("eml", format!("a {} part has no boundary", ct.mime)))?;
        for part in split_multipart(body, boundary) {
            let (h, b) = split_entity(part);
            collect_text(&h, b, depth + 1, found)?;
            if found.plain.is_some() {
                break;
            }
        }
        return Ok(());
    }
    if attachment {
        return Ok(());
    }
    let is_plain = ct.mime == "text/plain";
    let is_html = ct.mime == "text/html";
    if (is_plain && found.plain.is_none()) || (is_html && found.html.is_none()) {
        let cte =
            header(headers, "content-transfer-encoding").map(|c| c.trim().to_ascii_lowercase()).unwrap_or_default();
        let bytes = match cte.as_str() {
            "base64" => {
                decode_base64(body).map_err(|e| err("eml", format!("a {} part is not valid base64: {e}", ct.mime)))?
            }
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.to_vec(),
        };
        let text = decode_charset(&bytes, ct.param("charset").unwrap_or("utf-8"));
        if is_plain {
            found.plain = Some(text);
        } else {
            found.html = Some(text);
        }
    }
    Ok(())
}

/// The parts between `--boundary` lines, up to `--boundary--`.
fn split_multipart<'b>(body: &'b [u8], boundary: &str) -> Vec<&'b [u8]> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let nl = body[pos..].iter().position(|b| *b == b'\n').map_or(body.len(), |i| pos + i);
        let line = &body[pos..nl];
        let line = trim_end_ascii(line);
        if let Some(rest) = line.strip_prefix(delim) {
            if rest.is_empty() || rest == b"--" {
                if let Some(s) = start {
                    // The line break before a delimiter belongs to the delimiter.
                    let mut end = pos;
                    if end > s && body[end - 1] == b'\n' {
                        end -= 1;
                        if end > s && body[end - 1] == b'\r' {
                            end -= 1;
                        }
                    }
                    parts.push(&body[s..end]);
                }
                if rest == b"--" {
                    return parts;
                }
                start = Some((nl + 1).min(body.len()));
            }
        }
        pos = nl + 1;
    }
    if let Some(s) = start.filter(|s| *s < body.len()) {
        parts.push(&body[s..]);
    }
    parts
}

fn trim_end_ascii(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Base64 (standard or URL alphabet; line breaks, spaces and padding skipped).
pub fn decode_base64(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut buf: u32 = 0;
    let mut bits = 0u32;
    for &c in input {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\t' | b'\r' | b'\n' => continue,
            other => return Err(format!("{:?} is not a base64 character", other as char)),
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Quoted-printable: `=XX` bytes and `=` soft line breaks; a stray `=` is kept as it is.
pub fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        if c != b'=' {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < input.len() && (input[j] == b' ' || input[j] == b'\t') {
            j += 1;
        }
        if j >= input.len() {
            i = j;
        } else if input[j] == b'\n' {
            i = j + 1;
        } else if input[j] == b'\r' && input.get(j + 1) == Some(&b'\n') {
            i = j + 2;
        } else if let (Some(h), Some(l)) =
            (input.get(i + 1).and_then(|b| hex(*b)), input.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    out
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// Windows-1252 for 0x80–0x9F (the rest is Latin-1).
const CP1252_HIGH: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}‘’“”•–—˜™š›œ\u{9d}žŸ";

fn decode_charset(bytes: &[u8], charset: &str) -> String {
    match charset.trim().to_ascii_lowercase().as_str() {
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => latin1(bytes),
        "iso-8859-15" | "iso8859-15" | "latin-9" => bytes
            .iter()
            .map(|b| match b {
                0xA4 => '€',
                0xA6 => 'Š',
                0xA8 => 'š',
                0xB4 => 'Ž',
                0xB8 => 'ž',
                0xBC => 'Œ',
                0xBD => 'œ',
                0xBE => 'Ÿ',
                other => char::from(*other),
            })
            .collect(),
        "windows-1252" | "cp1252" => bytes
            .iter()
            .map(|b| match b {
                0x80..=0x9F => CP1252_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('\u{fffd}'),
                other => char::from(*other),
            })
            .collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Decodes RFC 2047 encoded words; white space between two encoded words is dropped.
pub fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut after_word = false;
    while let Some(off) = s[i..].find("=?") {
        let start = i + off;
        match encoded_word(&s[start..]) {
            Some((decoded, len)) => {
                let between = &s[i..start];
                if !(after_word && between.chars().all(char::is_whitespace)) {
                    out.push_str(between);
                }
                out.push_str(&decoded);
                i = start + len;
                after_word = true;
            }
            None => {
                out.push_str(&s[i..start + 2]);
                i = start + 2;
                after_word = false;
            }
        }
    }
    out.push_str(&s[i..]);
    out
}

/// `=?charset?B|Q?text?=` at the start of `s`: the decoded text and the length consumed.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let rest = s.strip_prefix("=?")?;
    let q1 = rest.find('?')?;
    let charset = rest[..q1].split('*').next().unwrap_or("");
    let after = &rest[q1 + 1..];
    let mut chars = after.chars();
    let enc = chars.next()?.to_ascii_uppercase();
    if chars.next()? != '?' {
        return None;
    }
    let text_start = q1 + 3;
    let text_len = rest[text_start..].find("?=")?;
    let text = &rest[text_start..text_start + text_len];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match enc {
        'B' => decode_base64(text.as_bytes()).ok()?,
        'Q' => {
            let underscored: Vec<u8> = text.bytes().map(|b| if b == b'_' { b' ' } else { b }).collect();
            decode_quoted_printable(&underscored)
        }
        _ => return None,
    };
    Some((decode_charset(&bytes, charset), 2 + text_start + text_len + 2))
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits an address list on commas outside quotes, angle brackets and comments; group names
/// ("Team: a@x.de, b@x.de;") are dropped.
fn parse_address_list(field: &str, raw: &str) -> Result<Vec<Mailbox>, FieldError> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut angle, mut paren) = (false, false, 0usize);
    for c in raw.chars() {
        match c {
            '"' if paren == 0 => quoted = !quoted,
            '<' if !quoted && paren == 0 => angle = true,
            '>' if !quoted && paren == 0 => angle = false,
            '(' if !quoted => paren += 1,
            ')' if !quoted && paren > 0 => paren -= 1,
            ':' if !quoted && !angle && paren == 0 => {
                cur.clear();
                continue;
            }
            ',' | ';' if !quoted && !angle && paren == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| mailbox(field, s)).collect()
}

fn mailbox(field: &str, s: &str) -> Result<Mailbox, FieldError> {
    let (name, addr) = match (s.rfind('<'), s.rfind('>')) {
        (Some(l), Some(r)) if l < r => (Some(unquote(&s[..l])), s[l + 1..r].trim().to_owned()),
        _ => match (s.find('('), s.rfind(')')) {
            // "anna@acme.de (Anna Berg)": the comment names the person.
            (Some(l), Some(r)) if l < r => (Some(s[l + 1..r].trim().to_owned()), s[..l].trim().to_owned()),
            _ => (None, s.to_owned()),
        },
    };
    let email = Email::parse(&addr).map_err(|e| err(field, e.message))?;
    let name = name.map(|n| collapse_ws(&decode_words(&n))).filter(|n| !n.is_empty());
    Ok(Mailbox { name, email })
}

fn decode_entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(h) => u32::from_str_radix(h, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let c = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => " ",
        "euro" => "€",
        "auml" => "ä",
        "ouml" => "ö",
        "uuml" => "ü",
        "Auml" => "Ä",
        "Ouml" => "Ö",
        "Uuml" => "Ü",
        "szlig" => "ß",
        "eacute" => "é",
        "egrave" => "è",
        "agrave" => "à",
        "ccedil" => "ç",
        "copy" => "©",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        _ => return None,
    };
    Some(c.to_owned())
}

/// The text of an HTML body: scripts, styles and comments out, block ends as line breaks,
/// entities decoded, blank lines collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::new();
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let mut skip_until: Option<&str> = None;
    while i < html.len() {
        if let Some(end) = skip_until {
            match lower[i..].find(end) {
                Some(off) => {
                    i += off + end.len();
                    skip_until = None;
                    continue;
                }
                None => break,
            }
        }
        let Some(c) = html[i..].chars().next() else { break };
        if lower[i..].starts_with("<!--") {
            skip_until = Some("-->");
            i += 4;
            continue;
        }
        if c == '<' {
            let Some(close) = html[i..].find('>') else { break };
            let tag = &lower[i + 1..i + close];
            let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if !tag.starts_with('/') && (name == "script" || name == "style") {
                skip_until = Some(if name == "script" { "</script>" } else { "</style>" });
            }
            match name.as_str() {
                "br" | "p" | "div" | "tr" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol"
                | "blockquote" => text.push('\n'),
                "li" if !tag.starts_with('/') => text.push_str("\n- "),
                "td" | "th" if tag.starts_with('/') => text.push(' '),
                _ => {}
            }
            i += close + 1;
            continue;
        }
        if c == '&' {
            if let Some(semi) = html[i..].find(';').filter(|s| *s <= 10) {
                if let Some(decoded) = decode_entity(&html[i + 1..i + semi]) {
                    text.push_str(&decoded);
                    i += semi + 1;
                    continue;
                }
            }
        }
        text.push(if c.is_whitespace() { ' ' } else { c });
        i += c.len_utf8();
    }
    text
}

/// Line breaks as `\n`, lines without trailing (and for HTML, leading) spaces, at most one
/// blank line in a row, no blank lines at the ends.
fn tidy(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = Vec::new();
    for line in s.split('\n') {
        let l = line.trim_end().to_owned();
        let l = if l.starts_with(' ') && l.trim_start().starts_with("- ") { l.trim_start().to_owned() } else { l };
        if l.trim().is_empty() && out.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        out.push(if l.trim().is_empty() { String::new() } else { l });
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    #[test]
    fn a_plain_message_with_folded_encoded_headers() {
        let eml = "Return-Path: <anna@acme.de>\r\n\
From: =?UTF-8?B?QW5uYSBCw6ZyZw==?= <anna@acme.de>\r\n\
To: \"Lind, Bo\" <bo@tandem.example>, sales@tandem.example\r\n\
Cc: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <jm@acme.de>\r\n\
Subject: =?UTF-8?Q?Angebot_f=C3=BCr_B=C3=BCrost=C3=BChle?=\r\n =?UTF-8?Q?_(Q4)?=\r\n\
Date: Tue, 24 Nov 2026 09:15:00 +0100 (CET)\r\n\
Message-ID: <abc123@acme.de>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Hallo Bo,\r\n\r\nbitte schicken Sie uns das Angebot für 40 Stühle.\r\n\r\nGrüße\r\nAnna\r\n";
        let m = parse_eml(eml.as_bytes()).expect("parsed");
        assert_eq!(m.from.to_string(), "Anna Bærg <anna@acme.de>");
        assert_eq!(
            m.to.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["Lind, Bo <bo@tandem.example>", "sales@tandem.example"]
        );
        assert_eq!(m.cc[0].name.as_deref(), Some("Jürgen Müller"));
        assert_eq!(m.subject, "Angebot für Bürostühle (Q4)", "adjacent encoded words join without the space");
        assert_eq!(m.date, t("2026-11-24 08:15:00"), "converted to UTC");
        assert_eq!(m.message_id.as_deref(), Some("abc123@acme.de"));
        assert_eq!(m.body_text, "Hallo Bo,\n\nbitte schicken Sie uns das Angebot für 40 Stühle.\n\nGrüße\nAnna");
    }

    #[test]
    fn multipart_alternative_prefers_the_plain_part_in_latin1_quoted_printable() {
        let eml = "From: jm@acme.de\n\
To: bo@tandem.example\n\
Subject: Lieferung\n\
Date: Wed, 25 Nov 2026 16:30:00 -0500\n\
Content-Type: multipart/alternative; boundary=\"==b1==\"\n\
\n\
This is a multi-part message in MIME format.\n\
--==b1==\n\
Content-Type: text/plain; charset=\"iso-8859-1\"\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
Die Lieferung kommt am Montag. Gr=FC=DFe aus M=FCnchen, und eine sehr lange Zei=\n\
le, die weich umbrochen wurde.\n\
--==b1==\n\
Content-Type: text/html; charset=\"iso-8859-1\"\n\
\n\
<p>HTML version</p>\n\
--==b1==--\n";
        let m = parse_eml(eml.as_bytes()).expect("parsed");
        assert_eq!(m.date, t("2026-11-25 21:30:00"));
        assert_eq!(
            m.body_text,
            "Die Lieferung kommt am Montag. Grüße aus München, und eine sehr lange Zeile, die weich umbrochen wurde."
        );
    }

    #[test]
    fn mixed_with_an_attachment_falls_back_to_the_html_text() {
        let html = "<html><head><style>p{color:red}</style></head><body><p>Dear Bo,</p><p>the price is 1&nbsp;200&euro; &amp; \
            delivery is free.</p><ul><li>40 chairs</li><li>2 desks</li></ul><!-- tracking --><br>Anna</body></html>";
        let b64 = base64_encode(html.as_bytes());
        let eml = format!(
            "From: Anna <anna@acme.de>\r\nTo: bo@tandem.example\r\nSubject: Offer\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\
Content-Type: multipart/mixed; boundary=outer\r\n\r\n\
--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n\
--inner\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--inner--\r\n\
--outer\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nnot the body\r\n\
--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--outer--\r\n"
        );
        let m = parse_eml(eml.as_bytes()).expect("parsed");
        assert_eq!(
            m.body_text,
            "Dear Bo,\n\nthe price is 1 200€ & delivery is free.\n\n- 40 chairs\n- 2 desks\n\nAnna"
        );
    }

    #[test]
    fn broken_messages_are_refused_with_the_header_at_fault() {
        let e = parse_eml(b"\r\njust text").expect_err("no headers");
        assert!(e.message.contains("not an e-mail message"), "{e}");
        let e = parse_eml(b"To: a@b.de\r\nDate: Tue, 24 Nov 2026 09:15:00 +0100\r\n\r\nx").expect_err("no From");
        assert_eq!(e.to_string(), "From: the message has no From header");
        let e = parse_eml(b"From: a@b.de\r\nDate: 24.11.2026\r\n\r\nx").expect_err("bad date");
        assert_eq!(e.to_string(), "Date: \"24.11.2026\" is not an RFC 2822 date");
        let e = parse_eml(b"From: Anna <anna(at)acme>\r\nDate: Tue, 24 Nov 2026 09:15:00 +0100\r\n\r\nx")
            .expect_err("bad from");
        assert_eq!(e.field, "From");
    }

    #[test]
    fn decoders_handle_the_edge_cases() {
        assert_eq!(decode_base64(b"SGVs\r\nbG8=").expect("ok"), b"Hello");
        assert_eq!(decode_base64(b"SGVsbG8").expect("unpadded"), b"Hello");
        assert!(decode_base64(b"SGV*").is_err());
        assert_eq!(decode_quoted_printable(b"a=3Db=\r\nc= \nd=zz"), b"a=bcd=zz");
        assert_eq!(decode_words("=?utf-8?q?caf=C3=A9?= au lait"), "café au lait");
        assert_eq!(decode_words("no =? word"), "no =? word");
        assert_eq!(decode_charset(&[0x80, 0x93, 0x94], "windows-1252"), "€“”");
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for (n, chunk) in bytes.chunks(3).enumerate() {
            if n > 0 && n % 19 == 0 {
                out.push_str("\r\n");
            }
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(A[((v >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
