//! Leads: prospects not yet known to be worth an account, a contact and a deal.
//!
//! ```text
//!   new ──work──▶ working ──qualify──▶ qualified ──convert──▶ converted (account, contact, deal?)
//!    │              │                     │
//!    └──────────────┴────disqualify───────┴──▶ disqualified (reason) ──reopen──▶ working
//! ```
//!
//! New, working and qualified leads can be converted. A converted lead is history (its account,
//! contact and deal carry on) and a disqualified one is closed, so neither is edited. Before
//! converting, [`find_duplicates`] shows the accounts and contacts the lead may already be.

use super::custom::{CustomValues, FieldDef};
use super::deal::{self, Deal, NewDeal};
use super::pipeline::Pipeline;
use super::{email_domain, invalid, is_free_mail, CrmEntity, UserName};
use crate::account::{self, Account, AccountInput, NewAccount};
use crate::contact::{Contact, NewContact};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{clean_text, optional, text_value, AccountName, City, Email, PersonName, Phone, Territory, VatId};
use crate::id::{AccountId, ContactId, DealId, LeadId};
use crate::patch::Patch;
use crate::Existing;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where a lead came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    Web,
    Referral,
    Event,
    ColdCall,
    Partner,
    Import,
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 7] = [
        LeadSource::Web,
        LeadSource::Referral,
        LeadSource::Event,
        LeadSource::ColdCall,
        LeadSource::Partner,
        LeadSource::Import,
        LeadSource::Other,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LeadSource::Web => "web",
            LeadSource::Referral => "referral",
            LeadSource::Event => "event",
            LeadSource::ColdCall => "cold_call",
            LeadSource::Partner => "partner",
            LeadSource::Import => "import",
            LeadSource::Other => "other",
        }
    }

    /// "cold_call", "Cold call" and "cold-call" are the same source.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s: String = raw.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect();
        LeadSource::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = LeadSource::ALL.iter().map(LeadSource::as_str).collect();
            FieldError::new("source", format!("{:?} is not a lead source ({})", raw.trim(), all.join(", ")))
        })
    }
}

impl fmt::Display for LeadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

text_value!(
    /// Why a lead was disqualified ("no budget", "student"): 1–200 characters.
    DisqualifyReason,
    "reason"
);
impl DisqualifyReason {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", deny_unknown_fields)]
pub enum LeadStatus {
    New,
    Working,
    Qualified,
    Disqualified {
        reason: DisqualifyReason,
    },
    Converted {
        account: AccountId,
        contact: ContactId,
        #[serde(default)]
        deal: Option<DealId>,
    },
}

impl LeadStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Working => "working",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified { .. } => "disqualified",
            LeadStatus::Converted { .. } => "converted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    pub id: LeadId,
    pub company: AccountName,
    #[serde(default)]
    pub person: Option<PersonName>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub vat_id: Option<VatId>,
    #[serde(default)]
    pub city: Option<City>,
    pub source: LeadSource,
    pub status: LeadStatus,
    pub owner: UserName,
    #[serde(default)]
    pub territory: Option<Territory>,
    #[serde(default, skip_serializing_if = "CustomValues::is_empty")]
    pub custom: CustomValues,
    pub created: NaiveDate,
}

impl Lead {
    /// The account form a conversion starts from (the user may change it).
    pub fn account_input(&self) -> AccountInput {
        AccountInput {
            name: Some(self.company.to_string()),
            vat_id: self.vat_id.as_ref().map(ToString::to_string),
            email: self.email.as_ref().map(ToString::to_string),
            phone: self.phone.as_ref().map(ToString::to_string),
            city: self.city.as_ref().map(ToString::to_string),
            territory: self.territory.as_ref().map(ToString::to_string),
        }
    }

    /// The contact a conversion starts from, when the lead names a person.
    pub fn suggested_contact(&self, id: ContactId, account: AccountId) -> Option<NewContact> {
        self.person.as_ref().map(|name| NewContact {
            id,
            account_id: account,
            name: name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
        })
    }

