//! Printable invoices as PDF, written directly (PDF 1.4, the standard Helvetica fonts, A4), so
//! the device makes them offline without a browser or a library.

use rust_decimal::Decimal;
use tandem_core::crm::quote::{Quote, QuoteItem, QuoteLine};
use tandem_core::invoice::{Invoice, InvoiceKind, InvoiceStatus};
use tandem_core::Currency;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const LINE: f32 = 14.0;

/// One line of text on a page.
struct Text {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    text: String,
}

/// Text for a PDF string: Latin-1 characters as octal escapes (WinAnsi), others as '?'.
fn pdf_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{ff}' => out.push_str(&format!("\\{:03o}", c as u32)),
            '€' => out.push_str("\\200"),
            '–' | '—' => out.push('-'),
            _ => out.push('?'),
        }
    }
    out
}

fn amount(c: Currency, d: Decimal) -> String {
    c.format(d)
}

/// The totals block of a document: discount, net, each tax group, total.
fn totals(pages: &mut [Vec<Text>], y: &mut f32, x: f32, cur: Currency, t: &tandem_core::pricing::Totals) {
    let mut line = |y: &mut f32, size: f32, bold: bool, text: String| {
        if let Some(p) = pages.last_mut() {
            p.push(Text { x, y: *y, size, bold, text });
        }
        *y -= LINE;
    };
    if !t.discount.is_zero() {
        line(y, 10.0, false, format!("Discount  -{}", amount(cur, t.discount)));
    }
    line(y, 10.0, false, format!("Net  {}", amount(cur, t.net)));
    for tax in &t.taxes {
        line(y, 10.0, false, format!("VAT {} % on {}  {}", tax.rate, amount(cur, tax.base), amount(cur, tax.tax)));
    }
    line(y, 11.0, true, format!("Total  {}", amount(cur, t.total)));
    *y += LINE;
}

/// Lays out an invoice (or credit note) on A4 pages.
fn layout(inv: &Invoice, company: &str) -> Vec<Vec<Text>> {
    let cur = inv.currency;
    let mut pages: Vec<Vec<Text>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    let put = |pages: &mut Vec<Vec<Text>>, y: &mut f32, x: f32, size: f32, bold: bool, text: String| {
        if let Some(p) = pages.last_mut() {
            p.push(Text { x, y: *y, size, bold, text });
        }
    };
    let title = match (inv.kind, inv.status) {
        (InvoiceKind::Invoice, InvoiceStatus::Posted) => "Invoice",
        (InvoiceKind::CreditNote, InvoiceStatus::Posted) => "Credit note",
        (InvoiceKind::Invoice, InvoiceStatus::Draft) => "Invoice (draft)",
        (InvoiceKind::CreditNote, InvoiceStatus::Draft) => "Credit note (draft)",
    };
    put(&mut pages, &mut y, MARGIN, 18.0, true, format!("{title} {}", inv.reference()));
    y -= LINE * 2.0;
    if !company.is_empty() {
        put(&mut pages, &mut y, MARGIN, 10.0, true, company.to_owned());
        y -= LINE;
    }
    put(&mut pages, &mut y, MARGIN, 10.0, false, format!("Customer: {}", inv.customer_name));
    y -= LINE;
    put(&mut pages, &mut y, MARGIN, 10.0, false, format!("Date: {}    Due: {}", inv.date, inv.due));
    y -= LINE;
    if let Some(o) = &inv.order_number {
        put(&mut pages, &mut y, MARGIN, 10.0, false, format!("Order: {o}"));
        y -= LINE;
    }
    y -= LINE;
    let cols = [MARGIN, MARGIN + 90.0, MARGIN + 270.0, MARGIN + 330.0, MARGIN + 400.0];
    let header = ["SKU", "Description", "Qty", "Unit price", "Net"];
    for (x, h) in cols.iter().zip(header) {
        put(&mut pages, &mut y, *x, 10.0, true, h.to_owned());
    }
    y -= LINE;
    for l in &inv.lines {
        if y < MARGIN + LINE * 8.0 {
            pages.push(Vec::new());
            y = PAGE_H - MARGIN;
        }
        let name: String = l.name.chars().take(32).collect();
        let cells = [l.sku.clone(), name, l.qty.to_string(), format!("{:.2}", l.unit_price), amount(cur, l.net)];
        for (x, c) in cols.iter().zip(cells) {
            put(&mut pages, &mut y, *x, 10.0, false, c);
        }
        y -= LINE;
        if !l.discount.get().is_zero() {
            put(&mut pages, &mut y, cols[1], 9.0, false, format!("discount {} %", l.discount));
            y -= LINE;
        }
    }
    y -= LINE;
    totals(&mut pages, &mut y, cols[3], cur, &inv.totals);
    y -= LINE * 2.0;
    if let Some(note) = &inv.fiscal_note {
        put(&mut pages, &mut y, MARGIN, 9.0, false, note.clone());
        y -= LINE;
    }
    if inv.status == InvoiceStatus::Draft {
        put(
            &mut pages,
            &mut y,
            MARGIN,
            9.0,
            false,
            "Draft: the legal number is given when the invoice is posted.".into(),
        );
    }
    pages
}

