//! Deterministic demo data: the same seed gives the same companies, people and ids everywhere
//! (the desktop app's local workspace and `tandem-server seed-demo`).

use crate::account::{AccountInput, NewAccount};
use crate::contact::{ContactInput, NewContact};
use crate::id::{AccountId, ContactId};
use uuid::Uuid;

const PREFIXES: &[&str] = &[
    "Nord", "Süd", "Alpen", "Rhein", "Hansa", "Baltic", "Atlas", "Orion", "Vega", "Delta", "Falken", "Linden",
    "Eichen", "Blau", "Silber", "Kupfer", "Sonnen", "Berg", "Tal", "Stern",
];
const CORES: &[&str] = &[
    "Maschinenbau",
    "Logistik",
    "Agrar",
    "Metall",
    "Holz",
    "Elektro",
    "Bau",
    "Medizintechnik",
    "Verpackung",
    "Textil",
    "Feinkost",
    "Getränke",
    "Optik",
    "Kunststoff",
    "Energie",
    "Druck",
    "Software",
    "Möbel",
    "Papier",
    "Glas",
];
const FORMS: &[&str] = &["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", "SE"];
const CITIES: &[&str] = &[
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt am Main",
    "Stuttgart",
    "Düsseldorf",
    "Leipzig",
    "Dortmund",
    "Essen",
    "Bremen",
    "Dresden",
    "Hannover",
    "Nürnberg",
    "Duisburg",
    "Bochum",
    "Wuppertal",
    "Bielefeld",
    "Bonn",
    "Münster",
    "Augsburg",
    "Freiburg",
    "Kiel",
    "Rostock",
    "Regensburg",
];
/// Demo sales territories, assigned round-robin.
pub const TERRITORIES: &[&str] = &["North", "South", "East", "West"];
const AREA_CODES: &[&str] = &["30", "40", "89", "221", "69", "711", "211", "341", "231", "201"];
const FIRST: &[&str] = &[
    "Anna", "Lukas", "Mia", "Jonas", "Lea", "Finn", "Emma", "Paul", "Sophie", "Felix", "Laura", "Leon", "Hannah",
    "Tim", "Julia", "Max", "Marie", "Jan", "Clara", "David",
];
const LAST: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Hartmann",
];

/// A small, fast, seedable generator (SplitMix64): demo data must not depend on a library's
/// random stream staying the same across versions.
#[derive(Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A UUIDv8 from the stream: stable per seed, and never mistaken for a real v7 id.
    pub fn uuid(&mut self) -> Uuid {
        let hi = u128::from(self.next_u64());
        let lo = u128::from(self.next_u64());
        let raw = (hi << 64 | lo).to_be_bytes();
        uuid::Builder::from_custom_bytes(raw).into_uuid()
    }
}

/// One demo company with its people.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub account: NewAccount,
    pub contacts: Vec<NewContact>,
}

/// `count` demo accounts with 1–3 contacts each. Every value goes through the same parsing as
/// user input, so demo data is valid by construction.
pub fn accounts(count: usize, seed: u64) -> Vec<DemoAccount> {
    let mut rng = SplitMix::new(seed);
    (0..count)
        .filter_map(|i| {
            let name = format!("{} {} {}", rng.pick(PREFIXES), rng.pick(CORES), rng.pick(FORMS));
            let name = if i >= PREFIXES.len() * CORES.len() { format!("{name} {}", i + 1) } else { name };
            let city = rng.pick(CITIES);
            let domain: String = name
                .to_lowercase()
                .replace('ü', "ue")
                .replace('ö', "oe")
                .replace('ä', "ae")
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(24)
                .collect();
            let area = rng.pick(AREA_CODES);
            let input = AccountInput {
                name: Some(name),
                vat_id: Some(format!("DE{:09}", rng.next_u64() % 1_000_000_000)),
                email: Some(format!("info@{domain}.de")),
                phone: Some(format!("+49 {area} {}", 100_000 + rng.below(899_999))),
                city: Some(city.to_owned()),
                territory: Some(TERRITORIES[i % TERRITORIES.len()].to_owned()),
            };
            let id = AccountId::from_uuid(rng.uuid());
            let account = NewAccount::parse(id, &input).ok()?;
            let contacts = (0..1 + rng.below(3))
                .filter_map(|_| {
                    let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
                    let local = format!("{first}.{last}")
                        .to_lowercase()
                        .replace('ü', "ue")
                        .replace('ö', "oe")
                        .replace('ä', "ae");
                    let input = ContactInput {
                        name: Some(format!("{first} {last}")),
                        email: Some(format!("{local}@{domain}.de")),
                        phone: Some(format!("+49 {area} {}", 100_000 + rng.below(899_999))),
                    };
                    NewContact::parse(ContactId::from_uuid(rng.uuid()), id, &input).ok()
                })
                .collect();
            Some(DemoAccount { account, contacts })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_deterministic_and_valid() {
        let a = accounts(300, 7);
        let b = accounts(300, 7);
        assert_eq!(a.len(), 300, "every generated account parses");
        assert!(
            a.iter().zip(&b).all(|(x, y)| x.account == y.account && x.contacts == y.contacts),
            "same seed, same data"
        );
        assert!(a.iter().all(|d| (1..=3).contains(&d.contacts.len())));
        assert_ne!(accounts(1, 8)[0].account.id, a[0].account.id, "another seed, other ids");
    }
}
