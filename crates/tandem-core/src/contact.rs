//! Contacts: the people at an account.

use crate::account::Account;
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{optional, Email, PersonName, Phone};
use crate::id::{AccountId, ContactId};
use crate::patch::Patch;
use crate::Existing;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub id: ContactId,
    pub account_id: AccountId,
    pub name: PersonName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

/// Raw text of a contact form or CLI flags, before parsing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The arguments of `contact.add`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub id: ContactId,
    pub account_id: AccountId,
    pub name: PersonName,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Phone>,
}

impl NewContact {
    pub fn parse(id: ContactId, account_id: AccountId, input: &ContactInput) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.take(PersonName::parse(input.name.as_deref().unwrap_or("")));
        let email = errors.take(optional(input.email.as_deref(), Email::parse));
        let phone = errors.take(optional(input.phone.as_deref(), Phone::parse));
        match name {
            Some(name) if errors.is_empty() => {
                Ok(NewContact { id, account_id, name, email: email.flatten(), phone: phone.flatten() })
            }
            _ => Err(errors),
        }
    }
}

/// The arguments of `contact.update`: only the touched fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub id: ContactId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub email: Patch<Email>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub phone: Patch<Phone>,
    /// What the user saw in the fields they changed (see [`crate::conflict`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub seen: crate::conflict::Seen,
}

impl ContactPatch {
    /// The names of the fields this patch touches.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.name.is_some() {
            f.push("name");
        }
        if !self.email.is_keep() {
            f.push("email");
        }
        if !self.phone.is_keep() {
            f.push("phone");
        }
        f
    }

    pub fn parse(id: ContactId, input: &ContactInput) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.take(input.name.as_deref().map(PersonName::parse).transpose());
        let email = errors.take(Patch::from_input(input.email.as_deref(), Email::parse));
        let phone = errors.take(Patch::from_input(input.phone.as_deref(), Phone::parse));
        if !errors.is_empty() {
            return Err(errors);
        }
        let patch = ContactPatch {
            id,
            name: name.flatten(),
            email: email.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            seen: Default::default(),
        };
        if patch.name.is_none() && patch.email.is_keep() && patch.phone.is_keep() {
            return Err(FieldError::new("contact", "nothing to change: give at least one field").into());
        }
        Ok(patch)
    }
}

/// `contact.add`: the account must be live and the id new.
pub fn add(account: Existing<&Account>, existing: Existing<&Contact>, new: &NewContact) -> Result<Contact, RuleError> {
    account.live("account", new.account_id.to_string())?;
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "contact", id: new.id.to_string() });
    }
    Ok(Contact {
        id: new.id,
        account_id: new.account_id,
        name: new.name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
    })
}

/// `contact.update`: field by field; a deleted contact stays deleted.
pub fn update(existing: Existing<&Contact>, patch: &ContactPatch) -> Result<Contact, RuleError> {
    let mut contact = existing.live("contact", patch.id.to_string())?.clone();
    if let Some(name) = &patch.name {
        contact.name = name.clone();
    }
    patch.email.apply_to(&mut contact.email);
    patch.phone.apply_to(&mut contact.phone);
    Ok(contact)
}

/// `contact.delete`: deleting twice is harmless, an unknown id is an error.
pub fn delete(existing: Existing<&Contact>, id: ContactId) -> Result<bool, RuleError> {
    match existing {
        Existing::Live(_) => Ok(true),
        Existing::Deleted => Ok(false),
        Existing::Missing => Err(RuleError::NotFound { entity: "contact", id: id.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_contact_needs_a_live_account() {
        let cid = ContactId::from_uuid(Uuid::from_u128(1));
        let aid = AccountId::from_uuid(Uuid::from_u128(2));
        let new = NewContact::parse(cid, aid, &ContactInput { name: Some("Anna Berg".into()), ..Default::default() })
            .expect("valid");
        let err = add(Existing::Deleted, Existing::Missing, &new).expect_err("account deleted");
        assert_eq!(err.code(), "deleted", "a contact cannot be added to a deleted account");
    }

    #[test]
    fn contact_form_names_each_bad_field() {
        let errs = NewContact::parse(
            ContactId::from_uuid(Uuid::from_u128(1)),
            AccountId::from_uuid(Uuid::from_u128(2)),
            &ContactInput { name: None, email: Some("x@".into()), phone: Some("12".into()) },
        )
        .expect_err("all bad");
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
    }
}
