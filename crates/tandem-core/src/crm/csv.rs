//! CSV import of leads, accounts, contacts and deals, and CSV export of any list.
//!
//! The reader follows RFC 4180 (quoted fields, doubled quotes, CRLF or LF, line breaks inside
//! quotes) and accepts what spreadsheets write besides: a UTF-8 byte-order mark, and `;` or
//! tab as the separator (detected on the header row, as European Excel writes `;`). A quote
//! inside an unquoted field is kept as text.
//!
//! Rows are parsed into the same inputs the forms use ([`LeadInput`], [`AccountInput`],
//! [`ContactInput`], [`DealInput`], custom fields by their definitions), so an import refuses
//! exactly what a form refuses. An import is all or nothing: every bad value of every row is
//! reported as `line N, column "Email": …`, with the line a spreadsheet shows (the header is
//! line 1; a value with line breaks makes its row span several lines), and no row is returned
//! unless all are good.

use super::custom::{CustomValues, FieldDef, FieldKey};
use super::deal::{DealInput, NewDeal};
use super::lead::{LeadInput, NewLead};
use super::pipeline::Pipeline;
use super::{CrmEntity, UserName};
use crate::account::{AccountInput, NewAccount};
use crate::contact::{ContactInput, NewContact};
use crate::error::{FieldError, ValidationErrors};
use crate::id::{AccountId, ContactId, DealId, LeadId};
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

/// One problem of an import, where a user finds it in the spreadsheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportError {
    pub line: usize,
    /// The column's header, when the problem is in one column.
    #[serde(default)]
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column \"{c}\": {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every problem of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportErrors(pub Vec<ImportError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for ImportErrors {}

impl From<ImportError> for ImportErrors {
    fn from(e: ImportError) -> Self {
        Self(vec![e])
    }
}

/// One record of a CSV text and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
}

