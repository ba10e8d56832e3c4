using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>The printable HTML of a quote revision.</summary>
internal sealed record PrintQuoteRequest(Guid Id) : IRequest<string>;

/// <summary>
/// A self-contained HTML page (inline CSS, no scripts, no external resources) to print or save as PDF from a browser.
/// Every value, including product names and notes typed by users, goes through the HTML encoder; Chinese text stays
/// readable because the encoder allows all Unicode ranges and escapes only what HTML gives meaning to.
/// </summary>
internal sealed class PrintQuoteHandler(SalesDbContext db, IAccessScopeProvider access, ICustomerDirectory customers, IUserDirectory users, TimeProvider time)
    : IRequestHandler<PrintQuoteRequest, string>
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public async Task<string> Handle(PrintQuoteRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes.AsNoTracking(), await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        var customer = (await customers.FindAsync([quote.CustomerId], cancellationToken)).GetValueOrDefault(quote.CustomerId);
        var owner = quote.OwnerId is { } ownerId ? await users.FindByIdAsync(ownerId, cancellationToken) : null;
        var status = quote.StatusOn(QuoteRules.Today(time));

        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>报价单 Quote ")
            .Append(E(quote.DisplayNumber)).Append("</title>\n<style>")
            .Append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px}")
            .Append("td.n,th.n{text-align:right}tfoot td{font-weight:bold}")
            .Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>报价单 Quote ").Append(E(quote.DisplayNumber)).Append("</h1>\n");
        html.Append("<p class=\"title\">").Append(E(quote.Title)).Append("</p>\n<dl>\n");
        Term(html, "客户 Customer", customer is null ? quote.CustomerId.ToString() : $"{customer.Name} ({customer.Code})");
        Term(html, "销售 Sales contact", owner is null ? string.Empty : $"{owner.Name} <{owner.Email}>");
        Term(html, "日期 Date", Day(quote.PricedOn));
        Term(html, "有效期至 Valid until", Day(quote.ValidUntil));
        Term(html, "状态 Status", QuoteProblems.Name(status));
        Term(html, "币种 Currency", quote.Currency);
        html.Append("</dl>\n<table>\n<thead><tr><th>#</th><th>SKU</th><th>产品 Product</th><th>单位 Unit</th><th class=\"n\">数量 Qty</th>")
            .Append("<th class=\"n\">单价 Unit price</th><th class=\"n\">折扣 Discount %</th><th class=\"n\">税率 Tax %</th><th class=\"n\">金额 Net</th>")
            .Append("<th class=\"n\">税额 Tax</th><th class=\"n\">合计 Total</th></tr></thead>\n<tbody>\n");
        foreach (var line in quote.Lines.OrderBy(l => l.Position))
        {
            html.Append("<tr><td>").Append(line.Position.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(line.Sku))
                .Append("</td><td>").Append(E(line.ProductName));
            if (line.Description is not null)
            {
                html.Append("<br><small>").Append(E(line.Description)).Append("</small>");
            }

            html.Append("</td><td>").Append(E(line.Unit)).Append("</td>");
            Number(html, line.Quantity.ToString("0.###", CultureInfo.InvariantCulture));
            Number(html, Money(line.UnitPrice));
            Number(html, Money(line.DiscountPercent));
            Number(html, Money(line.TaxRatePercent));
            Number(html, Money(line.NetAmount));
            Number(html, Money(line.TaxAmount));
            Number(html, Money(line.LineTotal));
            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n<tfoot>\n");
        Total(html, "小计 Subtotal", quote.Subtotal);
        Total(html, "折扣 Discount", quote.DiscountTotal == 0m ? 0m : -quote.DiscountTotal);
        Total(html, "税额 Tax", quote.TaxTotal);
        Total(html, "总计 Total", quote.Total);
        html.Append("</tfoot>\n</table>\n");
        if (quote.Notes is not null)
        {
            html.Append("<h2>备注 Notes</h2>\n<p class=\"notes\">").Append(E(quote.Notes)).Append("</p>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string value) => Encoder.Encode(value);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Money(decimal value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static void Term(StringBuilder html, string term, string value) =>
        html.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(E(value)).Append("</dd>\n");

    private static void Number(StringBuilder html, string value) => html.Append("<td class=\"n\">").Append(E(value)).Append("</td>");

    private static void Total(StringBuilder html, string label, decimal amount) =>
        html.Append("<tr><td colspan=\"10\" class=\"n\">").Append(E(label)).Append("</td><td class=\"n\">").Append(E(Money(amount))).Append("</td></tr>\n");
}
