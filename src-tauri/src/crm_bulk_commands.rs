//! Bulk edit of a selection of deals or leads, all or none: parse (serde), call the replica, map
//! the error. Nothing else. The server decides each change again, like any edit.

use crate::crm_lead_commands::given;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::sync_loop;
use serde::Deserialize;
use tandem_core::{DealInput, LeadInput};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

/// What the bulk-edit bar sets on every selected deal (camelCase; blank = unchanged).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkDealEdit {
    owner: Option<String>,
    expected_close: Option<String>,
    team: Option<String>,
    /// A stage of the deals' pipeline: the deals move there.
    stage: Option<String>,
}

impl BulkDealEdit {
    /// The fields to edit, and the stage to move to (a move, not an edit, in the core).
    fn split(self) -> (DealInput, Option<String>) {
        let input = DealInput {
            owner: given(self.owner),
            expected_close: given(self.expected_close),
            team: given(self.team),
            ..DealInput::default()
        };
        (input, given(self.stage))
    }
}

/// What the bulk-edit bar sets on every selected lead (camelCase; blank = unchanged).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkLeadEdit {
    owner: Option<String>,
    territory: Option<String>,
}

impl From<BulkLeadEdit> for LeadInput {
    fn from(e: BulkLeadEdit) -> Self {
        LeadInput { owner: given(e.owner), territory: given(e.territory), ..LeadInput::default() }
    }
}

/// Returns how many deals changed; one refusal changes none.
#[tauri::command]
pub async fn crm_bulk_edit_deals(
    app: AppHandle,
    state: S<'_>,
    ids: Vec<String>,
    edit: BulkDealEdit,
) -> ApiResult<usize> {
    let (input, stage) = edit.split();
    let n = state.replica().await.bulk_edit_deals(&ids, &input, stage.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(n)
}

/// Returns how many leads changed; one refusal changes none.
#[tauri::command]
pub async fn crm_bulk_edit_leads(
    app: AppHandle,
    state: S<'_>,
    ids: Vec<String>,
    edit: BulkLeadEdit,
) -> ApiResult<usize> {
    let n = state.replica().await.bulk_edit_leads(&ids, &edit.into()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_bar_fields_leave_the_deals_as_they_are() {
        let edit: BulkDealEdit =
            serde_json::from_str(r#"{"owner":" mia ","expectedClose":"","team":"  ","stage":"Propose"}"#)
                .expect("shape");
        let (input, stage) = edit.split();
        assert_eq!(input.owner.as_deref(), Some("mia"));
        assert_eq!(input.expected_close, None, "a blank close date is not a change");
        assert_eq!(input.team, None, "a blank team is not a change (it would clear every team)");
        assert_eq!(input.stage, None, "the stage is a move, never an edit");
        assert_eq!(stage.as_deref(), Some("Propose"));
        let (nothing, no_move) = BulkDealEdit::default().split();
        assert_eq!((nothing, no_move), (DealInput::default(), None));
    }

    #[test]
    fn a_lead_edit_sets_only_owner_and_territory() {
        let edit: BulkLeadEdit = serde_json::from_str(r#"{"territory":" North "}"#).expect("shape");
        let input = LeadInput::from(edit);
        assert_eq!((input.owner, input.territory.as_deref()), (None, Some("North")));
        assert!(
            serde_json::from_str::<BulkLeadEdit>(r#"{"company":"x"}"#).is_err(),
            "a field the bar does not offer is refused, not ignored"
        );
    }
}
