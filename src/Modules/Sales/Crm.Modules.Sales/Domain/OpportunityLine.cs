namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A product line of an opportunity (商机产品明细): quantity × unit price less a discount. While an opportunity has lines,
/// its amount is their sum (kept by <see cref="OpportunityLineRules"/>); the line amount is computed here, never sent.
/// </summary>
internal sealed class OpportunityLine
{
    private OpportunityLine()
    {
    }

    public Guid Id { get; private set; }

    public Guid OpportunityId { get; private set; }

    public Guid ProductId { get; private set; }

    /// <summary>Quantity in the product's unit, more than 0, up to 4 decimals (hours, tonnes).</summary>
    public decimal Quantity { get; private set; }

    /// <summary>Price of one unit before the discount, in the opportunity's currency.</summary>
    public decimal UnitPrice { get; private set; }

    /// <summary>Discount in percent, 0 to 100, up to 2 decimals.</summary>
    public decimal DiscountPercent { get; private set; }

    /// <summary>quantity × unitPrice × (1 − discount ÷ 100), rounded half away from zero to cents.</summary>
    public decimal LineAmount { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static OpportunityLine Create(Guid opportunityId, Guid productId, decimal quantity, decimal unitPrice, decimal discountPercent, DateTimeOffset now)
    {
        var line = new OpportunityLine { Id = Guid.CreateVersion7(now), OpportunityId = opportunityId, ProductId = productId, CreatedAt = now };
        line.Change(quantity, unitPrice, discountPercent, now);
        return line;
    }

    public void Change(decimal quantity, decimal unitPrice, decimal discountPercent, DateTimeOffset now)
    {
        OpportunityLineRules.Check(quantity, unitPrice, discountPercent);
        Quantity = quantity;
        UnitPrice = unitPrice;
        DiscountPercent = discountPercent;
        LineAmount = OpportunityLineRules.Amount(quantity, unitPrice, discountPercent);
        UpdatedAt = now;
    }
}

/// <summary>The arithmetic of opportunity lines, in one place for the domain, the handlers and the tests.</summary>
internal static class OpportunityLineRules
{
    public const int MaxLinesPerOpportunity = 200;

    public static decimal Amount(decimal quantity, decimal unitPrice, decimal discountPercent) =>
        Math.Round(quantity * unitPrice * (100m - discountPercent) / 100m, 2, MidpointRounding.AwayFromZero);

    public static void Check(decimal quantity, decimal unitPrice, decimal discountPercent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        ArgumentOutOfRangeException.ThrowIfNegative(unitPrice);
        ArgumentOutOfRangeException.ThrowIfNegative(discountPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(discountPercent, 100m);
    }
}
