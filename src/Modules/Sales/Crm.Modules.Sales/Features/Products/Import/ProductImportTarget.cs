using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Time;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Sales.Features.Products.Import.ProductImportSchema;

namespace Crm.Modules.Sales.Features.Products.Import;

/// <summary>
/// Products for the import pipeline (<c>POST /api/v1/imports/products</c>), matched on their SKU. Per chunk, in one
/// transaction: the SKUs' products are read and locked by one query, each row is merged into its product like a merge
/// patch (absent columns keep their value) or into a new one, validated by the API's product rules and built by the
/// domain, then everything is binary-COPYed into a staging table and written by one UPDATE ... FROM and one
/// INSERT ... SELECT, with one audit summary per action. The catalogue is managers' business: <c>sales:manage</c>.
/// </summary>
internal sealed class ProductImportTarget(SalesDbContext db, TimeProvider time) : IImportTarget
{
    private const string Table = "sales.products";
    private const string Staging = "import_products";
    private static readonly ProductFieldsValidator Validator = new();

    private static readonly StagedColumn<Product>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, p => p.Id, false),
        new("sku", NpgsqlDbType.Varchar, p => p.Sku, false),
        new("name", NpgsqlDbType.Varchar, p => p.Name),
        new("unit", NpgsqlDbType.Varchar, p => p.Unit),
        new("category", NpgsqlDbType.Varchar, p => p.Category),
        new("description", NpgsqlDbType.Varchar, p => p.Description),
        new("list_price", NpgsqlDbType.Numeric, p => p.ListPrice),
        new("currency", NpgsqlDbType.Varchar, p => p.Currency),
        new("active", NpgsqlDbType.Boolean, p => p.Active),
        new("created_at", NpgsqlDbType.TimestampTz, p => p.CreatedAt, false),
        new("updated_at", NpgsqlDbType.TimestampTz, p => p.UpdatedAt),
    ];

    public string Entity => "products";

    public ImportSchema Schema => S.Schema;

    public string? RequiredPermission => Permissions.SalesManage;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => new ImportValues(r, errors)).ToList();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var existing = await FindExistingAsync(rows, ct);

        var created = new List<Product>();
        var rowOf = new Dictionary<Guid, ImportValues>();
        var updated = new List<Product>();
        var unchanged = 0;
        await chunk.Keys.PrefetchAsync(rows.Select(SkuOf).OfType<string>().Select(sku => $"{S.Sku}:{sku}"), ct);
        foreach (var row in rows)
        {
            if (SkuOf(row) is not { } sku)
            {
                row.Error(S.Sku, "sku is required: it identifies the product.");
                continue;
            }

            if (!chunk.Keys.TryClaim($"{S.Sku}:{sku}", row.Row.Row, out var first))
            {
                row.Error(S.Sku, $"Duplicate of row {first} in this file (sku '{sku}').");
                continue;
            }

            if (!existing.TryGetValue(sku, out var current))
            {
                if (Create(row, sku, settings, now) is { } product)
                {
                    created.Add(product);
                    rowOf[product.Id] = row;
                }
            }
            else if (Update(row, current, settings, now) is { } changed)
            {
                if (changed)
                {
                    updated.Add(current);
                }
                else
                {
                    unchanged++;
                }
            }
        }

        if (!settings.DryRun && created.Count + updated.Count > 0)
        {
            await BulkStaging.CopyAsync(connection, Staging, Table, Columns, created.Concat(updated), ct);
            await BulkStaging.UpdateFromAsync(connection, Staging, Table, Columns, "true", ct);
            var inserted = await BulkStaging.InsertNewSkippingConflictsAsync(connection, Staging, Table, Columns, ct);
            foreach (var lost in created.Where(p => !inserted.Contains(p.Id)))
            {
                rowOf[lost.Id].Error(S.Sku, $"Product '{lost.Sku}' was created by another import or request at the same time; run the file again to compare this row with it.");
            }

            created.RemoveAll(p => !inserted.Contains(p.Id));

            // Products have no owner: one summary per action.
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Created, created, _ => null, ct);
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Updated, updated, _ => null, ct);
        }

        return await SalesImportChunk.FinishAsync(db, transaction, settings, new ImportChunkResult(created.Count, updated.Count, unchanged, errors), beforeCommit, ct);
    }

    private static string? SkuOf(ImportValues row) => row.Text(S.Sku) is { } sku && !string.IsNullOrWhiteSpace(sku) ? Product.NormalizeSku(sku) : null;

    private static Product? Create(ImportValues row, string sku, ImportSettings settings, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Update)
        {
            row.Error(S.Sku, $"No product has sku '{sku}'.");
            return null;
        }

        var fields = Merge(row, new ProductFields(sku, null, null, null, null, null, Product.DefaultCurrency, true));
        if (fields is null)
        {
            return null;
        }

        var product = Product.Create(sku, fields.Name!, fields.Unit!, fields.Category, fields.ListPrice!.Value, fields.Currency!, now);
        Apply(product, fields, now);
        return product;
    }

    /// <summary>True when the row changed the product, false when it holds what the product has; null when rejected.</summary>
    private static bool? Update(ImportValues row, Product current, ImportSettings settings, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Create)
        {
            row.Error(S.Sku, $"A product with sku '{current.Sku}' already exists ({current.Id}).");
            return null;
        }

        var before = ProductFields.Of(current);
        var fields = Merge(row, before);
        if (fields is null)
        {
            return null;
        }

        // Compared after the domain's normalization (trimmed text, upper-case currency), so an exported file re-imports unchanged.
        var probe = Product.Create(current.Sku, fields.Name!, fields.Unit!, fields.Category, fields.ListPrice!.Value, fields.Currency!, now);
        Apply(probe, fields, now);
        if (ProductFields.Of(probe) == before)
        {
            return false;
        }

        Apply(current, fields, now);
        return true;
    }

    private static void Apply(Product product, ProductFields fields, DateTimeOffset now) =>
        product.Update(fields.Name!, fields.Unit!, fields.Category, fields.Description, fields.ListPrice!.Value, fields.Currency!, fields.Active!.Value, now);

    /// <summary>The row's columns over <paramref name="current"/>, validated by the API's rules; null (with the row's errors) when invalid.</summary>
    private static ProductFields? Merge(ImportValues row, ProductFields current)
    {
        var values = row.Row;
        var fields = new ProductFields(
            current.Sku,
            values.Has(S.Name) ? row.Text(S.Name) : current.Name,
            values.Has(S.Unit) ? row.Text(S.Unit) : current.Unit,
            values.Has(S.Category) ? row.Text(S.Category) : current.Category,
            values.Has(S.Description) ? row.Text(S.Description) : current.Description,
            values.Has(S.ListPrice) ? row.Decimal(S.ListPrice) : current.ListPrice,
            values.Has(S.Currency) ? row.Text(S.Currency)?.Trim() ?? Product.DefaultCurrency : current.Currency,
            values.Has(S.Active) ? row.Bool(S.Active) : current.Active);
        if (row.Failed)
        {
            return null;
        }

        foreach (var failure in Validator.Validate(fields).Errors)
        {
            row.Error(ImportValues.ColumnOf(failure.PropertyName), failure.ErrorMessage);
        }

        return row.Failed ? null : fields;
    }

    /// <summary>The products of the chunk's SKUs, locked for the chunk's transaction (one query on the unique SKU index).</summary>
    private async Task<Dictionary<string, Product>> FindExistingAsync(List<ImportValues> rows, CancellationToken ct)
    {
        var skus = rows.Select(SkuOf).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        return skus.Length == 0
            ? new Dictionary<string, Product>(StringComparer.Ordinal)
            : await db.Products.FromSql($"SELECT *, xmin FROM sales.products WHERE sku = ANY({skus}) FOR UPDATE")
                .AsNoTracking().ToDictionaryAsync(p => p.Sku, StringComparer.Ordinal, ct);
    }

    /// <summary>A product's importable fields, before validation (so missing values can be reported).</summary>
    private sealed record ProductFields(
        string Sku, string? Name, string? Unit, string? Category, string? Description, decimal? ListPrice, string? Currency, bool? Active)
    {
        public static ProductFields Of(Product p) => new(p.Sku, p.Name, p.Unit, p.Category, p.Description, p.ListPrice, p.Currency, p.Active);
    }

    /// <summary>The rules of <c>POST /api/v1/sales/products</c>, on the merged row.</summary>
    private sealed class ProductFieldsValidator : AbstractValidator<ProductFields>
    {
        public ProductFieldsValidator()
        {
            ProductRules.Sku(this, f => f.Sku);
            ProductRules.Details(this, f => f.Name, f => f.Unit, f => f.Category, f => f.Description, f => f.ListPrice, f => f.Currency);
            RuleFor(f => f.Active).NotNull().WithMessage("active must be true or false.").OverridePropertyName(S.Active);
        }
    }
}
