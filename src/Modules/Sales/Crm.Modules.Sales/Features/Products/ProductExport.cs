using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Sales.Features.Products.Import.ProductImportSchema;

namespace Crm.Modules.Sales.Features.Products;

/// <summary>
/// Streams the catalogue, filtered like the list, in keyset batches. The columns are the import's field names plus
/// read-only ones the import skips, so the file re-imports unchanged.
/// </summary>
internal static class ProductExport
{
    public static readonly string[] Columns =
        [S.Sku, S.Name, S.Unit, S.Category, S.Description, S.ListPrice, S.Currency, S.Active, "id", "createdAt", "updatedAt"];

    public static Task WriteAsync(SalesDbContext db, ProductFilter filter, ExportWriter writer, CancellationToken ct)
    {
        var products = ProductQuery.Apply(db.Products.AsNoTracking(), filter);
        return KeysetExport.WriteAsync(
            writer,
            after => products.Where(p => p.Id > after).OrderBy(p => p.Id),
            p => p.Id,
            (_, _) => Task.FromResult<Func<Domain.Product, IReadOnlyList<object?>>>(p =>
                [p.Sku, p.Name, p.Unit, p.Category, p.Description, p.ListPrice, p.Currency, p.Active, p.Id, p.CreatedAt, p.UpdatedAt]),
            ct);
    }
}
