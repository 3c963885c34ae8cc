//! Accounts: the companies we sell to.

use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{optional, AccountName, City, Email, Phone, Territory, VatId};
use crate::id::AccountId;
use crate::patch::Patch;
use crate::Existing;
use serde::{Deserialize, Serialize};

/// A live account as every store holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: AccountId,
    pub name: AccountName,
    pub vat_id: Option<VatId>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub city: Option<City>,
    /// The sales territory: who (besides managers and the back office) sees the account.
    /// Absent when empty, which is how a protocol-1 device (that knows no territories) gets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<Territory>,
}

/// Raw text of an account form or CLI flags, before parsing. `None` = not given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInput {
    pub name: Option<String>,
    pub vat_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub territory: Option<String>,
}

/// The arguments of `account.create`: an account, valid by construction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub id: AccountId,
    pub name: AccountName,
    #[serde(default)]
    pub vat_id: Option<VatId>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub city: Option<City>,
    #[serde(default)]
    pub territory: Option<Territory>,
}

impl NewAccount {
    /// Parses a create form, reporting every bad field at once. Blank optional fields are absent.
    pub fn parse(id: AccountId, input: &AccountInput) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.take(AccountName::parse(input.name.as_deref().unwrap_or("")));
        let vat_id = errors.take(optional(input.vat_id.as_deref(), VatId::parse));
        let email = errors.take(optional(input.email.as_deref(), Email::parse));
        let phone = errors.take(optional(input.phone.as_deref(), Phone::parse));
        let city = errors.take(optional(input.city.as_deref(), City::parse));
        let territory = errors.take(optional(input.territory.as_deref(), Territory::parse));
        match name {
            Some(name) if errors.is_empty() => Ok(NewAccount {
                id,
                name,
                vat_id: vat_id.flatten(),
                email: email.flatten(),
                phone: phone.flatten(),
                city: city.flatten(),
                territory: territory.flatten(),
            }),
            _ => Err(errors),
        }
    }
}

/// The arguments of `account.update`: only the fields the user touched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub id: AccountId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<AccountName>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub vat_id: Patch<VatId>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub email: Patch<Email>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub phone: Patch<Phone>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub city: Patch<City>,
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub territory: Patch<Territory>,
    /// What the user saw in the fields they changed (see [`crate::conflict`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub seen: crate::conflict::Seen,
}

impl AccountPatch {
    /// Parses an edit: `None` = untouched, blank = clear (the name cannot be cleared).
    pub fn parse(id: AccountId, input: &AccountInput) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.take(input.name.as_deref().map(AccountName::parse).transpose());
        let vat_id = errors.take(Patch::from_input(input.vat_id.as_deref(), VatId::parse));
        let email = errors.take(Patch::from_input(input.email.as_deref(), Email::parse));
        let phone = errors.take(Patch::from_input(input.phone.as_deref(), Phone::parse));
        let city = errors.take(Patch::from_input(input.city.as_deref(), City::parse));
        let territory = errors.take(Patch::from_input(input.territory.as_deref(), Territory::parse));
        let patch = errors.into_result(|| AccountPatch {
            id,
            name: name.flatten(),
            vat_id: vat_id.unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            city: city.unwrap_or_default(),
            territory: territory.unwrap_or_default(),
            seen: Default::default(),
        })?;
        if patch.is_empty() {
            return Err(FieldError::new("account", "nothing to change: give at least one field").into());
        }
        Ok(patch)
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.vat_id.is_keep()
            && self.email.is_keep()
            && self.phone.is_keep()
            && self.city.is_keep()
            && self.territory.is_keep()
    }

    /// The names of the fields this patch touches.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.name.is_some() {
            f.push("name");
        }
        for (name, keep) in [
            ("vat_id", self.vat_id.is_keep()),
            ("email", self.email.is_keep()),
            ("phone", self.phone.is_keep()),
            ("city", self.city.is_keep()),
            ("territory", self.territory.is_keep()),
        ] {
            if !keep {
                f.push(name);
            }
        }
        f
    }
}

