//! Activities: calls, meetings, tasks, e-mails and notes, linked to the records they are about.
//!
//! Times are local wall-clock times of the user (`NaiveDateTime`), given by the caller. An
//! activity is linked to at least one account, contact, deal or lead. A reminder fires once:
//! when its time has passed, the activity is not done and it was not yet reminded.

use super::eml::EmailMessage;
use super::{invalid, UserName};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::Territory;
use crate::fields::{clean_text, optional, text_value};
use crate::id::{AccountId, ActivityId, ContactId, DealId, LeadId};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest a meeting or call may be planned (a week).
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Email,
    Note,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 5] =
        [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Task, ActivityKind::Email, ActivityKind::Note];

    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Task => "task",
            ActivityKind::Email => "email",
            ActivityKind::Note => "note",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        let s = if s == "e-mail" { "email".to_owned() } else { s };
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "kind",
                format!("{:?} is not an activity kind (call, meeting, task, email, note)", raw.trim()),
            )
        })
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

text_value!(
    /// The subject line of an activity: 1–200 characters.
    Subject,
    "subject"
);
impl Subject {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

/// The longest body kept, in characters (a long e-mail thread).
pub const MAX_BODY_CHARS: usize = 200_000;

/// The text of a note, call report or e-mail: lines kept, trailing spaces of lines removed,
/// no control characters besides line breaks and tabs, at most [`MAX_BODY_CHARS`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Body(String);

impl Body {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let s = lines.join("\n").trim_matches('\n').to_owned();
        if s.trim().is_empty() {
            return Err(FieldError::new("body", "is required"));
        }
        let n = s.chars().count();
        if n > MAX_BODY_CHARS {
            return Err(FieldError::new("body", format!("is too long ({n} characters, at most {MAX_BODY_CHARS})")));
        }
        if let Some(c) = s.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
            return Err(FieldError::new("body", format!("contains a control character ({c:?})")));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Body {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<Body> for String {
    fn from(b: Body) -> String {
        b.0
    }
}

/// The records an activity is about (at least one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Links {
    #[serde(default)]
    pub account: Option<AccountId>,
    #[serde(default)]
    pub contact: Option<ContactId>,
    #[serde(default)]
    pub deal: Option<DealId>,
    #[serde(default)]
    pub lead: Option<LeadId>,
    /// The territory of the linked lead, when no account is linked: who sees the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<Territory>,
}

impl Links {
    pub fn is_empty(&self) -> bool {
        self.account.is_none() && self.contact.is_none() && self.deal.is_none() && self.lead.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub subject: Subject,
    #[serde(default)]
    pub body: Option<Body>,
    #[serde(default)]
    pub due: Option<NaiveDateTime>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub done_at: Option<NaiveDateTime>,
    pub assignee: UserName,
    /// Never after `due`.
    #[serde(default)]
    pub reminder: Option<NaiveDateTime>,
    /// When the reminder was shown (it fires once).
    #[serde(default)]
    pub reminded_at: Option<NaiveDateTime>,
    pub links: Links,
    pub created: NaiveDateTime,
}

impl Activity {
    /// Where the activity sits in a calendar: its due time, or when it was done.
    pub fn when(&self) -> Option<NaiveDateTime> {
        self.due.or(self.done_at)
    }

    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }
}

/// Raw text of an activity form. Times are `YYYY-MM-DD HH:MM` (or with a `T`, or with seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityInput {
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub due: Option<String>,
    pub duration_minutes: Option<String>,
    pub assignee: Option<String>,
    pub reminder: Option<String>,
}

/// Parses a local date and time: `YYYY-MM-DD HH:MM[:SS]` or with a `T` between.
pub fn parse_datetime(field: &str, raw: &str) -> Result<NaiveDateTime, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    for f in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    Err(FieldError::new(field, format!("{s:?} is not a date and time (use YYYY-MM-DD HH:MM)")))
}

fn check_times(due: Option<NaiveDateTime>, reminder: Option<NaiveDateTime>) -> Result<(), FieldError> {
    if let (Some(d), Some(r)) = (due, reminder) {
        if r > d {
            return Err(FieldError::new(
                "reminder",
                format!(
                    "{} is after the due time {}: a reminder comes before",
                    r.format("%Y-%m-%d %H:%M"),
                    d.format("%Y-%m-%d %H:%M")
                ),
            ));
        }
    }
    Ok(())
}

