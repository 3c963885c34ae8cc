//! Plain-text journal export that hledger and ledger-cli read.

use super::chart::Chart;
use super::entry::JournalEntry;
use std::fmt::Write as _;

/// Text safe inside an account name or a description: no tabs or runs of spaces (two spaces end
/// an account name), no ';' (starts a comment), no ':' in a name (separates sub-accounts).
fn clean(s: &str, allow_colon: bool) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.join(" ").replace(';', ",").replace(':', if allow_colon { ":" } else { "-" })
}

/// The ledger account name of a code: "Assets:Receivable (1200)".
pub fn ledger_account_name(chart: &Chart, code: &str) -> String {
    format!("{}:{} ({})", chart.kind_of(code).ledger_prefix(), clean(chart.name_of(code), false), clean(code, false))
}

/// Every entry as a hledger / ledger-cli journal transaction, sorted by date then reference:
/// `YYYY-MM-DD reference  memo`, then one posting a line with debits positive and credits negative.
pub fn to_ledger_text<'a>(chart: &Chart, entries: impl IntoIterator<Item = &'a JournalEntry>) -> String {
    let mut sorted: Vec<&JournalEntry> = entries.into_iter().collect();
    sorted.sort_by(|a, b| a.date().cmp(&b.date()).then_with(|| a.reference().cmp(b.reference())));
    let mut out = String::new();
    for (i, e) in sorted.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let memo = clean(e.memo(), true);
        let reference = clean(e.reference(), true);
        if memo.is_empty() {
            let _ = writeln!(out, "{} {reference}", e.date().format("%Y-%m-%d"));
        } else {
            let _ = writeln!(out, "{} {reference}  {memo}", e.date().format("%Y-%m-%d"));
        }
        let dp = e.currency().minor_units() as usize;
        let postings: Vec<(String, String)> = e
            .lines()
            .iter()
            .map(|l| (ledger_account_name(chart, &l.account), format!("{:.*}", dp, l.amount())))
            .collect();
        let name_width = postings.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0);
        let amount_width = postings.iter().map(|(_, a)| a.len()).max().unwrap_or(0);
        for (name, amount) in postings {
            let _ = writeln!(out, "    {name:<name_width$}  {amount:>amount_width$} {}", e.currency());
        }
    }
    out
}