    fn refuse_closed(&self, action: &str) -> Result<(), RuleError> {
        match &self.status {
            LeadStatus::Converted { .. } => Err(RuleError::WrongState(format!(
                "lead \"{}\" is converted: it cannot be {action} (work on its account, contact and deal instead)",
                self.company
            ))),
            LeadStatus::Disqualified { .. } => Err(RuleError::WrongState(format!(
                "lead \"{}\" is disqualified: it cannot be {action} (reopen it first)",
                self.company
            ))),
            _ => Ok(()),
        }
    }
}

/// Raw text of a lead form, a CLI call or a CSV row. `None` = not given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadInput {
    pub company: Option<String>,
    pub person: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat_id: Option<String>,
    pub city: Option<String>,
    /// Blank: `other`.
    pub source: Option<String>,
    pub owner: Option<String>,
    pub territory: Option<String>,
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

/// The arguments of `lead.create`, valid by construction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    pub id: LeadId,
    pub company: AccountName,
    #[serde(default)]
    pub person: Option<PersonName>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub vat_id: Option<VatId>,
    #[serde(default)]
    pub city: Option<City>,
    pub source: LeadSource,
    pub owner: UserName,
    #[serde(default)]
    pub territory: Option<Territory>,
    #[serde(default)]
    pub custom: CustomValues,
}

impl NewLead {
    /// Parses a create form, reporting every bad field at once (custom fields by their label).
    pub fn parse(id: LeadId, input: &LeadInput, defs: &[FieldDef]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let company =
            errors.take(AccountName::parse(input.company.as_deref().unwrap_or("")).map_err(|e| e.on("company")));
        let person = errors.take(optional(input.person.as_deref(), PersonName::parse).map_err(|e| e.on("person")));
        let email = errors.take(optional(input.email.as_deref(), Email::parse));
        let phone = errors.take(optional(input.phone.as_deref(), Phone::parse));
        let vat_id = errors.take(optional(input.vat_id.as_deref(), VatId::parse));
        let city = errors.take(optional(input.city.as_deref(), City::parse));
        let source = errors.take(optional(input.source.as_deref(), LeadSource::parse));
        let owner = errors.take(UserName::parse(input.owner.as_deref().unwrap_or("")));
        let territory = errors.take(optional(input.territory.as_deref(), Territory::parse));
        let custom = match CustomValues::parse(defs, CrmEntity::Lead, &input.custom) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        };
        match (company, owner, custom) {
            (Some(company), Some(owner), Some(custom)) if errors.is_empty() => Ok(NewLead {
                id,
                company,
                person: person.flatten(),
                email: email.flatten(),
                phone: phone.flatten(),
                vat_id: vat_id.flatten(),
                city: city.flatten(),
                source: source.flatten().unwrap_or(LeadSource::Other),
                owner,
                territory: territory.flatten(),
                custom,
            }),
            _ => Err(errors),
        }
    }
}

/// `lead.create`: a new lead, status new, created `today`.
pub fn create(existing: Existing<&Lead>, new: &NewLead, today: NaiveDate) -> Result<Lead, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "lead", id: new.id.to_string() });
    }
    Ok(Lead {
        id: new.id,
        company: new.company.clone(),
        person: new.person.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        vat_id: new.vat_id.clone(),
        city: new.city.clone(),
        source: new.source,
        status: LeadStatus::New,
        owner: new.owner.clone(),
        territory: new.territory.clone(),
        custom: new.custom.clone(),
        created: today,
    })
}

