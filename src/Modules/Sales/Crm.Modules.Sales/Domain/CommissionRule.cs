using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>How specific a commission rule is; a more specific rule beats a less specific one valid on the same day.</summary>
public enum CommissionRuleLevel
{
    /// <summary>Every rep, every category.</summary>
    Default = 0,

    /// <summary>One product category, every rep.</summary>
    Category = 1,

    /// <summary>One rep, every category.</summary>
    Rep = 2,

    /// <summary>One rep and one product category.</summary>
    RepAndCategory = 3,
}

/// <summary>
/// A commission rate (佣金比例) for received payments. A rule names a rep, a product category, both, or neither (the
/// default); on a given day the most specific valid rule wins: rep and category, then rep, then category, then default.
/// </summary>
[AuditEntityType("commissionRule")]
internal sealed class CommissionRule : IAuditable
{
    public const int MaxCategoryLength = 100;
    public const int MaxNameLength = 100;

    private CommissionRule()
    {
    }

    public Guid Id { get; private set; }

    public string? Name { get; private set; }

    /// <summary>The rep it applies to; null: every rep.</summary>
    public Guid? RepId { get; private set; }

    /// <summary>The contract product category it applies to; null: every category.</summary>
    public string? ProductCategory { get; private set; }

    /// <summary>Percent of the received amount, 0 to 100 with up to 2 decimals.</summary>
    public decimal RatePercent { get; private set; }

    /// <summary>First received day it applies to (inclusive); null: since ever.</summary>
    public DateOnly? ValidFrom { get; private set; }

    /// <summary>Last received day it applies to (inclusive); null: until further notice.</summary>
    public DateOnly? ValidTo { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>Rep and category beats rep, which beats category, which beats the default (the statement SQL orders the same way).</summary>
    public CommissionRuleLevel Level => (CommissionRuleLevel)((RepId is null ? 0 : 2) + (ProductCategory is null ? 0 : 1));

    public static CommissionRule Create(
        string? name, Guid? repId, string? productCategory, decimal ratePercent, DateOnly? validFrom, DateOnly? validTo, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            Name = Normalize(name),
            RepId = repId,
            ProductCategory = Normalize(productCategory),
            RatePercent = ratePercent,
            ValidFrom = validFrom,
            ValidTo = validTo,
            CreatedAt = now,
            UpdatedAt = now,
        };

    public void Update(string? name, decimal ratePercent, DateOnly? validFrom, DateOnly? validTo, DateTimeOffset now)
    {
        Name = Normalize(name);
        RatePercent = ratePercent;
        ValidFrom = validFrom;
        ValidTo = validTo;
        UpdatedAt = now;
    }

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