impl CsvRecord {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// The separator of the header row: the most frequent of `,` `;` and tab outside quotes.
fn detect_separator(text: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            _ if !quoted => {
                for (sep, n) in counts.iter_mut() {
                    if c == *sep {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts.iter().max_by_key(|(sep, n)| (*n, *sep == ',')).map_or(',', |(s, _)| *s)
}

/// Reads CSV text into records (see the module doc).
pub fn read(text: &str) -> Result<Vec<CsvRecord>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sep = detect_separator(text);
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (1usize, 1usize);
    let (mut in_quotes, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    let mut end_record = |fields: &mut Vec<String>, field: &mut String, start: usize| {
        fields.push(std::mem::take(field));
        records.push(CsvRecord { line: start, fields: std::mem::take(fields) });
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
            }
            c if c == sep => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                end_record(&mut fields, &mut field, start_line);
                was_quoted = false;
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(ImportError {
            line: start_line,
            column: None,
            message: "a quoted value is not closed (a '\"' is missing)".into(),
        });
    }
    if !field.is_empty() || !fields.is_empty() || was_quoted {
        end_record(&mut fields, &mut field, start_line);
    }
    Ok(records)
}

fn quote_if_needed(f: &str, alone: bool) -> String {
    let needs = f.contains([',', ';', '\t', '"', '\n', '\r'])
        || f.starts_with(char::is_whitespace)
        || f.ends_with(char::is_whitespace)
        || (alone && f.is_empty());
    if needs {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_owned()
    }
}

/// Writes a header and rows as CSV (comma-separated, CRLF line ends), quoting a value when it
/// holds a separator, a quote or a line break, or starts or ends with a space.
pub fn export(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut write = |cells: Vec<&str>| {
        let alone = cells.len() == 1;
        let line: Vec<String> = cells.iter().map(|c| quote_if_needed(c, alone)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    write(header.to_vec());
    for r in rows {
        write(r.iter().map(String::as_str).collect());
    }
    out
}

/// Where a column goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "name")]
pub enum Target {
    /// A built-in field of the entity (see [`fields_of`]).
    Field(String),
    Custom(FieldKey),
}

/// Which column goes where (`None`: ignored), in header order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub entity: CrmEntity,
    pub headers: Vec<String>,
    pub columns: Vec<Option<Target>>,
}

/// The built-in fields an import of `entity` can fill, with the header names (normalised:
/// lower case, letters and digits only) that suggest them.
pub fn fields_of(entity: CrmEntity) -> &'static [(&'static str, &'static [&'static str])] {
    const COMPANY: &[&str] = &[
        "company",
        "companyname",
        "account",
        "accountname",
        "organisation",
        "organization",
        "org",
        "firm",
        "business",
        "firma",
    ];
    const PERSON: &[&str] = &["name", "fullname", "contact", "contactname", "person", "leadname"];
    const FIRST: &[&str] = &["firstname", "givenname", "forename", "vorname"];
    const LAST: &[&str] = &["lastname", "surname", "familyname", "nachname"];
    const EMAIL: &[&str] = &["email", "emailaddress", "mail", "emailadresse"];
    const PHONE: &[&str] = &["phone", "telephone", "tel", "phonenumber", "mobile", "cell", "telefon"];
    const VAT: &[&str] = &["vat", "vatid", "vatnumber", "taxid", "ustid", "ustidnr"];
    const CITY: &[&str] = &["city", "town", "ort", "stadt"];
    const TERRITORY: &[&str] = &["territory", "region", "area", "salesterritory"];
    const OWNER: &[&str] =
        &["owner", "leadowner", "dealowner", "accountowner", "contactowner", "salesrep", "rep", "assignedto"];
    const TAGS: &[&str] = &["tags", "tag", "labels", "label", "keywords"];
    match entity {
        CrmEntity::Lead => &[
            ("company", COMPANY),
            ("person", PERSON),
            ("first_name", FIRST),
            ("last_name", LAST),
            ("email", EMAIL),
            ("phone", PHONE),
            ("vat_id", VAT),
            ("city", CITY),
            ("source", &["source", "leadsource", "origin", "channel"]),
            ("owner", OWNER),
            ("territory", TERRITORY),
        ],
        CrmEntity::Account => &[
            (
                "name",
                &[
                    "name",
                    "company",
                    "companyname",
                    "account",
                    "accountname",
                    "organisation",
                    "organization",
                    "org",
                    "firm",
                ],
            ),
            ("vat_id", VAT),
            ("email", EMAIL),
            ("phone", PHONE),
            ("city", CITY),
            ("territory", TERRITORY),
            ("owner", OWNER),
            ("tags", TAGS),
        ],
        CrmEntity::Contact => &[
            ("name", PERSON),
            ("first_name", FIRST),
            ("last_name", LAST),
            ("email", EMAIL),
            ("phone", PHONE),
            ("account", COMPANY),
            ("owner", OWNER),
            ("tags", TAGS),
        ],
        CrmEntity::Deal => &[
            ("name", &["name", "dealname", "deal", "opportunity", "opportunityname", "title"]),
            (
                "account",
                &["account", "accountname", "company", "companyname", "organisation", "organization", "customer"],
            ),
            ("amount", &["amount", "value", "dealvalue", "revenue", "betrag"]),
            ("currency", &["currency", "curr", "wahrung"]),
            ("expected_close", &["expectedclose", "expectedclosedate", "closedate", "close", "closingdate"]),
            ("stage", &["stage", "dealstage", "salesstage", "phase", "status"]),
            ("owner", OWNER),
            ("team", &["team", "salesteam"]),
            ("lost_reason", &["lostreason", "reasonlost", "lossreason"]),
        ],
    }
}

fn normalise_header(h: &str) -> String {
    h.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A mapping suggested from the header names (case, spaces and punctuation ignored, with
/// synonyms such as "Organisation" for the company); custom fields match their key or label.
/// Each field takes the first column that suggests it.
pub fn suggest_mapping(headers: &[String], entity: CrmEntity, defs: &[FieldDef]) -> ColumnMapping {
    let mut used: Vec<Target> = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let n = normalise_header(h);
            let std = fields_of(entity)
                .iter()
                .find(|(name, syn)| normalise_header(name) == n || syn.contains(&n.as_str()))
                .map(|(name, _)| Target::Field((*name).to_owned()));
            let custom = || {
                defs.iter()
                    .filter(|d| d.entity == entity)
                    .find(|d| normalise_header(d.key.as_str()) == n || normalise_header(d.label.as_str()) == n)
                    .map(|d| Target::Custom(d.key.clone()))
            };
            let t = custom().or(std).filter(|t| !used.contains(t));
            if let Some(t) = &t {
                used.push(t.clone());
            }
            t
        })
        .collect();
    ColumnMapping { entity, headers: headers.to_vec(), columns }
}

/// What an import needs besides the text.
pub struct ImportContext<'a> {
    pub defs: &'a [FieldDef],
    /// The currency of amounts without one.
    pub company: Currency,
    /// The owner of leads and deals whose row names none.
    pub default_owner: Option<&'a UserName>,
    /// The pipeline deals are imported into.
    pub pipeline: Option<&'a Pipeline>,
    /// The account of a company name (contacts and deals name their account).
    pub find_account: &'a (dyn Fn(&str) -> Option<AccountId> + Sync),
}