/// `lead.update`: the touched fields (`None` = untouched, blank = cleared; company, source and
/// owner cannot be cleared). Converted and disqualified leads are not edited.
pub fn update(lead: &Lead, input: &LeadInput, defs: &[FieldDef]) -> Result<Lead, RuleError> {
    lead.refuse_closed("edited")?;
    let mut errors = ValidationErrors::default();
    let mut next = lead.clone();
    if let Some(c) = &input.company {
        if let Some(c) = errors.take(AccountName::parse(c).map_err(|e| e.on("company"))) {
            next.company = c;
        }
    }
    if let Some(p) =
        errors.take(Patch::from_input(input.person.as_deref(), PersonName::parse).map_err(|e| e.on("person")))
    {
        p.apply_to(&mut next.person);
    }
    if let Some(p) = errors.take(Patch::from_input(input.email.as_deref(), Email::parse)) {
        p.apply_to(&mut next.email);
    }
    if let Some(p) = errors.take(Patch::from_input(input.phone.as_deref(), Phone::parse)) {
        p.apply_to(&mut next.phone);
    }
    if let Some(p) = errors.take(Patch::from_input(input.vat_id.as_deref(), VatId::parse)) {
        p.apply_to(&mut next.vat_id);
    }
    if let Some(p) = errors.take(Patch::from_input(input.city.as_deref(), City::parse)) {
        p.apply_to(&mut next.city);
    }
    if let Some(p) = errors.take(Patch::from_input(input.territory.as_deref(), Territory::parse)) {
        p.apply_to(&mut next.territory);
    }
    if let Some(s) = &input.source {
        if let Some(s) = errors.take(LeadSource::parse(s)) {
            next.source = s;
        }
    }
    if let Some(o) = &input.owner {
        if let Some(o) = errors.take(UserName::parse(o)) {
            next.owner = o;
        }
    }
    if !input.custom.is_empty() {
        match lead.custom.patched(defs, CrmEntity::Lead, &input.custom) {
            Ok(c) => next.custom = c,
            Err(e) => errors.0.extend(e.0),
        }
    }
    errors.into_result(|| next).map_err(RuleError::Invalid)
}

fn refuse_unless(lead: &Lead, allowed: &[&str], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&lead.status.as_str()) {
        Ok(())
    } else {
        Err(RuleError::WrongState(format!(
            "lead \"{}\" is {}: it cannot be {action}",
            lead.company,
            lead.status.as_str()
        )))
    }
}

/// `lead.work`: someone started working a new lead.
pub fn work(lead: &mut Lead) -> Result<(), RuleError> {
    refuse_unless(lead, &["new"], "worked on (it is already past new)")?;
    lead.status = LeadStatus::Working;
    Ok(())
}

/// `lead.qualify`: the lead is worth converting.
pub fn qualify(lead: &mut Lead) -> Result<(), RuleError> {
    lead.refuse_closed("qualified")?;
    refuse_unless(lead, &["new", "working"], "qualified")?;
    lead.status = LeadStatus::Qualified;
    Ok(())
}

/// `lead.disqualify`: closed without conversion, with the reason (required: it feeds the
/// reports on lead quality).
pub fn disqualify(lead: &mut Lead, reason: Option<DisqualifyReason>) -> Result<(), RuleError> {
    lead.refuse_closed("disqualified")?;
    let Some(reason) = reason else {
        return Err(invalid("reason", format!("disqualifying lead \"{}\" needs a reason", lead.company)));
    };
    lead.status = LeadStatus::Disqualified { reason };
    Ok(())
}

/// `lead.reopen`: a disqualified lead is worked again.
pub fn reopen(lead: &mut Lead) -> Result<(), RuleError> {
    refuse_unless(lead, &["disqualified"], "reopened (only a disqualified lead is)")?;
    lead.status = LeadStatus::Working;
    Ok(())
}

/// Legal forms left out when comparing company names ("ACME GmbH" is "Acme").
const LEGAL_SUFFIXES: &[&str] = &[
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "ohg",
    "gbr",
    "ug",
    "ek",
    "se",
    "co",
    "and",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "llp",
    "lp",
    "plc",
    "sa",
    "sarl",
    "sàrl",
    "sas",
    "sasu",
    "eurl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "kft",
    "sro",
    "sp",
    "zoo",
    "company",
];

/// A company name reduced for comparison: lower case, punctuation out, trailing legal forms
/// out ("ACME Gmbh & Co. KG" and "Acme" are both "acme"). Inner spaces are kept for display;
/// [`same_company`] also ignores them.
pub fn normalise_company(name: &str) -> String {
    let cleaned: String = name
        .to_lowercase()
        .chars()
        .filter(|c| *c != '.' && *c != '\'')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    let all = words.clone();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    if words.is_empty() {
        words = all;
    }
    words.join(" ")
}

