//! The CRM: leads, scoring, pipelines and deals, the forecast, activities and e-mail import,
//! quotes, contracts and renewals, custom fields and CSV import.
//!
//! Like the rest of the core these are pure rules: dates and times come in as arguments, ids are
//! made by the caller, and every refusal says what is wrong and where.

pub mod activity;
pub mod contract;
pub mod csv;
pub mod custom;
pub mod deal;
pub mod eml;
pub mod forecast;
pub mod lead;
pub mod pipeline;
pub mod profile;
pub mod quote;
pub mod scoring;
pub mod settings;
#[cfg(test)]
mod testkit;

use crate::error::{FieldError, RuleError};
use crate::fields::{clean_text, text_value};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The records admins extend with custom fields and users import from CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmEntity {
    Account,
    Contact,
    Deal,
    Lead,
}

impl CrmEntity {
    pub const ALL: [CrmEntity; 4] = [CrmEntity::Account, CrmEntity::Contact, CrmEntity::Deal, CrmEntity::Lead];

    pub fn as_str(&self) -> &'static str {
        match self {
            CrmEntity::Account => "account",
            CrmEntity::Contact => "contact",
            CrmEntity::Deal => "deal",
            CrmEntity::Lead => "lead",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        CrmEntity::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| {
            FieldError::new("entity", format!("{:?} is not a record type (account, contact, deal or lead)", raw.trim()))
        })
    }
}

impl fmt::Display for CrmEntity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

text_value!(
    /// The user name of a Tandem user (an owner, an assignee, an approver): 1–100 characters.
    UserName,
    "owner"
);
impl UserName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 100).map(Self)
    }
}

text_value!(
    /// A sales team ("DACH Field", "Key Accounts"): 1–64 characters of letters, digits, spaces
    /// and `- _ . /`, like a territory.
    Team,
    "team"
);
impl Team {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        crate::fields::Territory::parse(raw).map(|t| Self(t.to_string())).map_err(|e| e.on(Self::FIELD))
    }
}

/// Parses a calendar date written as ISO 8601 `YYYY-MM-DD` and nothing else: "03/12/2026" means
/// the 3rd of December to some people and March 12th to others, so it is refused.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(FieldError::new(field, format!("{s:?} is not a date (use YYYY-MM-DD)")));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, format!("{s:?} is not a day of the calendar (use YYYY-MM-DD)")))
}

/// E-mail domains anyone can sign up to: an address there says nothing about the company.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.de",
    "yahoo.fr",
    "yahoo.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "outlook.com",
    "outlook.de",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "gmx.at",
    "gmx.ch",
    "web.de",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "mail.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "wanadoo.fr",
    "bluewin.ch",
    "libero.it",
    "proton.me",
    "protonmail.com",
    "yandex.ru",
    "mail.ru",
    "zoho.com",
];

/// Is `domain` a free-mail provider (case-insensitive)?
pub fn is_free_mail(domain: &str) -> bool {
    let d = domain.trim().to_lowercase();
    FREE_MAIL_DOMAINS.contains(&d.as_str())
}

/// The domain of an e-mail address, lower case.
pub fn email_domain(email: &crate::fields::Email) -> &str {
    email.as_str().rsplit_once('@').map_or("", |(_, d)| d)
}

pub(crate) fn invalid(field: impl Into<String>, msg: impl Into<String>) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_only_and_the_message_says_which_format() {
        assert_eq!(parse_date("close", "2026-03-12"), Ok(NaiveDate::from_ymd_opt(2026, 3, 12).expect("date")));
        let e = parse_date("Renewal date", "12/03/2026").expect_err("ambiguous");
        assert_eq!(e.to_string(), "Renewal date: \"12/03/2026\" is not a date (use YYYY-MM-DD)");
        assert!(parse_date("d", "2026-02-30").expect_err("no such day").message.contains("not a day"));
        assert!(parse_date("d", "2026-3-12").is_err(), "two-digit months and days");
        assert_eq!(parse_date("d", " ").expect_err("blank").message, "is required");
    }

    #[test]
    fn free_mail_is_recognised_whatever_the_case() {
        assert!(is_free_mail("GMail.com"));
        assert!(!is_free_mail("acme.de"));
    }

    #[test]
    fn entities_and_teams_parse() {
        assert_eq!(CrmEntity::parse(" Deal "), Ok(CrmEntity::Deal));
        assert!(CrmEntity::parse("opportunity").expect_err("unknown").message.contains("account, contact"));
        assert_eq!(Team::parse("x!").expect_err("bad").field, "team");
        assert_eq!(UserName::parse("").expect_err("blank").field, "owner");
    }
}