/// `activity.create` from a form: every bad field at once; an activity needs at least one link.
pub fn create(
    id: ActivityId,
    links: Links,
    input: &ActivityInput,
    created: NaiveDateTime,
) -> Result<Activity, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = errors.take(ActivityKind::parse(input.kind.as_deref().unwrap_or("")));
    let subject = errors.take(Subject::parse(input.subject.as_deref().unwrap_or("")));
    let body = errors.take(optional(input.body.as_deref(), Body::parse));
    let due = errors.take(optional(input.due.as_deref(), |s| parse_datetime("due", s)));
    let duration = errors.take(optional(input.duration_minutes.as_deref(), |s| {
        s.trim().parse::<u32>().ok().filter(|m| (1..=MAX_DURATION_MINUTES).contains(m)).ok_or_else(|| {
            FieldError::new(
                "duration_minutes",
                format!("{s:?} is not a duration (1 to {MAX_DURATION_MINUTES} minutes)"),
            )
        })
    }));
    let assignee = errors.take(UserName::parse(input.assignee.as_deref().unwrap_or("")).map_err(|e| e.on("assignee")));
    let reminder = errors.take(optional(input.reminder.as_deref(), |s| parse_datetime("reminder", s)));
    if let (Some(due), Some(reminder)) = (due, reminder) {
        errors.take(check_times(due, reminder));
    }
    if links.is_empty() {
        errors.push(FieldError::new("links", "an activity is about an account, a contact, a deal or a lead: link one"));
    }
    match (kind, subject, body, due, duration, assignee, reminder) {
        (Some(kind), Some(subject), Some(body), Some(due), Some(duration_minutes), Some(assignee), Some(reminder))
            if errors.is_empty() =>
        {
            Ok(Activity {
                id,
                kind,
                subject,
                body,
                due,
                duration_minutes,
                done_at: None,
                assignee,
                reminder,
                reminded_at: None,
                links,
                created,
            })
        }
        _ => Err(errors),
    }
}

/// An imported e-mail logged as a done activity at the time it was sent.
pub fn log_email(
    id: ActivityId,
    links: Links,
    email: &EmailMessage,
    assignee: UserName,
    created: NaiveDateTime,
) -> Result<Activity, RuleError> {
    if links.is_empty() {
        return Err(invalid("links", "an e-mail is logged on an account, a contact, a deal or a lead: link one"));
    }
    let subject = Subject::parse(&email.subject).unwrap_or_else(|_| Subject("(no subject)".to_owned()));
    let mut text = format!("From: {}\nTo: {}\n", email.from, join(&email.to));
    if !email.cc.is_empty() {
        text.push_str(&format!("Cc: {}\n", join(&email.cc)));
    }
    text.push('\n');
    text.push_str(&email.body_text);
    let body = Body::parse(&text).map_err(|e| RuleError::Invalid(e.into()))?;
    Ok(Activity {
        id,
        kind: ActivityKind::Email,
        subject,
        body: Some(body),
        due: None,
        duration_minutes: None,
        done_at: Some(email.date),
        assignee,
        reminder: None,
        reminded_at: None,
        links,
        created,
    })
}

