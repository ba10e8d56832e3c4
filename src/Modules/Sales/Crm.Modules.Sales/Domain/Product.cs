using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>A product or service we sell: unique SKU, unit of sale and category (commission rules key on it).</summary>
[AuditEntityType("product")]
internal sealed class Product : IAuditable
{
    public const string DefaultCurrency = "CNY";

    private Product()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>Stock keeping unit, unique (case-insensitive, stored upper-case).</summary>
    public string Sku { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    /// <summary>The unit of sale (台, 套, 年, hour).</summary>
    public string Unit { get; private set; } = string.Empty;

    public string? Category { get; private set; }

    public string? Description { get; private set; }

    /// <summary>The standard list price, before price books and discounts.</summary>
    public decimal ListPrice { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    /// <summary>Inactive products stay on old quotes and orders but cannot be sold again.</summary>
    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Product Create(string sku, string name, string unit, string? category, decimal listPrice, string currency, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            Sku = NormalizeSku(sku),
            Name = name.Trim(),
            Unit = unit.Trim(),
            Category = category?.Trim(),
            ListPrice = listPrice,
            Currency = currency,
            Active = true,
            CreatedAt = now,
            UpdatedAt = now,
        };

    public const int MaxSkuLength = 64;

    public const int MaxNameLength = 200;

    public const int MaxUnitLength = 20;

    public const int MaxCategoryLength = 100;

    public const int MaxDescriptionLength = 4000;

    /// <summary>SKUs are compared case-insensitively; storing one canonical form lets the unique index enforce it.</summary>
    public static string NormalizeSku(string sku) => sku.Trim().ToUpperInvariant();

    /// <summary>Replaces the editable details; the SKU is the product's identity for import and ERP and never changes.</summary>
    public void Update(string name, string unit, string? category, string? description, decimal listPrice, string currency, bool active, DateTimeOffset now)
    {
        Name = name.Trim();
        Unit = unit.Trim();
        Category = string.IsNullOrWhiteSpace(category) ? null : category.Trim();
        Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        ListPrice = listPrice;
        Currency = currency.ToUpperInvariant();
        Active = active;
        UpdatedAt = now;
    }
}
