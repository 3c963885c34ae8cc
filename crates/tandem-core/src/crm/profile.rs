//! The CRM side of an account or a contact: its owner, its tags and the values of the custom
//! fields admins define. One profile per record, with the record's own id, following the
//! account's visibility (a contact's profile follows the contact's account).
//!
//! Also the account rules that span records: finding likely duplicates among accounts, and
//! merging one account into another (the survivor keeps every link and the history).

use super::custom::{CustomValues, FieldDef};
use super::lead::{normalise_company, same_phone, MatchReason};
use super::{email_domain, invalid, is_free_mail, CrmEntity, UserName};
use crate::account::Account;
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{clean_text, text_value};
use crate::id::AccountId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use uuid::Uuid;

text_value!(
    /// A label on accounts and contacts ("key account", "trade fair 2026"): 1–40 characters,
    /// no commas (a list of tags is written comma-separated).
    Tag,
    "tags"
);
impl Tag {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = clean_text(Self::FIELD, raw, 1, 40)?;
        if s.contains(',') {
            return Err(FieldError::new(Self::FIELD, format!("{s:?}: a tag cannot contain a comma")));
        }
        Ok(Self(s))
    }

    fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// At most this many tags on one record.
pub const MAX_TAGS: usize = 20;

/// Parses a comma-separated list of tags ("key account, Fair 2026"); blank = none. Every bad tag
/// is reported; repeats (ignoring case) count once.
pub fn parse_tags(raw: &str) -> Result<Vec<Tag>, FieldError> {
    let mut tags = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        tags.push(Tag::parse(part)?);
    }
    Ok(normalise_tags(tags))
}

/// Sorted by their lower-case form, one of each (the first spelling wins).
fn normalise_tags(tags: Vec<Tag>) -> Vec<Tag> {
    let mut seen = BTreeMap::new();
    for t in tags {
        seen.entry(t.key()).or_insert(t);
    }
    seen.into_values().collect()
}

/// The owner, tags and custom values of one account or contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The account's or the contact's id.
    pub id: Uuid,
    /// `account` or `contact`.
    pub entity: CrmEntity,
    /// The account itself, or the contact's account (whose visibility the profile follows).
    pub account: AccountId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "CustomValues::is_empty")]
    pub custom: CustomValues,
}

impl Profile {
    pub fn empty(target: ProfileTarget) -> Self {
        Profile {
            id: target.id,
            entity: target.entity,
            account: target.account,
            owner: None,
            tags: Vec::new(),
            custom: CustomValues::new(),
        }
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        let t = tag.trim().to_lowercase();
        self.tags.iter().any(|x| x.key() == t)
    }
}

/// Which record a profile belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileTarget {
    pub id: Uuid,
    pub entity: CrmEntity,
    pub account: AccountId,
}

impl ProfileTarget {
    pub fn account(id: AccountId) -> Self {
        ProfileTarget { id: id.as_uuid(), entity: CrmEntity::Account, account: id }
    }

    pub fn contact(id: crate::id::ContactId, account: AccountId) -> Self {
        ProfileTarget { id: id.as_uuid(), entity: CrmEntity::Contact, account }
    }
}

/// The raw text of a profile edit (a form, CLI flags or a bulk edit). `None` = untouched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ProfileInput {
    /// A user name; blank clears the owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The whole tag list, comma-separated; blank clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Tags to add (comma-separated), after `tags`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_tags: Option<String>,
    /// Tags to take off (comma-separated, any case), after `add_tags`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_tags: Option<String>,
    /// Custom field key → text; blank clears the value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

impl ProfileInput {
    pub fn is_empty(&self) -> bool {
        self.owner.is_none()
            && self.tags.is_none()
            && self.add_tags.is_none()
            && self.remove_tags.is_none()
            && self.custom.is_empty()
    }
}