impl fmt::Debug for ImportContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportContext")
            .field("defs", &self.defs.len())
            .field("company", &self.company)
            .field("default_owner", &self.default_owner)
            .field("pipeline", &self.pipeline.map(|p| p.name.to_string()))
            .finish_non_exhaustive()
    }
}

/// A parsed row, ready for the entity's create rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "entity", content = "record")]
pub enum ImportRecord {
    Lead(NewLead),
    Account(NewAccount),
    Contact(NewContact),
    Deal(NewDeal),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRow {
    pub line: usize,
    pub record: ImportRecord,
    /// The row's custom values (for leads and deals also inside the record; accounts and
    /// contacts keep them beside it).
    pub custom: CustomValues,
    /// An account's or contact's owner and tags (their profile), when the file has them.
    #[serde(default)]
    pub owner: Option<super::UserName>,
    #[serde(default)]
    pub tags: Vec<super::profile::Tag>,
}

fn required_fields(entity: CrmEntity) -> &'static [&'static str] {
    match entity {
        CrmEntity::Lead => &["company"],
        CrmEntity::Account => &["name"],
        CrmEntity::Contact => &["name", "account"],
        CrmEntity::Deal => &["name", "account", "amount", "expected_close"],
    }
}

/// Refuses a mapping that cannot make valid rows (line 1 is the header).
fn check_mapping(mapping: &ColumnMapping, header: &[String], ctx: &ImportContext<'_>) -> Result<(), ImportErrors> {
    let mut errors = Vec::new();
    let at_header = |message: String| ImportError { line: 1, column: None, message };
    if mapping.headers.len() != header.len() || mapping.columns.len() != header.len() {
        errors.push(at_header(format!(
            "the mapping is for {} columns, the file has {}: map the columns again",
            mapping.columns.len(),
            header.len()
        )));
        return Err(ImportErrors(errors));
    }
    let mapped = |f: &str| mapping.columns.iter().any(|t| *t == Some(Target::Field(f.to_owned())));
    for f in required_fields(mapping.entity) {
        let by_parts =
            *f == "name" && mapping.entity == CrmEntity::Contact && (mapped("first_name") || mapped("last_name"));
        if !mapped(f) && !by_parts {
            errors.push(at_header(format!("no column is mapped to {f}, which every {} needs", mapping.entity)));
        }
    }
    if matches!(mapping.entity, CrmEntity::Lead | CrmEntity::Deal) && !mapped("owner") && ctx.default_owner.is_none() {
        errors.push(at_header(
            "no column is mapped to owner: map one or choose the owner of the imported records".into(),
        ));
    }
    if mapping.entity == CrmEntity::Deal && ctx.pipeline.is_none() {
        errors.push(at_header("deals are imported into a pipeline: choose one".into()));
    }
    for (i, t) in mapping.columns.iter().enumerate() {
        match t {
            Some(Target::Field(f)) if !fields_of(mapping.entity).iter().any(|(n, _)| n == f) => {
                errors.push(ImportError {
                    line: 1,
                    column: Some(header[i].clone()),
                    message: format!("{f} is not a field of {} records", mapping.entity),
                })
            }
            Some(Target::Custom(k)) if !ctx.defs.iter().any(|d| d.entity == mapping.entity && d.key == *k) => errors
                .push(ImportError {
                    line: 1,
                    column: Some(header[i].clone()),
                    message: format!("{k} is not a custom field of {} records", mapping.entity),
                }),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportErrors(errors))
    }
}

