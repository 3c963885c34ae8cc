//! The Tandem desktop shell: thin Tauri commands over tandem-replica, and the background sync.
//!
//! No SQL and no business rule here: a command parses its arguments (serde), calls the
//! replica, and maps the error to `{code, message, fields}` for the UI.

mod commands;
mod error;
mod state;
mod sync_loop;

use std::path::PathBuf;
use tauri::Manager;

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            // TANDEM_DATA_DIR lets tests and power users keep several workspaces apart.
            let dir = match std::env::var_os("TANDEM_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            tracing::info!(data_dir = %dir.display(), "starting Tandem");
            let state = tauri::async_runtime::block_on(state::AppState::open(dir))?;
            app.manage(state);
            sync_loop::spawn(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::get_account,
            commands::create_account,
            commands::update_account,
            commands::delete_account,
            commands::add_contact,
            commands::update_contact,
            commands::delete_contact,
            commands::sync_status,
            commands::resolve_conflict,
            commands::audit_page,
            commands::sync_now,
            commands::sign_in,
            commands::sign_out,
            commands::app_info,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "Tandem stopped with an error");
        std::process::exit(1);
    }
}
