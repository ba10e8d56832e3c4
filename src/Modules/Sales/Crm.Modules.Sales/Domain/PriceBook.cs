using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>Who a price book prices for; the more specific book wins (customer, then tier, then standard).</summary>
internal enum PriceBookKind
{
    /// <summary>The one standard book (标准价格表) that applies to everybody.</summary>
    Standard,

    /// <summary>Applies to the customers of one value tier.</summary>
    Tier,

    /// <summary>Applies to one customer (framework agreements, 协议价).</summary>
    Customer,
}

/// <summary>Where a resolved price comes from, most specific first.</summary>
internal enum PriceSource
{
    /// <summary>A price book of the customer itself.</summary>
    CustomerBook,

    /// <summary>A price book of the customer's tier.</summary>
    TierBook,

    /// <summary>The standard price book.</summary>
    StandardBook,

    /// <summary>No applicable book prices the product: its list price.</summary>
    ListPrice,
}

/// <summary>A price book (价格表): unit prices of products for everybody, one customer tier or one customer, within validity dates.</summary>
[AuditEntityType("priceBook")]
internal sealed class PriceBook : IAuditable
{
    public const int MaxNameLength = 200;

    public const int MaxTierLength = 50;

    private PriceBook()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public PriceBookKind Kind { get; private set; }

    /// <summary>The customer tier it applies to (kind tier only).</summary>
    public string? Tier { get; private set; }

    /// <summary>The customer it applies to (kind customer only).</summary>
    public Guid? CustomerId { get; private set; }

    /// <summary>First day it applies (inclusive); null: since ever.</summary>
    public DateOnly? ValidFrom { get; private set; }

    /// <summary>Last day it applies (inclusive); null: until further notice.</summary>
    public DateOnly? ValidTo { get; private set; }

    /// <summary>Inactive books take no part in price resolution.</summary>
    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static PriceBook Create(string name, PriceBookKind kind, string? tier, Guid? customerId, DateOnly? validFrom, DateOnly? validTo, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            Name = name.Trim(),
            Kind = kind,
            Tier = kind == PriceBookKind.Tier ? tier?.Trim() : null,
            CustomerId = kind == PriceBookKind.Customer ? customerId : null,
            ValidFrom = validFrom,
            ValidTo = validTo,
            Active = true,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>Whether the book applies on <paramref name="day"/> (both bounds inclusive).</summary>
    public bool AppliesOn(DateOnly day) => Active && (ValidFrom is null || ValidFrom <= day) && (ValidTo is null || ValidTo >= day);

    public void Touch(DateTimeOffset now) => UpdatedAt = now;

    /// <summary>Renames, re-dates or (de)activates the book; its kind and target never change (create another book instead).</summary>
    public void Update(string name, DateOnly? validFrom, DateOnly? validTo, bool active, DateTimeOffset now)
    {
        Name = name.Trim();
        ValidFrom = validFrom;
        ValidTo = validTo;
        Active = active;
        UpdatedAt = now;
    }
}

/// <summary>The unit price of one product in one price book.</summary>
[AuditEntityType("priceBookEntry")]
internal sealed class PriceBookEntry : IAuditable
{
    private PriceBookEntry()
    {
    }

    public Guid Id { get; private set; }

    public Guid PriceBookId { get; private set; }

    public Guid ProductId { get; private set; }

    public decimal UnitPrice { get; private set; }

    public string Currency { get; private set; } = Product.DefaultCurrency;

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static PriceBookEntry Create(Guid priceBookId, Guid productId, decimal unitPrice, string currency, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            PriceBookId = priceBookId,
            ProductId = productId,
            UnitPrice = unitPrice,
            Currency = currency.ToUpperInvariant(),
            UpdatedAt = now,
        };

    public void Reprice(decimal unitPrice, string currency, DateTimeOffset now)
    {
        UnitPrice = unitPrice;
        Currency = currency.ToUpperInvariant();
        UpdatedAt = now;
    }
}