/// The PDF bytes of an invoice.
pub fn invoice_pdf(inv: &Invoice, company: &str) -> Vec<u8> {
    write_pdf(&layout(inv, company))
}

/// Lays out a quote: its items (bundle components indented, optional lines marked, those not
/// chosen left out of the totals), totals, validity and approval.
fn quote_layout(q: &Quote, company: &str) -> Vec<Vec<Text>> {
    let cur = q.currency;
    let mut pages: Vec<Vec<Text>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    let put = |pages: &mut Vec<Vec<Text>>, y: &mut f32, x: f32, size: f32, bold: bool, text: String| {
        if let Some(p) = pages.last_mut() {
            p.push(Text { x, y: *y, size, bold, text });
        }
    };
    put(&mut pages, &mut y, MARGIN, 18.0, true, format!("Quote {}", q.reference()));
    y -= LINE * 2.0;
    if !company.is_empty() {
        put(&mut pages, &mut y, MARGIN, 10.0, true, company.to_owned());
        y -= LINE;
    }
    put(&mut pages, &mut y, MARGIN, 10.0, false, format!("Customer: {}", q.customer_name));
    y -= LINE;
    put(&mut pages, &mut y, MARGIN, 10.0, false, format!("Date: {}    Valid until: {}", q.priced_on, q.valid_until));
    y -= LINE * 2.0;
    let cols = [MARGIN, MARGIN + 90.0, MARGIN + 270.0, MARGIN + 330.0, MARGIN + 400.0];
    for (x, h) in cols.iter().zip(["SKU", "Description", "Qty", "Unit price", "Net"]) {
        put(&mut pages, &mut y, *x, 10.0, true, h.to_owned());
    }
    y -= LINE;
    let item = |pages: &mut Vec<Vec<Text>>, y: &mut f32, it: &QuoteItem, indent: f32, counts: bool| {
        if *y < MARGIN + LINE * 8.0 {
            pages.push(Vec::new());
            *y = PAGE_H - MARGIN;
        }
        let mut name: String = it.name.chars().take(30).collect();
        if it.optional {
            name.push_str(if counts { " (option, chosen)" } else { " (option)" });
        }
        let net = if counts { amount(cur, it.net) } else { format!("({})", amount(cur, it.net)) };
        let cells = [it.sku.clone(), name, it.qty.to_string(), format!("{:.2}", it.unit_price), net];
        for (i, (x, c)) in cols.iter().zip(cells).enumerate() {
            put(pages, y, *x + if i == 1 { indent } else { 0.0 }, 10.0, false, c);
        }
        *y -= LINE;
        if !it.discount.get().is_zero() {
            put(pages, y, cols[1] + indent, 9.0, false, format!("discount {} %", it.discount));
            *y -= LINE;
        }
    };
    for line in &q.lines {
        match line {
            QuoteLine::Item(it) => item(&mut pages, &mut y, it, 0.0, !it.optional || it.selected),
            QuoteLine::Bundle(b) => {
                let counts = !b.optional || b.selected;
                let label = if b.optional {
                    format!("{} x {} (option)", b.qty, b.name)
                } else {
                    format!("{} x {}", b.qty, b.name)
                };
                put(&mut pages, &mut y, cols[1], 10.0, true, label);
                put(&mut pages, &mut y, cols[4], 10.0, true, amount(cur, b.net));
                y -= LINE;
                for c in &b.components {
                    item(&mut pages, &mut y, c, 12.0, counts && (!c.optional || c.selected));
                }
            }
        }
    }
    y -= LINE;
    totals(&mut pages, &mut y, cols[3], cur, &q.totals);
    y -= LINE * 2.0;
    put(
        &mut pages,
        &mut y,
        MARGIN,
        9.0,
        false,
        format!("This quote is valid until {}. Amounts in {cur}.", q.valid_until),
    );
    y -= LINE;
    if let Some(a) = q.approval.as_ref().and_then(|a| a.granted_by.as_ref()) {
        put(&mut pages, &mut y, MARGIN, 9.0, false, format!("Discount approved by {a}."));
    }
    pages
}

/// The PDF bytes of a quote.
pub fn quote_pdf(q: &Quote, company: &str) -> Vec<u8> {
    write_pdf(&quote_layout(q, company))
}

/// Pages of text as a PDF file.
fn write_pdf(pages: &[Vec<Text>]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, 4 bold font, then a page and its content per page.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".into());
    for (i, page) in pages.iter().enumerate() {
        let mut content = String::new();
        for t in page {
            let font = if t.bold { "F2" } else { "F1" };
            content.push_str(&format!(
                "BT /{font} {:.1} Tf {:.1} {:.1} Td ({}) Tj ET\n",
                t.size,
                t.x,
                t.y,
                pdf_string(&t.text)
            ));
        }
        content.push_str(&format!("BT /F1 8 Tf {:.1} 30 Td (Page {} of {n}) Tj ET\n", PAGE_W - MARGIN - 50.0, i + 1));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_pdf_strings() {
        assert_eq!(pdf_string("a (b) \\ c"), "a \\(b\\) \\\\ c");
        assert_eq!(pdf_string("Müller"), "M\\374ller");
        assert_eq!(pdf_string("日本"), "??");
    }
}