/// `account.create`: the id must be new.
pub fn create(existing: Existing<&Account>, new: &NewAccount) -> Result<Account, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "account", id: new.id.to_string() });
    }
    Ok(Account {
        id: new.id,
        name: new.name.clone(),
        vat_id: new.vat_id.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        city: new.city.clone(),
        territory: new.territory.clone(),
    })
}

/// `account.update`: field by field on the current server (or local) state, so edits of other
/// fields made elsewhere survive. An edit of a deleted account is refused: delete wins.
pub fn update(existing: Existing<&Account>, patch: &AccountPatch) -> Result<Account, RuleError> {
    let mut account = existing.live("account", patch.id.to_string())?.clone();
    if let Some(name) = &patch.name {
        account.name = name.clone();
    }
    patch.vat_id.apply_to(&mut account.vat_id);
    patch.email.apply_to(&mut account.email);
    patch.phone.apply_to(&mut account.phone);
    patch.city.apply_to(&mut account.city);
    patch.territory.apply_to(&mut account.territory);
    Ok(account)
}

/// `account.delete`: deleting removes the account and all its contacts. Deleting what another
/// device already deleted is not an error (both wanted it gone); an unknown id is.
pub fn delete(existing: Existing<&Account>, id: AccountId) -> Result<bool, RuleError> {
    match existing {
        Existing::Live(_) => Ok(true),
        Existing::Deleted => Ok(false),
        Existing::Missing => Err(RuleError::NotFound { entity: "account", id: id.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id() -> AccountId {
        AccountId::from_uuid(Uuid::from_u128(0x0190_f5b4_7c1a_7cc2_8f3e_0d6b_5b1e_2a10))
    }

    fn input(name: &str) -> AccountInput {
        AccountInput { name: Some(name.into()), ..Default::default() }
    }

    #[test]
    fn create_form_reports_every_bad_field_at_once() {
        let bad = AccountInput {
            name: Some(" ".into()),
            email: Some("nope".into()),
            phone: Some("abc".into()),
            vat_id: Some("".into()),
            city: None,
            territory: Some("North/West".into()),
        };
        let errs = NewAccount::parse(id(), &bad).expect_err("three fields are bad");
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone"], "a blank optional VAT id is simply absent");
    }

    #[test]
    fn update_changes_only_the_touched_fields() {
        let mut form = input("ACME");
        form.city = Some("Berlin".into());
        form.phone = Some("+49 30 123456".into());
        let acc = create(Existing::Missing, &NewAccount::parse(id(), &form).expect("valid")).expect("new");
        let patch = AccountPatch::parse(
            id(),
            &AccountInput { city: Some("Hamburg".into()), phone: Some("".into()), ..Default::default() },
        )
        .expect("valid patch");
        assert_eq!(patch.fields(), ["phone", "city"]);
        let next = update(Existing::Live(&acc), &patch).expect("live account");
        assert_eq!(next.name.as_str(), "ACME", "untouched field kept");
        assert_eq!(next.city.as_ref().map(City::as_str), Some("Hamburg"));
        assert_eq!(next.phone, None, "blank clears");
    }

    #[test]
    fn an_empty_edit_is_refused() {
        let e = AccountPatch::parse(id(), &AccountInput::default()).expect_err("nothing given");
        assert!(e.to_string().contains("nothing to change"));
    }

    #[test]
    fn edits_and_creates_respect_the_record_state() {
        let acc = create(Existing::Missing, &NewAccount::parse(id(), &input("A")).expect("valid")).expect("new");
        assert_eq!(
            create(Existing::Live(&acc), &NewAccount::parse(id(), &input("B")).expect("valid")).map(|_| ()),
            Err(RuleError::AlreadyExists { entity: "account", id: id().to_string() })
        );
        let patch = AccountPatch::parse(id(), &input("B")).expect("valid");
        assert_eq!(update(Existing::Deleted, &patch).map(|_| ()).expect_err("delete wins").code(), "deleted");
        assert_eq!(update(Existing::Missing, &patch).map(|_| ()).expect_err("unknown").code(), "not_found");
        assert_eq!(delete(Existing::Deleted, id()), Ok(false), "deleting twice is harmless");
        assert_eq!(delete(Existing::Live(&acc), id()), Ok(true));
    }
}
