using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Sales.Features.Orders.Import.OrderImportSchema;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>
/// Streams the orders the caller sees, filtered like the list, in keyset batches, one row per line in the shape
/// <c>POST /api/v1/imports/orders</c> reads (customer by code, owner by email, order date, status, SKU and the line's
/// figures as recorded), so the file re-imports unchanged.
/// </summary>
internal sealed class OrderExport(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICustomerDirectory customers)
{
    public static readonly string[] Columns =
    [
        S.ExternalId, S.CustomerCode, S.OwnerEmail, S.Currency, S.OrderDate, S.Status, .. S.LineFields, "number", "position", "productName", "lineTotal", "total", "id",
    ];

    public async Task<IQueryable<Order>> QueryAsync(OrderFilter filter, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return ListOrdersHandler.Apply(db.Orders.AsNoTracking().Where(scope.Filter<Order>(o => o.OwnerId)), filter);
    }

    public Task WriteAsync(IQueryable<Order> orders, ExportWriter writer, CancellationToken ct) =>
        KeysetExport.WriteRowsAsync(
            writer,
            after => orders.Where(o => o.Id > after).OrderBy(o => o.Id),
            o => o.Id,
            async (batch, token) =>
            {
                var names = await SalesImportReferences.ExportNamesAsync(
                    customers, users, batch.Select(o => o.CustomerId).ToList(), batch.Select(o => o.OwnerId), token);
                return o => o.Lines.OrderBy(l => l.Position).Select(l => (IReadOnlyList<object?>)
                [
                    o.ExternalId, names.CodeOf(o.CustomerId),
                    names.EmailOf(o.OwnerId), o.Currency, o.PricedOn, QuoteProblems.Name(o.Status),
                    l.Sku, l.Quantity, l.UnitPrice, l.DiscountPercent, l.TaxRatePercent, o.Number, l.Position, l.ProductName, l.LineTotal, o.Total, o.Id,
                ]);
            },
            ct);
}