/// The cells of a row by target, and the column each came from.
struct Row<'r> {
    std: BTreeMap<&'r str, (&'r str, &'r str)>,
    custom: BTreeMap<String, String>,
    /// Error field name (a field, or a custom field's label) → column header.
    columns: BTreeMap<String, String>,
}

impl<'r> Row<'r> {
    fn get(&self, f: &str) -> Option<String> {
        self.std.get(f).map(|(_, v)| (*v).to_owned())
    }
}

fn row_of<'r>(mapping: &'r ColumnMapping, rec: &'r CsvRecord, defs: &[FieldDef]) -> Row<'r> {
    let mut row = Row { std: BTreeMap::new(), custom: BTreeMap::new(), columns: BTreeMap::new() };
    for (i, t) in mapping.columns.iter().enumerate() {
        let header = mapping.headers[i].as_str();
        let value = rec.fields.get(i).map_or("", String::as_str);
        match t {
            Some(Target::Field(f)) => {
                row.std.insert(f.as_str(), (header, value));
                row.columns.insert(f.clone(), header.to_owned());
            }
            Some(Target::Custom(k)) => {
                row.custom.insert(k.to_string(), value.to_owned());
                row.columns.insert(k.to_string(), header.to_owned());
                if let Some(d) = defs.iter().find(|d| d.entity == mapping.entity && d.key == *k) {
                    row.columns.insert(d.label.to_string(), header.to_owned());
                }
            }
            None => {}
        }
    }
    // "First name" and "Last name" columns make the person's name.
    if !row.std.contains_key("person") && !row.std.contains_key("name") {
        let parts: Vec<String> =
            ["first_name", "last_name"].iter().filter_map(|f| row.get(f)).filter(|s| !s.trim().is_empty()).collect();
        if let Some(col) = ["first_name", "last_name"].iter().find_map(|f| row.columns.get(*f).cloned()) {
            let target = if mapping.entity == CrmEntity::Lead { "person" } else { "name" };
            row.columns.insert(target.to_owned(), col);
            row.custom.insert(format!("\u{0}{target}"), parts.join(" "));
        }
    }
    row
}

/// The combined first + last name, if the row has one.
fn joined_name(row: &Row<'_>, target: &str) -> Option<String> {
    row.custom.get(&format!("\u{0}{target}")).cloned()
}

