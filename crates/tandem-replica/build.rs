//! Rebuild when a migration changes or is added: `sqlx::migrate!` embeds them at compile time.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
}