fn join(list: &[super::eml::Mailbox]) -> String {
    list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// A whole activity record as it arrives over the network: every rule a form enforces.
pub fn check(a: &Activity) -> Result<(), RuleError> {
    if a.links.is_empty() {
        return Err(invalid("links", "an activity is about an account, a contact, a deal or a lead: link one"));
    }
    check_times(a.due, a.reminder).map_err(|e| RuleError::Invalid(e.into()))?;
    if a.duration_minutes.is_some_and(|m| !(1..=MAX_DURATION_MINUTES).contains(&m)) {
        return Err(invalid("duration_minutes", format!("a duration is 1 to {MAX_DURATION_MINUTES} minutes")));
    }
    Ok(())
}

/// `activity.complete`: done at `at` (once).
pub fn complete(a: &mut Activity, at: NaiveDateTime) -> Result<(), RuleError> {
    if let Some(done) = a.done_at {
        return Err(RuleError::WrongState(format!(
            "\"{}\" was already done on {}",
            a.subject,
            done.format("%Y-%m-%d %H:%M")
        )));
    }
    a.done_at = Some(at);
    Ok(())
}

/// `activity.reschedule`: a new due time. Without a new reminder an existing one moves along,
/// keeping its lead time ("15 minutes before" stays 15 minutes before), and fires again.
pub fn reschedule(a: &mut Activity, due: NaiveDateTime, reminder: Option<NaiveDateTime>) -> Result<(), RuleError> {
    if a.is_done() {
        return Err(RuleError::WrongState(format!("\"{}\" is done: it cannot be rescheduled", a.subject)));
    }
    let reminder = match (reminder, a.reminder, a.due) {
        (Some(r), _, _) => Some(r),
        (None, Some(old_r), Some(old_due)) => Some(due - (old_due - old_r)),
        (None, old, _) => old,
    };
    check_times(Some(due), reminder).map_err(|e| RuleError::Invalid(e.into()))?;
    a.due = Some(due);
    a.reminder = reminder;
    a.reminded_at = None;
    Ok(())
}

/// The activities whose reminder should show now: time passed, not done, not yet reminded;
/// earliest first.
pub fn due_reminders(activities: &[Activity], now: NaiveDateTime) -> Vec<&Activity> {
    let mut due: Vec<&Activity> = activities
        .iter()
        .filter(|a| a.reminder.is_some_and(|r| r <= now) && !a.is_done() && a.reminded_at.is_none())
        .collect();
    due.sort_by_key(|a| (a.reminder, a.id));
    due
}

/// The reminder was shown (so it does not fire again).
pub fn mark_reminded(a: &mut Activity, at: NaiveDateTime) {
    a.reminded_at = Some(at);
}

/// Open activities whose due time has passed, oldest first.
pub fn overdue(activities: &[Activity], now: NaiveDateTime) -> Vec<&Activity> {
    let mut late: Vec<&Activity> =
        activities.iter().filter(|a| !a.is_done() && a.due.is_some_and(|d| d < now)).collect();
    late.sort_by_key(|a| (a.due, a.id));
    late
}

fn sort_by_time(list: &mut [&Activity]) {
    list.sort_by(|a, b| a.when().cmp(&b.when()).then_with(|| a.subject.cmp(&b.subject)).then(a.id.cmp(&b.id)));
}

/// The calendar of one day: the activities due (or done) that day, by time.
pub fn day(activities: &[Activity], date: NaiveDate) -> Vec<&Activity> {
    let mut list: Vec<&Activity> = activities.iter().filter(|a| a.when().is_some_and(|t| t.date() == date)).collect();
    sort_by_time(&mut list);
    list
}

/// One day of a week view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalendarDay<'a> {
    pub date: NaiveDate,
    pub activities: Vec<&'a Activity>,
}