/// Do two company names normalise to the same name (spaces ignored)?
pub fn same_company(a: &str, b: &str) -> bool {
    let squash = |s: &str| normalise_company(s).replace(' ', "");
    let (a, b) = (squash(a), squash(b));
    !a.is_empty() && a == b
}

/// Do two phone numbers reach the same line? Digits are compared without leading zeros (the
/// trunk prefix) and one may have the country code the other lacks, so "+49 30 1234567" is
/// "030 1234567"; at least seven digits must agree.
pub fn same_phone(a: &Phone, b: &Phone) -> bool {
    let digits = |p: &Phone| p.dialable().trim_start_matches('+').trim_start_matches('0').to_owned();
    let (a, b) = (digits(a), digits(b));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.ends_with(&short)
}

/// Why a record may be the lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum MatchReason {
    /// The same company name once normalised (the normalised name).
    CompanyName(String),
    Email(String),
    /// The lead's e-mail domain is the account's (free-mail domains never match).
    EmailDomain(String),
    VatId(String),
    Phone(String),
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchReason::CompanyName(n) => write!(f, "same company name ({n})"),
            MatchReason::Email(e) => write!(f, "same e-mail {e}"),
            MatchReason::EmailDomain(d) => write!(f, "same e-mail domain {d}"),
            MatchReason::VatId(v) => write!(f, "same VAT id {v}"),
            MatchReason::Phone(p) => write!(f, "same phone {p}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum DuplicateOf {
    Account(AccountId),
    Contact(ContactId),
}

/// A record that may already be the lead, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateMatch {
    pub record: DuplicateOf,
    /// The account's or contact's name, to show.
    pub name: String,
    pub reasons: Vec<MatchReason>,
}

impl fmt::Display for DuplicateMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.record {
            DuplicateOf::Account(_) => "account",
            DuplicateOf::Contact(_) => "contact",
        };
        let why: Vec<String> = self.reasons.iter().map(ToString::to_string).collect();
        write!(f, "{kind} \"{}\": {}", self.name, why.join(", "))
    }
}

/// The accounts and contacts that may already be this lead (see [`MatchReason`]), strongest
/// first (most reasons), then accounts before contacts, then by name.
pub fn find_duplicates(lead: &Lead, accounts: &[Account], contacts: &[Contact]) -> Vec<DuplicateMatch> {
    let lead_domain = lead.email.as_ref().map(email_domain).filter(|d| !is_free_mail(d));
    let mut found = Vec::new();
    for a in accounts {
        let mut reasons = Vec::new();
        if same_company(lead.company.as_str(), a.name.as_str()) {
            reasons.push(MatchReason::CompanyName(normalise_company(a.name.as_str())));
        }
        if let (Some(l), Some(v)) = (&lead.vat_id, &a.vat_id) {
            if l == v {
                reasons.push(MatchReason::VatId(v.to_string()));
            }
        }
        if let (Some(le), Some(ae)) = (&lead.email, &a.email) {
            if le.as_str().eq_ignore_ascii_case(ae.as_str()) {
                reasons.push(MatchReason::Email(ae.to_string()));
            } else if lead_domain.is_some_and(|d| d == email_domain(ae)) {
                reasons.push(MatchReason::EmailDomain(email_domain(ae).to_owned()));
            }
        }
        if let (Some(lp), Some(ap)) = (&lead.phone, &a.phone) {
            if same_phone(lp, ap) {
                reasons.push(MatchReason::Phone(ap.to_string()));
            }
        }
        if !reasons.is_empty() {
            found.push(DuplicateMatch { record: DuplicateOf::Account(a.id), name: a.name.to_string(), reasons });
        }
    }
    for c in contacts {
        let mut reasons = Vec::new();
        if let (Some(le), Some(ce)) = (&lead.email, &c.email) {
            if le.as_str().eq_ignore_ascii_case(ce.as_str()) {
                reasons.push(MatchReason::Email(ce.to_string()));
            }
        }
        if let (Some(lp), Some(cp)) = (&lead.phone, &c.phone) {
            if same_phone(lp, cp) {
                reasons.push(MatchReason::Phone(cp.to_string()));
            }
        }
        if !reasons.is_empty() {
            found.push(DuplicateMatch { record: DuplicateOf::Contact(c.id), name: c.name.to_string(), reasons });
        }
    }
    let is_contact = |m: &DuplicateMatch| matches!(m.record, DuplicateOf::Contact(_));
    found.sort_by(|a, b| {
        b.reasons
            .len()
            .cmp(&a.reasons.len())
            .then(is_contact(a).cmp(&is_contact(b)))
            .then_with(|| a.name.cmp(&b.name))
            .then(a.record.cmp(&b.record))
    });
    found
}