fn custom_only(row: &Row<'_>) -> BTreeMap<String, String> {
    row.custom.iter().filter(|(k, _)| !k.starts_with('\u{0}')).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn parse_row(
    mapping: &ColumnMapping,
    rec: &CsvRecord,
    ctx: &ImportContext<'_>,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<ParsedRow, Vec<ImportError>> {
    let row = row_of(mapping, rec, ctx.defs);
    let to_import = |errs: ValidationErrors| -> Vec<ImportError> {
        errs.0
            .into_iter()
            .map(|FieldError { field, message }| ImportError {
                line: rec.line,
                column: Some(row.columns.get(&field).cloned().unwrap_or(field)),
                message,
            })
            .collect()
    };
    let owner =
        || row.get("owner").filter(|o| !o.trim().is_empty()).or_else(|| ctx.default_owner.map(ToString::to_string));
    let custom_raw = custom_only(&row);
    let custom = CustomValues::parse(ctx.defs, mapping.entity, &custom_raw);
    let account_of = |field: &str| -> Result<AccountId, Vec<ImportError>> {
        let name = row.get(field).unwrap_or_default();
        let column = row.columns.get(field).cloned();
        if name.trim().is_empty() {
            return Err(vec![ImportError { line: rec.line, column, message: "is required".into() }]);
        }
        (ctx.find_account)(name.trim()).ok_or_else(|| {
            vec![ImportError { line: rec.line, column, message: format!("no account is named {:?}", name.trim()) }]
        })
    };
    let record = match mapping.entity {
        CrmEntity::Lead => {
            let input = LeadInput {
                company: row.get("company"),
                person: row.get("person").or_else(|| joined_name(&row, "person")),
                email: row.get("email"),
                phone: row.get("phone"),
                vat_id: row.get("vat_id"),
                city: row.get("city"),
                source: row.get("source"),
                owner: owner(),
                territory: row.get("territory"),
                custom: custom_raw.clone(),
            };
            ImportRecord::Lead(NewLead::parse(LeadId::from_uuid(new_id()), &input, ctx.defs).map_err(to_import)?)
        }
        CrmEntity::Account => {
            let input = AccountInput {
                name: row.get("name"),
                vat_id: row.get("vat_id"),
                email: row.get("email"),
                phone: row.get("phone"),
                city: row.get("city"),
                territory: row.get("territory"),
            };
            let parsed = NewAccount::parse(AccountId::from_uuid(new_id()), &input);
            match (parsed, &custom) {
                (Ok(a), Ok(_)) => ImportRecord::Account(a),
                (a, c) => {
                    let mut all = a.err().unwrap_or_default();
                    all.0.extend(c.clone().err().unwrap_or_default().0);
                    return Err(to_import(all));
                }
            }
        }
        CrmEntity::Contact => {
            let account = account_of("account");
            let input = ContactInput {
                name: row.get("name").or_else(|| joined_name(&row, "name")),
                email: row.get("email"),
                phone: row.get("phone"),
            };
            let id = ContactId::from_uuid(new_id());
            let parsed = NewContact::parse(id, account.clone().unwrap_or(AccountId::from_uuid(Uuid::nil())), &input);
            let mut errors = account.err().unwrap_or_default();
            if let Err(e) = &parsed {
                errors.extend(to_import(e.clone()));
            }
            if let Err(e) = &custom {
                errors.extend(to_import(e.clone()));
            }
            match parsed {
                Ok(c) if errors.is_empty() => ImportRecord::Contact(c),
                _ => return Err(errors),
            }
        }
        CrmEntity::Deal => {
            let Some(pipeline) = ctx.pipeline else {
                return Err(vec![ImportError {
                    line: 1,
                    column: None,
                    message: "deals are imported into a pipeline".into(),
                }]);
            };
            let account = account_of("account");
            let input = DealInput {
                name: row.get("name"),
                amount: row.get("amount"),
                currency: row.get("currency"),
                expected_close: row.get("expected_close"),
                stage: row.get("stage"),
                owner: owner(),
                team: row.get("team"),
                lost_reason: row.get("lost_reason"),
                custom: custom_raw.clone(),
            };
            let id = DealId::from_uuid(new_id());
            let account_id = account.clone().unwrap_or(AccountId::from_uuid(Uuid::nil()));
            let parsed = NewDeal::parse(id, account_id, None, pipeline, &input, ctx.defs, ctx.company);
            let mut errors = account.err().unwrap_or_default();
            if let Err(e) = &parsed {
                errors.extend(to_import(e.clone()));
            }
            match parsed {
                Ok(d) if errors.is_empty() => ImportRecord::Deal(d),
                _ => return Err(errors),
            }
        }
    };
    let custom = custom.map_err(to_import)?;
    let (mut owner, mut tags) = (None, Vec::new());
    if matches!(mapping.entity, CrmEntity::Account | CrmEntity::Contact) {
        let mut errors = ValidationErrors::default();
        owner = row.get("owner").filter(|o| !o.trim().is_empty()).and_then(|o| errors.take(super::UserName::parse(&o)));
        tags = row.get("tags").and_then(|t| errors.take(super::profile::parse_tags(&t))).unwrap_or_default();
        if !errors.is_empty() {
            return Err(to_import(errors));
        }
    }
    Ok(ParsedRow { line: rec.line, record, custom, owner, tags })
}

fn header_and_rows(text: &str) -> Result<(Vec<String>, Vec<CsvRecord>), ImportErrors> {
    let mut records = read(text).map_err(ImportErrors::from)?.into_iter();
    let header = records.next().ok_or_else(|| {
        ImportErrors::from(ImportError { line: 1, column: None, message: "the file is empty".into() })
    })?;
    Ok((header.fields, records.filter(|r| !r.is_blank()).collect()))
}

fn check_width(rec: &CsvRecord, header: &[String]) -> Option<ImportError> {
    (rec.fields.len() > header.len()).then(|| ImportError {
        line: rec.line,
        column: None,
        message: format!("{} values, but the header has {} columns", rec.fields.len(), header.len()),
    })
}

/// The header names of a CSV text (to suggest a mapping).
pub fn headers(text: &str) -> Result<Vec<String>, ImportErrors> {
    header_and_rows(text).map(|(h, _)| h)
}

/// One row as a preview shows it: its cells and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub errors: Vec<ImportError>,
}