/// `profile.update`: applies an edit to a record's profile (`None`: it has none yet), checking
/// every field at once against the admin's definitions for its record type.
pub fn update(
    existing: Option<&Profile>,
    target: ProfileTarget,
    input: &ProfileInput,
    defs: &[FieldDef],
) -> Result<Profile, RuleError> {
    if !matches!(target.entity, CrmEntity::Account | CrmEntity::Contact) {
        return Err(invalid("entity", format!("{} records have no profile", target.entity)));
    }
    if target.entity == CrmEntity::Account && target.id != target.account.as_uuid() {
        return Err(invalid("account", "an account's profile has the account's id"));
    }
    if input.is_empty() {
        return Err(invalid("profile", "nothing to change"));
    }
    let mut p = match existing {
        Some(p) => {
            if p.entity != target.entity {
                return Err(invalid("entity", format!("record {} is a {}, not a {}", p.id, p.entity, target.entity)));
            }
            Profile { account: target.account, ..p.clone() }
        }
        None => Profile::empty(target),
    };
    let mut errors = ValidationErrors::default();
    match input.owner.as_deref().map(str::trim) {
        None => {}
        Some("") => p.owner = None,
        Some(raw) => p.owner = errors.take(UserName::parse(raw)).or(p.owner.take()),
    }
    if let Some(raw) = &input.tags {
        if let Some(t) = errors.take(parse_tags(raw)) {
            p.tags = t;
        }
    }
    if let Some(raw) = &input.add_tags {
        if let Some(t) = errors.take(parse_tags(raw)) {
            let mut all = p.tags.clone();
            all.extend(t);
            p.tags = normalise_tags(all);
        }
    }
    if let Some(raw) = &input.remove_tags {
        let drop: BTreeSet<String> =
            raw.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
        p.tags.retain(|t| !drop.contains(&t.key()));
    }
    if p.tags.len() > MAX_TAGS {
        errors.push(FieldError::new("tags", format!("{} tags, at most {MAX_TAGS}", p.tags.len())));
    }
    if !input.custom.is_empty() || existing.is_none() {
        match p.custom.patched(defs, target.entity, &input.custom) {
            Ok(c) => p.custom = c,
            Err(e) => errors.0.extend(e.0),
        }
    }
    errors.into_result(|| p).map_err(RuleError::Invalid)
}

/// Two accounts that may be one company, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDuplicate {
    pub first: AccountId,
    pub first_name: String,
    pub second: AccountId,
    pub second_name: String,
    pub reasons: Vec<MatchReason>,
}

impl fmt::Display for AccountDuplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why: Vec<String> = self.reasons.iter().map(ToString::to_string).collect();
        write!(f, "\"{}\" and \"{}\": {}", self.first_name, self.second_name, why.join(", "))
    }
}

