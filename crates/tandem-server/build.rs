//! Rebuild when a migration changes: `sqlx::migrate!` embeds them at compile time.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/postgres");
}