/// The account a lead becomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "use", content = "value")]
pub enum AccountChoice {
    New(NewAccount),
    Existing(AccountId),
}

/// The contact a lead becomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "use", content = "value")]
pub enum ContactChoice {
    New(NewContact),
    Existing(ContactId),
}

/// What a conversion makes: the user's choices after seeing the duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvertPlan {
    pub account: AccountChoice,
    pub contact: ContactChoice,
    /// A deal to open, in its pipeline (account, contact and lead are set by the conversion).
    #[serde(default)]
    pub deal: Option<NewDeal>,
}

/// The records a conversion creates and the lead in its new state; the caller stores them
/// together (one transaction, one sync batch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    pub lead: Lead,
    /// The new account, when the plan made one.
    pub account: Option<Account>,
    pub contact: Option<Contact>,
    pub deal: Option<Deal>,
}

/// What a conversion looks up, loaded by the caller.
#[derive(Clone, Copy, Debug)]
pub struct ConvertContext<'a> {
    /// Existing accounts the plan may name (at least the one it names).
    pub accounts: &'a [Account],
    /// Existing contacts the plan may name.
    pub contacts: &'a [Contact],
    /// The pipeline of the plan's deal.
    pub pipeline: Option<&'a Pipeline>,
    pub today: NaiveDate,
}