/// Pairs of accounts that may be the same company: the same name once legal forms, case and
/// punctuation are ignored, the same VAT id, the same e-mail domain (not a free-mail one) or
/// the same phone line. Strongest first (most reasons), then by name. Accounts are grouped by
/// each key first, so a large list is not compared pair by pair.
pub fn account_duplicates(accounts: &[Account]) -> Vec<AccountDuplicate> {
    let mut by_key: HashMap<(u8, String), Vec<usize>> = HashMap::new();
    for (i, a) in accounts.iter().enumerate() {
        let name = normalise_company(a.name.as_str()).replace(' ', "");
        if !name.is_empty() {
            by_key.entry((0, name)).or_default().push(i);
        }
        if let Some(v) = &a.vat_id {
            by_key.entry((1, v.as_str().to_owned())).or_default().push(i);
        }
        if let Some(e) = &a.email {
            let d = email_domain(e).to_lowercase();
            if !is_free_mail(&d) {
                by_key.entry((2, d)).or_default().push(i);
            }
        }
        if let Some(p) = &a.phone {
            let digits = p.dialable().trim_start_matches('+').trim_start_matches('0').to_owned();
            if digits.len() >= 7 {
                // The last seven digits group numbers with and without a country code.
                by_key.entry((3, digits[digits.len() - 7..].to_owned())).or_default().push(i);
            }
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in by_key.values().filter(|m| m.len() > 1) {
        // A key shared by very many accounts (a hosting domain) says little: skip it.
        if members.len() > 50 {
            continue;
        }
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    let mut found: Vec<AccountDuplicate> = pairs
        .into_iter()
        .filter_map(|(i, j)| {
            let (a, b) = (&accounts[i], &accounts[j]);
            let reasons = reasons(a, b);
            (!reasons.is_empty()).then(|| {
                let (a, b) = if (a.name.as_str(), a.id) <= (b.name.as_str(), b.id) { (a, b) } else { (b, a) };
                AccountDuplicate {
                    first: a.id,
                    first_name: a.name.to_string(),
                    second: b.id,
                    second_name: b.name.to_string(),
                    reasons,
                }
            })
        })
        .collect();
    found.sort_by(|x, y| {
        y.reasons.len().cmp(&x.reasons.len()).then_with(|| x.first_name.cmp(&y.first_name)).then(x.first.cmp(&y.first))
    });
    found
}

fn reasons(a: &Account, b: &Account) -> Vec<MatchReason> {
    let mut reasons = Vec::new();
    if super::lead::same_company(a.name.as_str(), b.name.as_str()) {
        reasons.push(MatchReason::CompanyName(normalise_company(a.name.as_str())));
    }
    if let (Some(x), Some(y)) = (&a.vat_id, &b.vat_id) {
        if x == y {
            reasons.push(MatchReason::VatId(x.to_string()));
        }
    }
    if let (Some(x), Some(y)) = (&a.email, &b.email) {
        if x.as_str().eq_ignore_ascii_case(y.as_str()) {
            reasons.push(MatchReason::Email(x.to_string()));
        } else {
            let (dx, dy) = (email_domain(x).to_lowercase(), email_domain(y).to_lowercase());
            if dx == dy && !is_free_mail(&dx) {
                reasons.push(MatchReason::EmailDomain(dx));
            }
        }
    }
    if let (Some(x), Some(y)) = (&a.phone, &b.phone) {
        if same_phone(x, y) {
            reasons.push(MatchReason::Phone(x.to_string()));
        }
    }
    reasons
}

/// The account that survives a merge: the kept one, with every field it lacks taken from the
/// merged one. Two accounts of different territories are not merged (their people differ: move
/// one first), nor an account into itself.
pub fn merge_accounts(keep: &Account, merged: &Account) -> Result<Account, RuleError> {
    if keep.id == merged.id {
        return Err(invalid("merge", "an account cannot be merged into itself"));
    }
    if keep.territory != merged.territory {
        let t =
            |a: &Account| a.territory.as_ref().map_or_else(|| "no territory".to_owned(), |t| format!("territory {t}"));
        return Err(invalid(
            "territory",
            format!(
                "\"{}\" is in {} and \"{}\" in {}: move one into the other's territory first",
                keep.name,
                t(keep),
                merged.name,
                t(merged)
            ),
        ));
    }
    Ok(Account {
        id: keep.id,
        name: keep.name.clone(),
        vat_id: keep.vat_id.clone().or_else(|| merged.vat_id.clone()),
        email: keep.email.clone().or_else(|| merged.email.clone()),
        phone: keep.phone.clone().or_else(|| merged.phone.clone()),
        city: keep.city.clone().or_else(|| merged.city.clone()),
        territory: keep.territory.clone(),
    })
}

/// The survivor's profile after a merge: its owner (or the merged one's), every tag of both,
/// its custom values plus those only the merged account had. `None` when neither had one.
pub fn merge_profiles(keep: Option<&Profile>, merged: Option<&Profile>, keep_id: AccountId) -> Option<Profile> {
    let merged = merged?;
    let mut p = keep.cloned().unwrap_or_else(|| Profile::empty(ProfileTarget::account(keep_id)));
    if p.owner.is_none() {
        p.owner = merged.owner.clone();
    }
    let mut tags = p.tags.clone();
    tags.extend(merged.tags.iter().cloned());
    p.tags = normalise_tags(tags);
    for (k, v) in merged.custom.iter() {
        if p.custom.get(k.as_str()).is_none() {
            p.custom.insert(k.clone(), v.clone());
        }
    }
    Some(p)
}

/// What a merge moved, for the note it leaves on the survivor's timeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounts {
    pub contacts: usize,
    pub deals: usize,
    pub quotes: usize,
    pub contracts: usize,
    pub activities: usize,
}

/// The note a merge leaves on the surviving account's timeline: what was merged, by whom and
/// what moved (the merged account's own history is in the audit log).
pub fn merge_note(
    id: crate::id::ActivityId,
    keep: &Account,
    merged: &Account,
    by: UserName,
    counts: MergeCounts,
    at: chrono::NaiveDateTime,
) -> Result<super::activity::Activity, RuleError> {
    use super::activity::{Activity, ActivityKind, Body, Links, Subject};
    let subject = Subject::parse(&format!("Merged \"{}\" into this account", merged.name))
        .or_else(|_| Subject::parse("Merged a duplicate account into this account"))
        .map_err(|e| RuleError::Invalid(e.into()))?;
    let body = format!(
        "Account \"{}\" ({}) was merged into \"{}\" by {by}.\nMoved: {} contacts, {} deals, {} quotes, {} contracts, {} activities.",
        merged.name, merged.id, keep.name, counts.contacts, counts.deals, counts.quotes, counts.contracts, counts.activities
    );
    Ok(Activity {
        id,
        kind: ActivityKind::Note,
        subject,
        body: Some(Body::parse(&body).map_err(|e| RuleError::Invalid(e.into()))?),
        due: None,
        duration_minutes: None,
        done_at: Some(at),
        assignee: by,
        reminder: None,
        reminded_at: None,
        links: Links { account: Some(keep.id), ..Links::default() },
        created: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::custom::{FieldKey, FieldKind, FieldLabel};
    use crate::fields::{AccountName, Email, Phone, Territory, VatId};
    use crate::id::FieldDefId;

    fn account(n: u128, name: &str) -> Account {
        Account {
            id: AccountId::from_uuid(Uuid::from_u128(n)),
            name: AccountName::parse(name).expect("name"),
            vat_id: None,
            email: None,
            phone: None,
            city: None,
            territory: None,
        }
    }

    fn defs() -> Vec<FieldDef> {
        vec![FieldDef {
            id: FieldDefId::from_uuid(Uuid::from_u128(9)),
            entity: CrmEntity::Account,
            key: FieldKey::parse("segment").expect("key"),
            label: FieldLabel::parse("Segment").expect("label"),
            kind: FieldKind::Choice { options: vec!["SMB".into(), "Enterprise".into()] },
            required: false,
        }]
    }

    #[test]
    fn tags_are_trimmed_deduplicated_ignoring_case_and_sorted() {
        let tags = parse_tags(" Key account, fair 2026 ,key ACCOUNT,, ").expect("tags");
        let names: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["fair 2026", "Key account"]);
        let long = "x".repeat(41);
        assert_eq!(parse_tags(&long).expect_err("too long").field, "tags");
    }

    #[test]
    fn an_edit_sets_adds_and_removes_tags_and_checks_custom_values() {
        let a = account(1, "ACME GmbH");
        let target = ProfileTarget::account(a.id);
        let input = ProfileInput {
            owner: Some("anna".into()),
            tags: Some("vip, Fair".into()),
            custom: BTreeMap::from([("segment".into(), "SMB".into())]),
            ..ProfileInput::default()
        };
        let p = update(None, target, &input, &defs()).expect("first edit");
        assert_eq!(p.owner.as_ref().map(UserName::as_str), Some("anna"));
        assert!(p.has_tag("VIP") && p.has_tag("fair"));

        let bulk = ProfileInput {
            add_tags: Some("renewal".into()),
            remove_tags: Some("FAIR".into()),
            ..ProfileInput::default()
        };
        let p2 = update(Some(&p), target, &bulk, &defs()).expect("bulk edit");
        let names: Vec<&str> = p2.tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["renewal", "vip"]);
        assert_eq!(p2.owner, p.owner, "untouched fields keep their value");

        let bad = ProfileInput {
            owner: Some(" ".into()),
            custom: BTreeMap::from([("segment".into(), "Huge".into()), ("nope".into(), "1".into())]),
            tags: Some(format!("a,{}", "y".repeat(50))),
            ..ProfileInput::default()
        };
        let err = update(Some(&p2), target, &bad, &defs()).expect_err("refused");
        let RuleError::Invalid(errors) = err else { panic!("not invalid: {err:?}") };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"tags") && fields.contains(&"Segment") && fields.contains(&"nope"), "{fields:?}");
        let cleared =
            update(Some(&p2), target, &ProfileInput { owner: Some(String::new()), ..Default::default() }, &defs())
                .expect("clear owner");
        assert_eq!(cleared.owner, None);
        assert!(update(Some(&p2), target, &ProfileInput::default(), &defs()).is_err(), "an empty edit is refused");
    }

    #[test]
    fn duplicates_are_found_by_name_vat_domain_and_phone_without_false_pairs() {
        let mut a = account(1, "ACME GmbH");
        a.email = Some(Email::parse("info@acme.example").expect("e"));
        let mut b = account(2, "Acme");
        b.email = Some(Email::parse("sales@acme.example").expect("e"));
        let mut c = account(3, "Zeta Ltd");
        c.vat_id = Some(VatId::parse("DE123456789").expect("v"));
        let mut d = account(4, "Totally Different");
        d.vat_id = Some(VatId::parse("DE123456789").expect("v"));
        d.phone = Some(Phone::parse("+49 30 1234567").expect("p"));
        let mut e = account(5, "Other One");
        e.phone = Some(Phone::parse("030 1234567").expect("p"));
        e.email = Some(Email::parse("x@gmail.com").expect("e"));
        let mut f = account(6, "Another");
        f.email = Some(Email::parse("y@gmail.com").expect("e"));
        let found = account_duplicates(&[a.clone(), b.clone(), c.clone(), d.clone(), e.clone(), f]);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!((found[0].first, found[0].second), (a.id, b.id), "two reasons first, then by name");
        assert_eq!(found[0].reasons.len(), 2);
        assert!(found.iter().any(|p| (p.first, p.second) == (e.id, d.id)), "phone with and without country code");
        assert!(found.iter().any(|p| (p.first, p.second) == (d.id, c.id)), "same VAT id");
    }

    #[test]
    fn a_merge_fills_blanks_unions_tags_and_refuses_across_territories() {
        let mut keep = account(1, "ACME GmbH");
        keep.city = Some(crate::fields::City::parse("Berlin").expect("c"));
        let mut gone = account(2, "Acme");
        gone.city = Some(crate::fields::City::parse("Hamburg").expect("c"));
        gone.vat_id = Some(VatId::parse("DE123456789").expect("v"));
        let merged = merge_accounts(&keep, &gone).expect("merge");
        assert_eq!(merged.city, keep.city, "the kept account's values win");
        assert_eq!(merged.vat_id, gone.vat_id, "blanks are filled");
        assert!(merge_accounts(&keep, &keep).is_err());
        gone.territory = Some(Territory::parse("North").expect("t"));
        let err = merge_accounts(&keep, &gone).expect_err("territories differ");
        assert!(err.to_string().contains("territory North"), "{err}");

        let target = ProfileTarget::account(keep.id);
        let kp =
            update(None, target, &ProfileInput { tags: Some("vip".into()), ..Default::default() }, &defs()).expect("p");
        let gp = update(
            None,
            ProfileTarget::account(gone.id),
            &ProfileInput {
                owner: Some("ben".into()),
                tags: Some("VIP, fair".into()),
                custom: BTreeMap::from([("segment".into(), "SMB".into())]),
                ..Default::default()
            },
            &defs(),
        )
        .expect("p");
        let p = merge_profiles(Some(&kp), Some(&gp), keep.id).expect("merged profile");
        assert_eq!(p.id, keep.id.as_uuid());
        assert_eq!(p.owner.as_ref().map(UserName::as_str), Some("ben"));
        assert_eq!(p.tags.len(), 2);
        assert!(p.custom.get("segment").is_some());
        assert_eq!(merge_profiles(Some(&kp), None, keep.id), None, "nothing to carry over");
    }
}
