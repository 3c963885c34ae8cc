//! Test support across crates: a PostgreSQL database per test ([`pg::TestDb`]), the server in
//! process or as a real process ([`server`]), a typed API client, and small fixtures.

pub mod cli;
pub mod desktop;
pub mod pg;
pub mod proxy;
pub mod server;
pub mod sim;
pub mod webdriver;

pub use pg::TestDb;
pub use server::{
    create_user, create_user_with_binary, run_server_command, server_binary, spawn_in_process, spawn_process,
    spawn_process_at, ApiClient, CallError, Device, RawResponse, ServerProcess, TestServer,
};

/// Records for tests: valid by construction, fresh UUIDv7 ids.
pub mod fixtures {
    use std::collections::BTreeMap;

    use tandem_core::{Account, AccountId, AccountName, Contact, ContactId, NewAccount, NewContact, PersonName};
    use tandem_sync::Change;
    use uuid::Uuid;

    pub fn new_account(name: &str) -> NewAccount {
        NewAccount {
            id: AccountId::from_uuid(Uuid::now_v7()),
            name: AccountName::parse(name).unwrap_or_else(|e| panic!("fixture account name {name:?}: {e}")),
            vat_id: None,
            email: None,
            phone: None,
            city: None,
            territory: None,
        }
    }

    pub fn new_contact(account: AccountId, name: &str) -> NewContact {
        NewContact {
            id: ContactId::from_uuid(Uuid::now_v7()),
            account_id: account,
            name: PersonName::parse(name).unwrap_or_else(|e| panic!("fixture person name {name:?}: {e}")),
            email: None,
            phone: None,
        }
    }

    /// What a device holds after applying pulled changes: live rows only.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Mirror {
        pub accounts: BTreeMap<AccountId, Account>,
        pub contacts: BTreeMap<ContactId, Contact>,
    }

    impl Mirror {
        pub fn apply(&mut self, changes: &[Change]) {
            for change in changes {
                match change {
                    Change::Account { id, data: Some(a), .. } => {
                        self.accounts.insert(*id, a.clone());
                    }
                    Change::Account { id, data: None, .. } => {
                        self.accounts.remove(id);
                    }
                    Change::Contact { id, data: Some(c), .. } => {
                        self.contacts.insert(*id, c.clone());
                    }
                    Change::Contact { id, data: None, .. } => {
                        self.contacts.remove(id);
                    }
                    // The mirror compares records; conflicts and documents are checked on their own.
                    Change::Conflict { .. } | Change::Doc { .. } => {}
                }
            }
        }
    }
}
