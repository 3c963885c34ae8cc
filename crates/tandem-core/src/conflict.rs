//! Field conflicts: the same field edited on two devices. The later arrival wins at the server,
//! and the value it overwrote is kept in a conflict record both users see and resolve.
//!
//! An edit carries the values the user saw for the fields it changes (`seen`). If the server's
//! value of such a field differs from what the user saw, someone else changed it meanwhile: the
//! edit still applies, and the other value is recorded as overwritten.

use crate::account::{Account, AccountInput, AccountPatch};
use crate::contact::{Contact, ContactInput, ContactPatch};
use crate::error::ValidationErrors;
use crate::{AccountId, ContactId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a user saw, per field they changed: `None` for an empty field.
pub type Seen = BTreeMap<String, Option<String>>;

/// A record's fields as text, for comparing and recording values.
pub trait Fields {
    /// `None` when the record has no such field; `Some(None)` when the field is empty.
    fn field(&self, name: &str) -> Option<Option<String>>;
}

impl Fields for Account {
    fn field(&self, name: &str) -> Option<Option<String>> {
        let s = |v: Option<&str>| Some(v.map(str::to_owned));
        match name {
            "name" => s(Some(self.name.as_str())),
            "vat_id" => s(self.vat_id.as_ref().map(|v| v.as_str())),
            "email" => s(self.email.as_ref().map(|v| v.as_str())),
            "phone" => s(self.phone.as_ref().map(|v| v.as_str())),
            "city" => s(self.city.as_ref().map(|v| v.as_str())),
            "territory" => s(self.territory.as_ref().map(|v| v.as_str())),
            _ => None,
        }
    }
}

impl Fields for Contact {
    fn field(&self, name: &str) -> Option<Option<String>> {
        let s = |v: Option<&str>| Some(v.map(str::to_owned));
        match name {
            "name" => s(Some(self.name.as_str())),
            "email" => s(self.email.as_ref().map(|v| v.as_str())),
            "phone" => s(self.phone.as_ref().map(|v| v.as_str())),
            _ => None,
        }
    }
}

/// The values of `fields` in `record`, as a user sees them before editing.
pub fn seen<T: Fields>(record: &T, fields: &[&str]) -> Seen {
    fields.iter().filter_map(|f| record.field(f).map(|v| ((*f).to_owned(), v))).collect()
}

/// One field whose value an edit overwrote without its author having seen it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overwrite {
    pub field: String,
    /// The value the edit replaced (someone else's edit).
    pub overwritten: Option<String>,
    /// The value the edit wrote (now current).
    pub written: Option<String>,
}

/// The fields an edit from `before` to `after` overwrote although its author saw another value.
pub fn overwrites<T: Fields>(before: &T, after: &T, seen: &Seen) -> Vec<Overwrite> {
    seen.iter()
        .filter_map(|(field, saw)| {
            let (current, written) = (before.field(field)?, after.field(field)?);
            (current != *saw && current != written).then(|| Overwrite {
                field: field.clone(),
                overwritten: current,
                written,
            })
        })
        .collect()
}

/// Which value a resolution keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The value that won (now current): nothing changes but the record is settled.
    Current,
    /// The overwritten value is put back.
    Overwritten,
}

/// The edit that puts `value` back into `field` of an account.
pub fn restore_account(id: AccountId, field: &str, value: Option<&str>) -> Result<AccountPatch, ValidationErrors> {
    let v = Some(value.unwrap_or("").to_owned());
    let mut input = AccountInput::default();
    match field {
        "name" => input.name = v,
        "vat_id" => input.vat_id = v,
        "email" => input.email = v,
        "phone" => input.phone = v,
        "city" => input.city = v,
        "territory" => input.territory = v,
        other => return Err(crate::FieldError::new("field", format!("accounts have no field {other:?}")).into()),
    }
    AccountPatch::parse(id, &input)
}

/// The edit that puts `value` back into `field` of a contact.
pub fn restore_contact(id: ContactId, field: &str, value: Option<&str>) -> Result<ContactPatch, ValidationErrors> {
    let v = Some(value.unwrap_or("").to_owned());
    let mut input = ContactInput::default();
    match field {
        "name" => input.name = v,
        "email" => input.email = v,
        "phone" => input.phone = v,
        other => return Err(crate::FieldError::new("field", format!("contacts have no field {other:?}")).into()),
    }
    ContactPatch::parse(id, &input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{account, Existing};
    use uuid::Uuid;

    fn acme(city: &str) -> Account {
        let id = AccountId::from_uuid(Uuid::from_u128(7));
        let input = AccountInput { name: Some("ACME".into()), city: Some(city.into()), ..Default::default() };
        account::create(Existing::Missing, &crate::NewAccount::parse(id, &input).expect("valid")).expect("new")
    }

    #[test]
    fn an_edit_over_an_unseen_change_records_what_it_overwrote() {
        let server = acme("Hamburg"); // someone changed Berlin -> Hamburg
        let mut patch =
            AccountPatch::parse(server.id, &AccountInput { city: Some("Köln".into()), ..Default::default() })
                .expect("patch");
        patch.seen = seen(&acme("Berlin"), &patch.fields()); // this user still saw Berlin
        let after = account::update(Existing::Live(&server), &patch).expect("applies: the later arrival wins");
        let o = overwrites(&server, &after, &patch.seen);
        assert_eq!(
            o,
            [Overwrite { field: "city".into(), overwritten: Some("Hamburg".into()), written: Some("Köln".into()) }]
        );
    }

    #[test]
    fn no_conflict_when_the_user_saw_the_current_value_or_both_wrote_the_same() {
        let server = acme("Berlin");
        let mut patch =
            AccountPatch::parse(server.id, &AccountInput { city: Some("Köln".into()), ..Default::default() })
                .expect("patch");
        patch.seen = seen(&server, &patch.fields());
        let after = account::update(Existing::Live(&server), &patch).expect("applies");
        assert!(overwrites(&server, &after, &patch.seen).is_empty(), "saw the current value");
        let same = acme("Köln");
        assert!(overwrites(&same, &after, &patch.seen).is_empty(), "both wrote Köln: nothing was lost");
    }

    #[test]
    fn restoring_a_value_is_an_ordinary_edit() {
        let p = restore_account(AccountId::from_uuid(Uuid::from_u128(7)), "city", Some("Hamburg")).expect("valid");
        assert_eq!(p.fields(), ["city"]);
        let cleared = restore_account(AccountId::from_uuid(Uuid::from_u128(7)), "phone", None).expect("clear");
        assert_eq!(cleared.phone, crate::Patch::Clear);
        assert!(restore_account(AccountId::from_uuid(Uuid::from_u128(7)), "colour", None).is_err());
    }
}
