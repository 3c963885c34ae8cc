//! A change to one optional field: keep it, clear it, or set it.
//!
//! In JSON an absent key keeps the field, `null` clears it and a value sets it, so a patch
//! carries exactly the fields a user touched. That is what makes field-level merging work:
//! two devices editing different fields of one record both keep their edit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// Applies the patch to `field`; true when the field's value changed.
    pub fn apply_to(&self, field: &mut Option<T>) -> bool
    where
        T: Clone + PartialEq,
    {
        let next = match self {
            Patch::Keep => return false,
            Patch::Clear => None,
            Patch::Set(v) => Some(v.clone()),
        };
        let changed = *field != next;
        *field = next;
        changed
    }

    /// From a form value: `None` = untouched, blank = clear, otherwise parsed.
    pub fn from_input<E>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, E>) -> Result<Self, E> {
        match raw {
            None => Ok(Patch::Keep),
            Some(s) if s.trim().is_empty() => Ok(Patch::Clear),
            Some(s) => parse(s).map(Patch::Set),
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when a struct forgets `skip_serializing_if = "Patch::is_keep"`.
            Patch::Keep | Patch::Clear => s.serialize_none(),
            Patch::Set(v) => s.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Reached only when the key is present (absent keys take `#[serde(default)]`).
        Ok(match Option::<T>::deserialize(d)? {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct P {
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        a: Patch<String>,
    }

    #[test]
    fn absent_null_and_value_mean_keep_clear_and_set() {
        assert_eq!(serde_json::from_str::<P>("{}").expect("json"), P { a: Patch::Keep });
        assert_eq!(serde_json::from_str::<P>(r#"{"a":null}"#).expect("json"), P { a: Patch::Clear });
        assert_eq!(serde_json::from_str::<P>(r#"{"a":"x"}"#).expect("json"), P { a: Patch::Set("x".into()) });
        assert_eq!(serde_json::to_string(&P { a: Patch::Keep }).expect("json"), "{}");
        assert_eq!(serde_json::to_string(&P { a: Patch::Clear }).expect("json"), r#"{"a":null}"#);
    }

    #[test]
    fn apply_reports_whether_the_value_changed() {
        let mut f = Some(1);
        assert!(!Patch::Keep.apply_to(&mut f));
        assert!(!Patch::Set(1).apply_to(&mut f), "setting the same value is no change");
        assert!(Patch::Clear.apply_to(&mut f));
        assert_eq!(f, None);
    }
}
