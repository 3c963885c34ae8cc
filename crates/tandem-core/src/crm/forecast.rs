//! The sales forecast: deals by month or quarter, per owner or per team, in the company currency.
//!
//! Figures follow Salesforce's cumulative forecast categories:
//! - **closed won**: the amount of won deals;
//! - **commit**: closed won + open deals in a stage of category *commit*;
//! - **best case**: commit + open deals in a stage of category *best case*;
//! - **open pipeline**: every open deal not *omitted*;
//! - **weighted**: Σ amount × stage probability over the same open deals.
//!
//! Lost deals and open deals in an *omitted* stage count nowhere. A won deal counts in the
//! period of the day it was won; an open deal in the period of its expected close. Each deal's
//! amount is converted on that day with the caller's rate function and rounded to the company
//! currency's minor unit ([`FxRate::convert`]) before anything is added, and weighted amounts
//! are rounded per deal too, so every row is a sum of rounded figures: the owners' or teams'
//! rows of a period add up exactly to its totals row.

use super::deal::Deal;
use super::pipeline::{ForecastCategory, Outcome, Pipeline};
use super::{invalid, Team, UserName};
use crate::error::RuleError;
use crate::money::{Currency, FxRate};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Month,
    Quarter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Owner,
    Team,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastOptions {
    pub granularity: Granularity,
    pub group_by: GroupBy,
    /// The currency of the figures.
    pub company: Currency,
    /// The month (1–12) the fiscal year starts in; quarters follow it. With 1 quarters are
    /// calendar quarters ("2026-Q4"), otherwise named by the fiscal year they start in
    /// ("FY2026-Q3" for October 2026 when the year starts in April).
    pub fiscal_year_start: u32,
}

/// A month or a quarter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first day (rows sort by it).
    pub start: NaiveDate,
    /// "2026-11", "2026-Q4", "FY2026-Q3".
    pub label: String,
}

/// Whose figures a row holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "group", content = "name")]
pub enum RowGroup {
    Owner(UserName),
    /// `None`: deals without a team.
    Team(Option<Team>),
    /// Everyone: the period's totals row.
    Total,
}

