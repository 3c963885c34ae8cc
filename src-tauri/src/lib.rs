//! The Tandem desktop shell: thin Tauri commands over tandem-replica, and the background sync.
//!
//! No SQL and no business rule here: a command parses its arguments (serde), calls the
//! replica, and maps the error to `{code, message, fields}` for the UI.

mod commands;
mod crm_activity_commands;
mod crm_bulk_commands;
mod crm_commands;
mod crm_import_commands;
mod crm_lead_commands;
mod crm_profile_commands;
mod erp_commands;
mod error;
mod state;
mod sync_loop;
mod update;

use std::path::PathBuf;
use tauri::Manager;

pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // TANDEM_LOG_FILE sends the log to a file (support, and tests that start the app through
    // WebDriver, which keeps its output); else standard output.
    let log_file = std::env::var_os("TANDEM_LOG_FILE")
        .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok());
    match log_file {
        Some(f) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(f))
            .init(),
        None => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            // TANDEM_DATA_DIR lets tests and power users keep several workspaces apart.
            let dir = match std::env::var_os("TANDEM_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            let version = app.package_info().version.to_string();
            tracing::info!(data_dir = %dir.display(), %version, "starting Tandem");
            app.manage(update::Updates::new(version));
            match tauri::async_runtime::block_on(state::AppState::open(dir)) {
                Ok(state) => {
                    app.manage(state);
                    app.manage(state::StartupFailure(None));
                    sync_loop::spawn(app.handle().clone());
                    crm_activity_commands::reminders::spawn(app.handle().clone());
                    update::spawn(app.handle().clone());
                }
                // The window still opens, to tell the user what happened (the data is untouched:
                // a failed migration restored its backup).
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the workspace");
                    app.manage(state::StartupFailure(Some((e.code(), e.to_string()))));
                }
            }
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
            commands::server_info,
            commands::update_status,
            commands::update_check,
            commands::update_install,
            commands::startup_error,
            erp_commands::erp_products,
            erp_commands::erp_create_product,
            erp_commands::erp_stock,
            erp_commands::erp_receive_stock,
            erp_commands::erp_orders,
            erp_commands::erp_order,
            erp_commands::erp_create_order,
            erp_commands::erp_confirm_order,
            erp_commands::erp_release_order,
            erp_commands::erp_cancel_order,
            erp_commands::erp_deliver_order,
            erp_commands::erp_deliveries,
            erp_commands::erp_invoices,
            erp_commands::erp_invoice,
            erp_commands::erp_create_invoice,
            erp_commands::erp_post_invoice,
            erp_commands::erp_draft_count,
            erp_commands::erp_post_drafts,
            erp_commands::erp_credit_invoice,
            erp_commands::erp_payments,
            erp_commands::erp_record_payment,
            erp_commands::erp_outcome,
            erp_commands::erp_customer_facts,
            erp_commands::erp_set_terms,
            erp_commands::erp_aging,
            erp_commands::erp_trial_balance,
            erp_commands::erp_profit_and_loss,
            erp_commands::erp_balance_sheet,
            erp_commands::erp_price_lists,
            erp_commands::erp_set_price,
            crm_commands::crm_pipelines,
            crm_commands::crm_create_pipeline,
            crm_commands::crm_deals,
            crm_commands::crm_deal,
            crm_commands::crm_create_deal,
            crm_commands::crm_move_deal,
            crm_commands::crm_forecast,
            crm_lead_commands::crm_leads,
            crm_lead_commands::crm_lead,
            crm_lead_commands::crm_create_lead,
            crm_lead_commands::crm_set_lead_status,
            crm_lead_commands::crm_lead_duplicates,
            crm_lead_commands::crm_convert_lead,
            crm_import_commands::crm_preview_import,
            crm_import_commands::crm_import,
            crm_import_commands::crm_contacts,
            crm_bulk_commands::crm_bulk_edit_deals,
            crm_bulk_commands::crm_bulk_edit_leads,
            crm_lead_commands::search,
            crm_profile_commands::crm_profile,
            crm_profile_commands::crm_edit_profile,
            crm_profile_commands::crm_bulk_edit_profiles,
            crm_profile_commands::crm_account_duplicates,
            crm_profile_commands::crm_merge_accounts,
            crm_profile_commands::crm_custom_fields,
            crm_activity_commands::crm_timeline,
            crm_activity_commands::crm_add_activity,
            crm_activity_commands::crm_log_email,
            crm_activity_commands::crm_complete_activity,
            crm_activity_commands::crm_reschedule_activity,
            crm_activity_commands::crm_calendar,
            crm_activity_commands::crm_quotes,
            crm_activity_commands::crm_quote,
            crm_activity_commands::crm_create_quote,
            crm_activity_commands::crm_update_quote,
            crm_activity_commands::crm_quote_step,
            crm_activity_commands::crm_accept_quote,
            crm_activity_commands::crm_quote_approval_reasons,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "Tandem stopped with an error");
        std::process::exit(1);
    }
}