/// The first `n` rows, each with its problems, so the user can fix the mapping before
/// importing. A mapping that cannot work is refused as a whole.
pub fn preview(
    text: &str,
    mapping: &ColumnMapping,
    ctx: &ImportContext<'_>,
    n: usize,
) -> Result<Vec<PreviewRow>, ImportErrors> {
    let (header, rows) = header_and_rows(text)?;
    check_mapping(mapping, &header, ctx)?;
    let mut nil = Uuid::nil;
    Ok(rows
        .iter()
        .take(n)
        .map(|r| {
            let errors = match check_width(r, &header) {
                Some(e) => vec![e],
                None => parse_row(mapping, r, ctx, &mut nil).err().unwrap_or_default(),
            };
            PreviewRow { line: r.line, cells: r.fields.clone(), errors }
        })
        .collect())
}

/// Parses every row, all or nothing (see the module doc). `new_id` makes the id of each record.
pub fn parse_all(
    text: &str,
    mapping: &ColumnMapping,
    ctx: &ImportContext<'_>,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<Vec<ParsedRow>, ImportErrors> {
    let (header, rows) = header_and_rows(text)?;
    check_mapping(mapping, &header, ctx)?;
    let mut errors = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(e) = check_width(r, &header) {
            errors.push(e);
            continue;
        }
        match parse_row(mapping, r, ctx, new_id) {
            Ok(p) => parsed.push(p),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ImportErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::custom::{FieldKind, FieldLabel};
    use crate::crm::testkit::*;
    use crate::id::FieldDefId;
    use proptest::prelude::*;

    fn ids() -> impl FnMut() -> Uuid {
        let mut n = 0u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    fn no_accounts(_: &str) -> Option<AccountId> {
        None
    }

    fn acme(name: &str) -> Option<AccountId> {
        (name.eq_ignore_ascii_case("ACME GmbH")).then(|| account_id(1))
    }

    fn owner() -> UserName {
        user("anna")
    }

    fn ctx<'a>(
        defs: &'a [FieldDef],
        owner: &'a UserName,
        pipeline: Option<&'a Pipeline>,
        find: &'a (dyn Fn(&str) -> Option<AccountId> + Sync),
    ) -> ImportContext<'a> {
        ImportContext { defs, company: Currency::EUR, default_owner: Some(owner), pipeline, find_account: find }
    }

    fn tier() -> Vec<FieldDef> {
        vec![FieldDef {
            id: FieldDefId::from_uuid(Uuid::from_u128(1)),
            entity: CrmEntity::Lead,
            key: FieldKey::parse("tier").expect("k"),
            label: FieldLabel::parse("Customer tier").expect("l"),
            kind: FieldKind::Choice { options: vec!["Gold".into(), "Silver".into()] },
            required: false,
        }]
    }

    #[test]
    fn the_reader_handles_quotes_newlines_bom_and_semicolons() {
        let text = "\u{feff}Name;Notes\r\n\"ACME; GmbH\";\"said \"\"hi\"\"\r\nthen left\"\r\nBeta;plain\n";
        let recs = read(text).expect("csv");
        assert_eq!(recs[0].fields, ["Name", "Notes"]);
        assert_eq!(recs[1].fields, ["ACME; GmbH", "said \"hi\"\r\nthen left"]);
        assert_eq!((recs[1].line, recs[2].line), (2, 4), "the quoted line break makes row 2 span lines 2 and 3");
        let e = read("a,b\n\"open,x\n").expect_err("unclosed");
        assert_eq!(e.to_string(), "line 2: a quoted value is not closed (a '\"' is missing)");
    }

    #[test]
    fn a_mapping_is_suggested_from_headers_and_synonyms() {
        let headers: Vec<String> = [
            "Organisation",
            "First Name",
            "last_name",
            "E-Mail",
            "Tel.",
            "Lead Source",
            "Customer Tier",
            "Notes",
            "Company",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let m = suggest_mapping(&headers, CrmEntity::Lead, &tier());
        let f = |s: &str| Some(Target::Field(s.to_owned()));
        assert_eq!(
            m.columns,
            [
                f("company"),
                f("first_name"),
                f("last_name"),
                f("email"),
                f("phone"),
                f("source"),
                Some(Target::Custom(FieldKey::parse("tier").expect("k"))),
                None,
                None
            ],
            "the second company column is left for the user to decide"
        );
    }

    #[test]
    fn an_import_is_all_or_nothing_and_names_line_and_column() {
        let text = "Company,First name,Last name,Email,Customer tier,Notes\n\
ACME GmbH,Anna,Berg,anna@acme.de,gold\n\
\"Beta, Ltd\",Bo,Lind,not-an-email,Gold,\"call\nback\"\n\
Gamma,Cy,,cy@gamma.io,Platinum\n\
\n\
,,,x@y.de,\n";
        let defs = tier();
        let o = owner();
        let c = ctx(&defs, &o, None, &no_accounts);
        let m = suggest_mapping(&headers(text).expect("h"), CrmEntity::Lead, &defs);
        let e = parse_all(text, &m, &c, &mut ids()).expect_err("bad rows");
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "line 3, column \"Email\": \"not-an-email\" is not an e-mail address: missing '@'",
                "line 5, column \"Customer tier\": \"Platinum\" is not one of: Gold, Silver",
                "line 7, column \"Company\": is required",
            ]
        );
        let good = "Company,First name,Last name,Email,Customer tier,Notes\nACME GmbH,Anna,Berg,anna@acme.de,gold\n";
        let rows = parse_all(good, &m, &c, &mut ids()).expect("all good");
        let ImportRecord::Lead(l) = &rows[0].record else { panic!("a lead") };
        assert_eq!((l.person.as_ref().map(ToString::to_string), l.owner.as_str()), (Some("Anna Berg".into()), "anna"));
        assert_eq!(l.custom.get("tier").map(ToString::to_string), Some("Gold".into()));
    }

    #[test]
    fn contacts_and_deals_find_their_account_by_name() {
        let o = owner();
        let p = enterprise();
        let text = "Deal,Account,Amount,Close date,Stage\nChairs,ACME GmbH,1200.50,2026-12-01,Propose\nDesks,Nobody Inc,10,12/01/2026,Won2\n";
        let c = ctx(&[], &o, Some(&p), &acme);
        let m = suggest_mapping(&headers(text).expect("h"), CrmEntity::Deal, &[]);
        let e = parse_all(text, &m, &c, &mut ids()).expect_err("row 3");
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "line 3, column \"Account\": no account is named \"Nobody Inc\"",
                "line 3, column \"Close date\": \"12/01/2026\" is not a date (use YYYY-MM-DD)",
                "line 3, column \"Stage\": stage \"Won2\" is not in pipeline \"Enterprise\" (stages: Qualify, Propose, Negotiate, Won, Lost)",
            ]
        );
        let preview = preview(text, &m, &c, 5).expect("preview");
        assert_eq!((preview[0].errors.len(), preview[1].errors.len()), (0, 3));

        let contacts = "Name,Company,Phone\nAnna Berg,ACME GmbH,+49 30 1234567\n";
        let m = suggest_mapping(&headers(contacts).expect("h"), CrmEntity::Contact, &[]);
        let rows = parse_all(contacts, &m, &c, &mut ids()).expect("ok");
        let ImportRecord::Contact(ct) = &rows[0].record else { panic!("a contact") };
        assert_eq!(ct.account_id, account_id(1));
    }

    #[test]
    fn a_mapping_that_cannot_work_is_refused_at_the_header() {
        let o = owner();
        let text = "Email,Phone\na@b.de,12345\n";
        let m = suggest_mapping(&headers(text).expect("h"), CrmEntity::Account, &[]);
        let c = ctx(&[], &o, None, &no_accounts);
        let e = parse_all(text, &m, &c, &mut ids()).expect_err("no name");
        assert_eq!(e.to_string(), "line 1: no column is mapped to name, which every account needs");
        let wide = "Name\nA,B\n";
        let m = suggest_mapping(&headers(wide).expect("h"), CrmEntity::Account, &[]);
        assert_eq!(
            parse_all(wide, &m, &c, &mut ids()).expect_err("wide").to_string(),
            "line 2: 2 values, but the header has 1 columns"
        );
    }

    #[test]
    fn export_quotes_only_when_needed() {
        let out = export(
            &["Name", "Note"],
            &[vec!["ACME, Inc".into(), "plain".into()], vec![" padded".into(), "say \"hi\"".into()]],
        );
        assert_eq!(out, "Name,Note\r\n\"ACME, Inc\",plain\r\n\" padded\",\"say \"\"hi\"\"\"\r\n");
    }

    proptest! {
        /// What `export` writes, `read` reads back unchanged.
        #[test]
        fn export_then_read_round_trips(
            width in 1usize..4,
            cells in proptest::collection::vec("[a-zA-Z0-9 ,;\"\\r\\n\\t]{0,6}", 0..24),
        ) {
            let header: Vec<String> = (0..width).map(|i| format!("col{i}")).collect();
            let rows: Vec<Vec<String>> = cells.chunks(width).filter(|c| c.len() == width).map(<[String]>::to_vec).collect();
            let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
            let text = export(&hdr, &rows);
            let back = read(&text).expect("reads");
            let fields: Vec<Vec<String>> = back.into_iter().map(|r| r.fields).collect();
            let mut want = vec![header.clone()];
            want.extend(rows);
            prop_assert_eq!(fields, want);
        }
    }
}