/// The figures of one row, in the company currency (see the module doc).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    pub open_pipeline: Decimal,
    pub weighted: Decimal,
    pub best_case: Decimal,
    pub commit: Decimal,
    pub closed_won: Decimal,
    pub open_deals: u32,
    pub won_deals: u32,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.open_pipeline += o.open_pipeline;
        self.weighted += o.weighted;
        self.best_case += o.best_case;
        self.commit += o.commit;
        self.closed_won += o.closed_won;
        self.open_deals += o.open_deals;
        self.won_deals += o.won_deals;
    }

    fn rounded(mut self, c: Currency) -> Self {
        for v in
            [&mut self.open_pipeline, &mut self.weighted, &mut self.best_case, &mut self.commit, &mut self.closed_won]
        {
            *v = c.round(*v);
        }
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastRow {
    pub period: Period,
    pub group: RowGroup,
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    pub currency: Currency,
    /// By period; within one, groups by name (no team last), then the totals row.
    pub rows: Vec<ForecastRow>,
}

impl Forecast {
    /// The totals row of each period, in order.
    pub fn totals(&self) -> impl Iterator<Item = &ForecastRow> {
        self.rows.iter().filter(|r| r.group == RowGroup::Total)
    }
}

/// The period `date` falls in.
pub fn period_of(date: NaiveDate, granularity: Granularity, fiscal_year_start: u32) -> Period {
    match granularity {
        Granularity::Month => {
            Period { start: date.with_day(1).unwrap_or(date), label: date.format("%Y-%m").to_string() }
        }
        Granularity::Quarter => {
            let fy = fiscal_year_start.clamp(1, 12);
            let offset = (date.month() + 12 - fy) % 12;
            let q = offset / 3 + 1;
            let fiscal_year = if date.month() >= fy { date.year() } else { date.year() - 1 };
            let start_month = (fy - 1 + (q - 1) * 3) % 12 + 1;
            let start_year = if start_month < fy { fiscal_year + 1 } else { fiscal_year };
            let label = if fy == 1 { format!("{fiscal_year}-Q{q}") } else { format!("FY{fiscal_year}-Q{q}") };
            Period { start: NaiveDate::from_ymd_opt(start_year, start_month, 1).unwrap_or(date), label }
        }
    }
}

/// The forecast of `deals` (see the module doc). `rate` gives the company-currency value of one
/// unit of a currency on a day; a missing rate is refused naming the currency and the day.
pub fn forecast(
    deals: &[Deal],
    pipelines: &[Pipeline],
    options: &ForecastOptions,
    rate: impl Fn(Currency, NaiveDate) -> Option<FxRate>,
) -> Result<Forecast, RuleError> {
    if !(1..=12).contains(&options.fiscal_year_start) {
        return Err(invalid("fiscal_year_start", format!("{} is not a month (1 to 12)", options.fiscal_year_start)));
    }
    let company = options.company;
    let mut table: BTreeMap<Period, BTreeMap<(bool, RowGroup), Figures>> = BTreeMap::new();
    for deal in deals {
        let pipeline = pipelines
            .iter()
            .find(|p| p.id == deal.pipeline)
            .ok_or_else(|| RuleError::NotFound { entity: "pipeline", id: deal.pipeline.to_string() })?;
        let stage = deal.stage_in(pipeline)?;
        let won = stage.outcome == Outcome::Won;
        let counted = match stage.outcome {
            Outcome::Lost => false,
            Outcome::Won => true,
            Outcome::Open => stage.forecast_category != ForecastCategory::Omitted,
        };
        if !counted {
            continue;
        }
        let date = if won { deal.closed_on.unwrap_or(deal.expected_close) } else { deal.expected_close };
        let currency = deal.amount.currency;
        let amount = if currency == company {
            company.round(deal.amount.amount)
        } else {
            let r = rate(currency, date).ok_or(RuleError::MissingRate { currency, date })?;
            r.convert(deal.amount.amount, company)
        };
        let mut f = Figures::default();
        if won {
            f.closed_won = amount;
            f.commit = amount;
            f.best_case = amount;
            f.won_deals = 1;
        } else {
            f.open_pipeline = amount;
            f.weighted = company.round(stage.probability.of(amount));
            f.open_deals = 1;
            match stage.forecast_category {
                ForecastCategory::Commit => {
                    f.commit = amount;
                    f.best_case = amount;
                }
                ForecastCategory::BestCase => f.best_case = amount,
                _ => {}
            }
        }
        let group = match options.group_by {
            GroupBy::Owner => (false, RowGroup::Owner(deal.owner.clone())),
            GroupBy::Team => (deal.team.is_none(), RowGroup::Team(deal.team.clone())),
        };
        let period = period_of(date, options.granularity, options.fiscal_year_start);
        table.entry(period).or_default().entry(group).or_default().add(&f);
    }
    let mut rows = Vec::new();
    for (period, groups) in table {
        let mut total = Figures::default();
        for ((_, group), figures) in groups {
            total.add(&figures);
            rows.push(ForecastRow { period: period.clone(), group, figures: figures.rounded(company) });
        }
        rows.push(ForecastRow { period, group: RowGroup::Total, figures: total.rounded(company) });
    }
    Ok(Forecast { currency: company, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::deal::{move_to, LostReason};
    use crate::crm::testkit::*;
    use crate::money::Money;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    fn opts(g: Granularity, by: GroupBy) -> ForecastOptions {
        ForecastOptions { granularity: g, group_by: by, company: Currency::EUR, fiscal_year_start: 1 }
    }

    fn usd_rate(c: Currency, _: NaiveDate) -> Option<FxRate> {
        (c == Currency::USD).then(|| FxRate::parse("0.9").expect("rate"))
    }

    #[test]
    fn figures_follow_the_forecast_categories() {
        let p = enterprise();
        let mut won = deal(&p, 1, "Won", "1000", None, "anna");
        move_to(&mut won, &p, "Won", day("2026-11-20"), None).expect("won");
        let mut lost = deal(&p, 2, "Lost", "9999", None, "anna");
        move_to(&mut lost, &p, "Lost", day("2026-11-20"), Some(LostReason::parse("price").expect("r"))).expect("lost");
        let mut usd = deal(&p, 6, "US deal", "1000", Some("Propose"), "bob");
        usd.amount = Money::new(d("1000"), Currency::USD);
        let deals = vec![
            won,
            lost,
            deal(&p, 3, "Commit", "2000", Some("Negotiate"), "anna"), // 80 %
            deal(&p, 4, "Best", "3000", Some("Propose"), "anna"),     // 50 %
            deal(&p, 5, "Early", "4000.01", Some("Qualify"), "bob"),  // 10 %
            usd,                                                      // 900 EUR, 50 %
        ];
        let f = forecast(&deals, &[p], &opts(Granularity::Month, GroupBy::Owner), usd_rate).expect("forecast");
        let labels: Vec<(String, String)> =
            f.rows.iter().map(|r| (r.period.label.clone(), format!("{:?}", r.group))).collect();
        assert_eq!(labels.len(), 5, "{labels:?}");
        let anna_dec = &f.rows[2].figures;
        assert_eq!(f.rows[2].group, RowGroup::Owner(UserName::parse("anna").expect("n")));
        assert_eq!(
            (anna_dec.open_pipeline, anna_dec.weighted, anna_dec.commit, anna_dec.best_case),
            (d("5000.00"), d("3100.00"), d("2000.00"), d("5000.00"))
        );
        let nov_total = &f.rows[1].figures;
        assert_eq!(f.rows[1].period.label, "2026-11");
        assert_eq!(
            (nov_total.closed_won, nov_total.commit, nov_total.best_case, nov_total.won_deals),
            (d("1000.00"), d("1000.00"), d("1000.00"), 1),
            "won in November counts in November; the lost deal nowhere"
        );
        let dec_total = &f.rows[4].figures;
        assert_eq!(
            (dec_total.open_pipeline, dec_total.weighted, dec_total.open_deals),
            (d("9900.01"), d("3950.00"), 4),
            "bob: 4000.01 × 10 % = 400.00 and 900 × 50 % = 450.00"
        );
    }

    #[test]
    fn a_missing_rate_names_the_currency_and_the_day() {
        let p = enterprise();
        let mut usd = deal(&p, 1, "US deal", "1000", None, "bob");
        usd.amount = Money::new(d("1000"), Currency::USD);
        let e = forecast(&[usd], &[p], &opts(Granularity::Month, GroupBy::Owner), |_, _| None).expect_err("no rate");
        assert_eq!(e.to_string(), "no USD rate for 2026-12-15: enter one first");
        assert_eq!(e.code(), "missing_rate");
    }

    #[test]
    fn quarters_follow_the_fiscal_year() {
        let q = |s: &str, fy| period_of(day(s), Granularity::Quarter, fy);
        assert_eq!(q("2026-11-20", 1).label, "2026-Q4");
        assert_eq!(q("2026-11-20", 1).start, day("2026-10-01"));
        assert_eq!(q("2026-11-20", 4).label, "FY2026-Q3");
        assert_eq!(q("2027-02-01", 4).label, "FY2026-Q4");
        assert_eq!(q("2027-02-01", 4).start, day("2027-01-01"));
        assert_eq!(q("2027-04-01", 4).label, "FY2027-Q1");
        let e = forecast(
            &[],
            &[],
            &ForecastOptions { fiscal_year_start: 13, ..opts(Granularity::Month, GroupBy::Team) },
            usd_rate,
        );
        assert!(e.expect_err("month 13").to_string().contains("13 is not a month"));
    }

    #[test]
    fn teams_sort_by_name_with_no_team_last() {
        let p = enterprise();
        let mut a = deal(&p, 1, "A", "100", None, "anna");
        a.team = Some(Team::parse("North").expect("t"));
        let mut b = deal(&p, 2, "B", "100", None, "bob");
        b.team = Some(Team::parse("East").expect("t"));
        let c = deal(&p, 3, "C", "100", None, "carl");
        let f = forecast(&[a, b, c], &[p], &opts(Granularity::Quarter, GroupBy::Team), usd_rate).expect("ok");
        let groups: Vec<String> = f
            .rows
            .iter()
            .map(|r| match &r.group {
                RowGroup::Team(Some(t)) => t.to_string(),
                RowGroup::Team(None) => "(no team)".into(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(groups, ["East", "North", "(no team)", "Total"]);
    }

    proptest! {
        /// For every period the owners' rows add up to the totals row, teams give the same
        /// totals, and the weighted pipeline never exceeds the open pipeline.
        #[test]
        fn groups_add_up_to_the_totals(
            spec in proptest::collection::vec((0u8..3, 0u8..3, 0u8..5, 0i64..10_000_000, 1u32..13, any::<bool>()), 0..30)
        ) {
            let p = enterprise();
            let stages = ["Qualify", "Propose", "Negotiate", "Won", "Lost"];
            let owners = ["anna", "bob", "carl"];
            let teams = [None, Some("North"), Some("South")];
            let deals: Vec<Deal> = spec
                .iter()
                .enumerate()
                .map(|(i, (o, t, s, cents, month, usd))| {
                    let mut x = deal(&p, i as u128, "D", "1", None, owners[*o as usize]);
                    x.team = teams[*t as usize].map(|t| Team::parse(t).expect("t"));
                    x.amount = Money::new(Decimal::new(*cents, 2), if *usd { Currency::USD } else { Currency::EUR });
                    x.expected_close = NaiveDate::from_ymd_opt(2027, *month, 10).expect("d");
                    let reason = Some(LostReason::parse("r").expect("r"));
                    move_to(&mut x, &p, stages[*s as usize], NaiveDate::from_ymd_opt(2026, *month, 1).expect("d"), reason).expect("move");
                    x
                })
                .collect();
            for g in [Granularity::Month, Granularity::Quarter] {
                let by_owner = forecast(&deals, std::slice::from_ref(&p), &opts(g, GroupBy::Owner), usd_rate).expect("f");
                let by_team = forecast(&deals, std::slice::from_ref(&p), &opts(g, GroupBy::Team), usd_rate).expect("f");
                let mut sums: BTreeMap<Period, Figures> = BTreeMap::new();
                for r in by_owner.rows.iter().filter(|r| r.group != RowGroup::Total) {
                    sums.entry(r.period.clone()).or_default().add(&r.figures);
                }
                let totals: Vec<&ForecastRow> = by_owner.totals().collect();
                prop_assert_eq!(totals.len(), sums.len());
                for t in &totals {
                    prop_assert_eq!(&sums[&t.period], &t.figures, "owners add up to the total of {}", t.period.label);
                    prop_assert!(t.figures.weighted <= t.figures.open_pipeline);
                    prop_assert!(t.figures.commit <= t.figures.best_case);
                }
                let team_totals: Vec<&ForecastRow> = by_team.totals().collect();
                prop_assert_eq!(totals, team_totals, "grouping does not change the totals");
            }
        }
    }
}