/// `lead.convert`: makes (or links) the account and contact, opens the deal, and marks the lead
/// converted. The new contact and the deal are attached to the plan's account (whatever the
/// plan's drafts said); an existing contact must belong to that account.
pub fn convert(lead: &Lead, plan: &ConvertPlan, ctx: &ConvertContext<'_>) -> Result<Conversion, RuleError> {
    lead.refuse_closed("converted")?;
    let (account_id, account) = match &plan.account {
        AccountChoice::New(new) => (new.id, Some(account::create(Existing::Missing, new)?)),
        AccountChoice::Existing(id) => {
            let a = ctx
                .accounts
                .iter()
                .find(|a| a.id == *id)
                .ok_or_else(|| RuleError::NotFound { entity: "account", id: id.to_string() })?;
            (a.id, None)
        }
    };
    let (contact_id, contact) = match &plan.contact {
        ContactChoice::New(new) => {
            let c = Contact {
                id: new.id,
                account_id,
                name: new.name.clone(),
                email: new.email.clone(),
                phone: new.phone.clone(),
            };
            (c.id, Some(c))
        }
        ContactChoice::Existing(id) => {
            let c = ctx
                .contacts
                .iter()
                .find(|c| c.id == *id)
                .ok_or_else(|| RuleError::NotFound { entity: "contact", id: id.to_string() })?;
            if c.account_id != account_id {
                return Err(invalid(
                    "contact",
                    format!("{} works at another account than the one the lead converts into", c.name),
                ));
            }
            (c.id, None)
        }
    };
    let deal = match &plan.deal {
        None => None,
        Some(new) => {
            let pipeline = ctx
                .pipeline
                .filter(|p| p.id == new.pipeline)
                .ok_or_else(|| RuleError::NotFound { entity: "pipeline", id: new.pipeline.to_string() })?;
            let new = NewDeal { account: account_id, contact: Some(contact_id), lead: Some(lead.id), ..new.clone() };
            Some(deal::create(Existing::Missing, &new, pipeline, ctx.today)?)
        }
    };
    let mut converted = lead.clone();
    converted.status =
        LeadStatus::Converted { account: account_id, contact: contact_id, deal: deal.as_ref().map(|d| d.id) };
    Ok(Conversion { lead: converted, account, contact, deal })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::ContactInput;
    use crate::crm::testkit::*;
    use uuid::Uuid;

    fn lead_id() -> LeadId {
        LeadId::from_uuid(Uuid::from_u128(0x1EAD))
    }

    pub(crate) fn lead(company: &str, email: Option<&str>) -> Lead {
        let input = LeadInput {
            company: Some(company.into()),
            person: Some("Anna Berg".into()),
            email: email.map(Into::into),
            phone: Some("+49 30 1234567".into()),
            vat_id: Some("DE123456789".into()),
            source: Some("Cold call".into()),
            owner: Some("bob".into()),
            ..Default::default()
        };
        create(Existing::Missing, &NewLead::parse(lead_id(), &input, &[]).expect("valid"), day("2026-11-02"))
            .expect("new")
    }

    fn account(n: u128, name: &str, email: Option<&str>, vat: Option<&str>, phone: Option<&str>) -> Account {
        let input = AccountInput {
            name: Some(name.into()),
            email: email.map(Into::into),
            vat_id: vat.map(Into::into),
            phone: phone.map(Into::into),
            ..Default::default()
        };
        account::create(Existing::Missing, &NewAccount::parse(account_id(n), &input).expect("valid")).expect("new")
    }

    #[test]
    fn a_form_reports_every_bad_field_and_defaults_the_source() {
        let bad = LeadInput {
            company: Some(" ".into()),
            email: Some("anna(at)acme".into()),
            source: Some("radio".into()),
            ..Default::default()
        };
        let e = NewLead::parse(lead_id(), &bad, &[]).expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["company", "email", "source", "owner"], "{e}");
        assert!(e.to_string().contains("\"radio\" is not a lead source (web, referral, event, cold_call"), "{e}");
        let ok = NewLead::parse(
            lead_id(),
            &LeadInput { company: Some("A".into()), owner: Some("bob".into()), ..Default::default() },
            &[],
        );
        assert_eq!(ok.map(|l| l.source), Ok(LeadSource::Other));
        assert_eq!(lead("ACME", None).source, LeadSource::ColdCall, "\"Cold call\" is cold_call");
    }

    #[test]
    fn transitions_follow_the_state_machine() {
        let mut l = lead("ACME", None);
        work(&mut l).expect("new → working");
        assert!(work(&mut l).is_err(), "working twice");
        let e = disqualify(&mut l, None).expect_err("reason required");
        assert_eq!(e.to_string(), "reason: disqualifying lead \"ACME\" needs a reason");
        disqualify(&mut l, Some(DisqualifyReason::parse("no budget").expect("r"))).expect("ok");
        let e = update(&l, &LeadInput { city: Some("Berlin".into()), ..Default::default() }, &[]).expect_err("closed");
        assert_eq!(e.to_string(), "lead \"ACME\" is disqualified: it cannot be edited (reopen it first)");
        assert_eq!(e.code(), "wrong_state");
        assert!(qualify(&mut l).is_err());
        reopen(&mut l).expect("disqualified → working");
        qualify(&mut l).expect("working → qualified");
        assert!(reopen(&mut l).expect_err("only disqualified").to_string().contains("cannot be reopened"));
        let edited =
            update(&l, &LeadInput { city: Some("Berlin".into()), phone: Some("".into()), ..Default::default() }, &[])
                .expect("qualified leads are edited");
        assert_eq!((edited.city.map(String::from), edited.phone), (Some("Berlin".into()), None));
    }

    #[test]
    fn company_names_compare_without_case_punctuation_and_legal_forms() {
        assert_eq!(normalise_company("ACME GmbH & Co. KG"), "acme");
        assert_eq!(normalise_company("Müller-Bau AG"), "müller bau");
        assert_eq!(normalise_company("Dupont S.A.R.L."), "dupont");
        assert_eq!(normalise_company("Widgets, Inc."), "widgets");
        assert_eq!(normalise_company("AG"), "ag", "a name that is only a legal form stays");
        assert!(same_company("Acme Ltd", "ACME LLC"));
        assert!(same_company("Müller Bau SA", "Müllerbau"));
        assert!(!same_company("Acme Tools", "Acme"));
    }

    #[test]
    fn duplicates_are_found_by_name_email_domain_vat_and_phone_with_reasons() {
        let l = lead("Acme GmbH", Some("anna@acme.de"));
        let accounts = vec![
            account(1, "ACME Ltd.", None, None, None),
            account(2, "Other Corp", Some("info@acme.de"), None, None),
            account(3, "Renamed Co", None, Some("de 123 456 789"), Some("030 1234567")),
            account(4, "Unrelated", Some("x@gmail.com"), None, None),
        ];
        let contacts = vec![Contact {
            id: contact_id(1),
            account_id: account_id(4),
            name: PersonName::parse("Anna Berg").expect("n"),
            email: Some(Email::parse("ANNA@acme.de").expect("e")),
            phone: None,
        }];
        let found = find_duplicates(&l, &accounts, &contacts);
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "account \"Renamed Co\": same VAT id DE123456789, same phone 030 1234567",
                "account \"ACME Ltd.\": same company name (acme)",
                "account \"Other Corp\": same e-mail domain acme.de",
                "contact \"Anna Berg\": same e-mail ANNA@acme.de",
            ]
        );
        let free = lead("Solo", Some("anna@gmail.com"));
        let none = find_duplicates(&free, &[account(5, "Y", Some("bob@gmail.com"), None, None)], &[]);
        assert!(none.is_empty(), "a free-mail domain says nothing about the company: {none:?}");
    }

    #[test]
    fn conversion_makes_the_records_and_closes_the_lead() {
        let p = enterprise();
        let mut l = lead("ACME", Some("anna@acme.de"));
        qualify(&mut l).expect("ok");
        let new_account = NewAccount::parse(account_id(9), &l.account_input()).expect("from the lead");
        let plan = ConvertPlan {
            account: AccountChoice::New(new_account),
            contact: ContactChoice::New(l.suggested_contact(contact_id(9), account_id(9)).expect("person")),
            deal: Some(new_deal(&p, 9, "ACME first order", "12000", None, "bob")),
        };
        let ctx = ConvertContext { accounts: &[], contacts: &[], pipeline: Some(&p), today: day("2026-11-20") };
        let c = convert(&l, &plan, &ctx).expect("converted");
        assert_eq!(c.account.as_ref().map(|a| a.vat_id.clone()), Some(l.vat_id.clone()));
        let deal = c.deal.as_ref().expect("deal");
        assert_eq!((deal.account, deal.contact, deal.lead), (account_id(9), Some(contact_id(9)), Some(l.id)));
        assert_eq!(
            c.lead.status,
            LeadStatus::Converted { account: account_id(9), contact: contact_id(9), deal: Some(deal_id(9)) }
        );
        let e = convert(&c.lead, &plan, &ctx).expect_err("twice");
        assert!(e.to_string().contains("is converted: it cannot be converted"), "{e}");
        let e = update(&c.lead, &LeadInput { city: Some("Berlin".into()), ..Default::default() }, &[])
            .expect_err("history");
        assert!(e.to_string().contains("is converted: it cannot be edited"), "{e}");
    }

    #[test]
    fn conversion_into_existing_records_checks_they_belong_together() {
        let l = lead("ACME", None);
        let accounts = vec![account(1, "ACME", None, None, None)];
        let other = NewContact::parse(
            contact_id(2),
            account_id(7),
            &ContactInput { name: Some("Bo Lind".into()), ..Default::default() },
        )
        .expect("c");
        let contacts =
            vec![Contact { id: other.id, account_id: other.account_id, name: other.name, email: None, phone: None }];
        let plan = ConvertPlan {
            account: AccountChoice::Existing(account_id(1)),
            contact: ContactChoice::Existing(contact_id(2)),
            deal: None,
        };
        let ctx = ConvertContext { accounts: &accounts, contacts: &contacts, pipeline: None, today: day("2026-11-20") };
        let e = convert(&l, &plan, &ctx).expect_err("contact elsewhere");
        assert!(e.to_string().contains("Bo Lind works at another account"), "{e}");
        let plan = ConvertPlan { account: AccountChoice::Existing(account_id(5)), ..plan };
        assert_eq!(convert(&l, &plan, &ctx).expect_err("unknown account").code(), "not_found");
    }
}
