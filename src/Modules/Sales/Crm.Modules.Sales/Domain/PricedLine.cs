namespace Crm.Modules.Sales.Domain;

/// <summary>
/// What a quote line and an order line share: the product as it was when priced, the resolved reference price, the
/// price asked, the line discount and VAT rate, and the figures of <see cref="QuoteMath"/>. Not an entity of its own:
/// each document keeps its lines in its own table (<c>quote_lines</c>, <c>order_lines</c>) with these columns, mapped
/// by <c>PricedLineModel</c>.
/// </summary>
internal abstract class PricedLine
{
    public const int MaxDescriptionLength = 1000;

    /// <summary>VAT rate when a line names none: the standard rate of 增值税 on goods.</summary>
    public const decimal DefaultTaxRatePercent = 13m;

    public Guid Id { get; private set; }

    /// <summary>1-based order of the line on its quote or order.</summary>
    public int Position { get; private set; }

    public Guid ProductId { get; private set; }

    public string Sku { get; private set; } = string.Empty;

    public string ProductName { get; private set; } = string.Empty;

    public string Unit { get; private set; } = string.Empty;

    public string? Description { get; private set; }

    public decimal Quantity { get; private set; }

    /// <summary>The resolved price (customer book, tier book, standard book or list price) the discount is measured against.</summary>
    public decimal ReferenceUnitPrice { get; private set; }

    public PriceSource PriceSource { get; private set; }

    public Guid? PriceBookId { get; private set; }

    /// <summary>The unit price asked before the line discount (defaults to the reference price).</summary>
    public decimal UnitPrice { get; private set; }

    public decimal DiscountPercent { get; private set; }

    public decimal TaxRatePercent { get; private set; }

    public decimal GrossAmount { get; private set; }

    public decimal DiscountAmount { get; private set; }

    public decimal NetAmount { get; private set; }

    public decimal TaxAmount { get; private set; }

    public decimal LineTotal { get; private set; }

    public LineAmounts Amounts => new(GrossAmount, DiscountAmount, NetAmount, TaxAmount, LineTotal);

    /// <summary>Makes this a new line (new id) of the product at the price, with its figures computed.</summary>
    protected void Price(
        Guid productId,
        string sku,
        string productName,
        string unit,
        string? description,
        decimal quantity,
        decimal referenceUnitPrice,
        PriceSource priceSource,
        Guid? priceBookId,
        decimal unitPrice,
        decimal discountPercent,
        decimal taxRatePercent)
    {
        var amounts = QuoteMath.Line(quantity, unitPrice, discountPercent, taxRatePercent);
        Id = Guid.CreateVersion7();
        ProductId = productId;
        Sku = sku;
        ProductName = productName;
        Unit = unit;
        Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        Quantity = quantity;
        ReferenceUnitPrice = referenceUnitPrice;
        PriceSource = priceSource;
        PriceBookId = priceBookId;
        UnitPrice = unitPrice;
        DiscountPercent = discountPercent;
        TaxRatePercent = taxRatePercent;
        SetAmounts(amounts);
    }

    /// <summary>Makes this a new line (new id) with the product, price and figures of <paramref name="line"/> exactly as they were agreed.</summary>
    protected void CopyFrom(PricedLine line)
    {
        Price(line.ProductId, line.Sku, line.ProductName, line.Unit, line.Description, line.Quantity, line.ReferenceUnitPrice, line.PriceSource, line.PriceBookId,
            line.UnitPrice, line.DiscountPercent, line.TaxRatePercent);
        SetAmounts(line.Amounts);
    }

    protected void PlaceAt(int position) => Position = position;

    private void SetAmounts(LineAmounts amounts)
    {
        GrossAmount = amounts.Gross;
        DiscountAmount = amounts.Discount;
        NetAmount = amounts.Net;
        TaxAmount = amounts.Tax;
        LineTotal = amounts.Total;
    }
}

/// <summary>The money figures of one line.</summary>
internal readonly record struct LineAmounts(decimal Gross, decimal Discount, decimal Net, decimal Tax, decimal Total);