/// The week starting on `monday` (which must be a Monday), seven days, each by time.
pub fn week(activities: &[Activity], monday: NaiveDate) -> Result<Vec<CalendarDay<'_>>, FieldError> {
    if monday.weekday() != Weekday::Mon {
        return Err(FieldError::new("week", format!("{monday} is a {}: a week starts on Monday", monday.format("%A"))));
    }
    Ok((0..7u64)
        .filter_map(|i| monday.checked_add_days(Days::new(i)))
        .map(|date| CalendarDay { date, activities: day(activities, date) })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(s: &str) -> NaiveDateTime {
        parse_datetime("t", s).expect("time")
    }

    fn links() -> Links {
        Links { deal: Some(DealId::from_uuid(Uuid::from_u128(1))), ..Default::default() }
    }

    fn act(n: u128, kind: &str, subject: &str, due: Option<&str>, reminder: Option<&str>) -> Activity {
        let input = ActivityInput {
            kind: Some(kind.into()),
            subject: Some(subject.into()),
            due: due.map(Into::into),
            reminder: reminder.map(Into::into),
            assignee: Some("anna".into()),
            ..Default::default()
        };
        create(ActivityId::from_uuid(Uuid::from_u128(n)), links(), &input, t("2026-11-01 08:00")).expect("valid")
    }

    #[test]
    fn a_form_reports_every_bad_field_and_needs_a_link() {
        let input = ActivityInput {
            kind: Some("lunch".into()),
            subject: Some("".into()),
            due: Some("2026-11-24 10:00".into()),
            reminder: Some("2026-11-24 11:00".into()),
            duration_minutes: Some("0".into()),
            assignee: Some("anna".into()),
            ..Default::default()
        };
        let e = create(ActivityId::from_uuid(Uuid::from_u128(1)), Links::default(), &input, t("2026-11-01 08:00"))
            .expect_err("bad");
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "kind: \"lunch\" is not an activity kind (call, meeting, task, email, note)",
                "subject: is required",
                "duration_minutes: \"0\" is not a duration (1 to 10080 minutes)",
                "reminder: 2026-11-24 11:00 is after the due time 2026-11-24 10:00: a reminder comes before",
                "links: an activity is about an account, a contact, a deal or a lead: link one",
            ]
        );
        assert!(parse_datetime("due", "24.11.2026 10:00").expect_err("format").message.contains("YYYY-MM-DD HH:MM"));
    }

    #[test]
    fn reminders_fire_once_and_not_for_done_activities() {
        let mut list = vec![
            act(1, "call", "Call Anna", Some("2026-11-24 10:00"), Some("2026-11-24 09:45")),
            act(2, "task", "Send offer", Some("2026-11-24 12:00"), Some("2026-11-24 09:00")),
            act(3, "meeting", "Visit", Some("2026-11-25 10:00"), Some("2026-11-25 09:00")),
        ];
        let now = t("2026-11-24 09:50");
        let ids: Vec<u128> = due_reminders(&list, now).iter().map(|a| a.id.as_uuid().as_u128()).collect();
        assert_eq!(ids, [2, 1], "earliest reminder first; tomorrow's not yet");
        mark_reminded(&mut list[1], now);
        complete(&mut list[0], t("2026-11-24 10:05")).expect("done");
        assert!(due_reminders(&list, now).is_empty(), "reminded and done activities stay quiet");
        assert!(complete(&mut list[0], now)
            .expect_err("twice")
            .to_string()
            .contains("already done on 2026-11-24 10:05"));
        assert!(reschedule(&mut list[0], now, None).is_err(), "done is done");
    }

    #[test]
    fn rescheduling_moves_the_reminder_along_and_rearms_it() {
        let mut a = act(1, "call", "Call Anna", Some("2026-11-24 10:00"), Some("2026-11-24 09:45"));
        mark_reminded(&mut a, t("2026-11-24 09:45"));
        reschedule(&mut a, t("2026-11-26 15:00"), None).expect("ok");
        assert_eq!((a.reminder, a.reminded_at), (Some(t("2026-11-26 14:45")), None));
        let e = reschedule(&mut a, t("2026-11-26 15:00"), Some(t("2026-11-26 16:00"))).expect_err("after due");
        assert!(e.to_string().contains("a reminder comes before"), "{e}");
    }

    #[test]
    fn the_calendar_groups_days_and_sorts_by_time() {
        let list = vec![
            act(1, "meeting", "Afternoon visit", Some("2026-11-24 15:00"), None),
            act(2, "call", "Morning call", Some("2026-11-24 09:00"), None),
            act(3, "task", "Friday report", Some("2026-11-27 17:00"), None),
            act(4, "note", "Undated note", None, None),
        ];
        let subjects: Vec<&str> =
            day(&list, "2026-11-24".parse().expect("d")).iter().map(|a| a.subject.as_str()).collect();
        assert_eq!(subjects, ["Morning call", "Afternoon visit"]);
        let w = week(&list, "2026-11-23".parse().expect("d")).expect("a Monday");
        let counts: Vec<usize> = w.iter().map(|d| d.activities.len()).collect();
        assert_eq!(counts, [0, 2, 0, 0, 1, 0, 0]);
        let e = week(&list, "2026-11-25".parse().expect("d")).expect_err("Wednesday");
        assert_eq!(e.to_string(), "week: 2026-11-25 is a Wednesday: a week starts on Monday");
        assert_eq!(overdue(&list, t("2026-11-25 00:00")).len(), 2);
    }
}
