using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// Where a sales order (订单) is: draft → confirmed → partially shipped → shipped → completed; a draft or confirmed order
/// may be cancelled. Shipments move it between confirmed, partially shipped and shipped (ADR 0030).
/// </summary>
internal enum OrderStatus
{
    /// <summary>Being written; lines and terms may change.</summary>
    Draft,

    /// <summary>Confirmed after the credit check: the customer's credit is committed to it.</summary>
    Confirmed,

    /// <summary>Some goods left the warehouse, some are still to ship; still committed against the customer's credit.</summary>
    PartiallyShipped,

    /// <summary>Every line shipped in full; still committed against the customer's credit.</summary>
    Shipped,

    /// <summary>Delivered and done; no longer counted as an open order.</summary>
    Completed,

    /// <summary>Cancelled with a reason.</summary>
    Cancelled,
}

/// <summary>What can happen to an order after it is written.</summary>
internal enum OrderAction
{
    Confirm,
    Ship,
    Complete,
    Cancel,
}

/// <summary>A manager's decision to confirm an order over the customer's available credit.</summary>
/// <param name="By">The user who overrode the check.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why.</param>
internal sealed record CreditOverride(Guid? By, DateTimeOffset At, string Reason);

/// <summary>
/// A sales order (订单): priced lines with the same arithmetic as quotes (<see cref="QuoteMath"/>), created directly, from
/// an accepted quote, or by the ERP under its external id. Confirming it commits the customer's credit.
/// </summary>
[AuditEntityType("order")]
internal sealed class Order : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";
    public const int MaxNotesLength = 4000;
    public const int MaxReasonLength = 500;
    public const int MaxExternalIdLength = 100;
    public const int MaxLines = 200;

    private Order()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>The order number (<c>SO-2026-000123</c>).</summary>
    public string Number { get; private set; } = string.Empty;

    /// <summary>The ERP's id of the order, when it came through the ERP upsert.</summary>
    public string? ExternalId { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? OpportunityId { get; private set; }

    /// <summary>The accepted quote it was created from; at most one order per quote.</summary>
    public Guid? QuoteId { get; private set; }

    /// <summary>The channel partner (渠道伙伴) selling it, if any.</summary>
    public Guid? PartnerId { get; private set; }

    public Guid? OwnerId { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    public OrderStatus Status { get; private set; }

    public string? Notes { get; private set; }

    /// <summary>The day the lines were priced on.</summary>
    public DateOnly PricedOn { get; private set; }

    public decimal Subtotal { get; private set; }

    public decimal DiscountTotal { get; private set; }

    public decimal TaxTotal { get; private set; }

    /// <summary>Subtotal − discount + tax: what the customer owes and what the credit check weighs.</summary>
    public decimal Total { get; private set; }

    public List<OrderLine> Lines { get; private set; } = [];

    public DateTimeOffset? ConfirmedAt { get; private set; }

    public DateTimeOffset? ShippedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }

    public string? CancellationReason { get; private set; }

    /// <summary>Who confirmed it over the customer's available credit (a manager), when that was needed.</summary>
    public Guid? CreditOverrideBy { get; private set; }

    public DateTimeOffset? CreditOverrideAt { get; private set; }

    public string? CreditOverrideReason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public bool IsDraft => Status == OrderStatus.Draft;

    /// <summary>True when some goods are out (partially shipped or shipped): the order can no longer be cancelled.</summary>
    public bool HasShipments => Status is OrderStatus.PartiallyShipped or OrderStatus.Shipped;

    public static Order Create(
        string number,
        Guid customerId,
        Guid? opportunityId,
        Guid? quoteId,
        Guid? partnerId,
        Guid? ownerId,
        string? externalId,
        string currency,
        string? notes,
        DateOnly pricedOn,
        IReadOnlyList<OrderLine> lines,
        DateTimeOffset now)
    {
        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            Number = number,
            ExternalId = externalId,
            QuoteId = quoteId,
            OwnerId = ownerId,
            Status = OrderStatus.Draft,
            CreatedAt = now,
        };
        order.Edit(customerId, opportunityId, partnerId, currency, notes, now);
        order.ReplaceLines(lines, pricedOn, now);
        return order;
    }

    /// <summary>The terms of a draft (the ERP replace may move it to another customer before it is confirmed).</summary>
    public void Edit(Guid customerId, Guid? opportunityId, Guid? partnerId, string currency, string? notes, DateTimeOffset now)
    {
        CustomerId = customerId;
        OpportunityId = opportunityId;
        PartnerId = partnerId;
        Currency = currency;
        Notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        UpdatedAt = now;
    }

    /// <summary>New lines, new figures: the totals are the exact sums of the rounded lines.</summary>
    public void ReplaceLines(IReadOnlyList<OrderLine> lines, DateOnly pricedOn, DateTimeOffset now)
    {
        Lines = lines.ToList();
        for (var i = 0; i < Lines.Count; i++)
        {
            Lines[i].AttachTo(Id, i + 1);
        }

        var totals = QuoteMath.Totals(Lines.Select(l => l.Amounts));
        Subtotal = totals.Gross;
        DiscountTotal = totals.Discount;
        TaxTotal = totals.Tax;
        Total = totals.Total;
        PricedOn = pricedOn;
        UpdatedAt = now;
    }

    /// <summary>The status <paramref name="action"/> leads to, or null when the current status does not allow it.</summary>
    public static OrderStatus? Next(OrderStatus status, OrderAction action) => (status, action) switch
    {
        (OrderStatus.Draft, OrderAction.Confirm) => OrderStatus.Confirmed,
        (OrderStatus.Confirmed, OrderAction.Ship) => OrderStatus.Shipped,
        (OrderStatus.PartiallyShipped, OrderAction.Ship) => OrderStatus.Shipped,
        (OrderStatus.Shipped, OrderAction.Complete) => OrderStatus.Completed,
        (OrderStatus.Draft, OrderAction.Cancel) => OrderStatus.Cancelled,
        (OrderStatus.Confirmed, OrderAction.Cancel) => OrderStatus.Cancelled,
        _ => null,
    };

    /// <summary>
    /// Records a shipment of <paramref name="quantities"/> (order line id → quantity, each within what is left to ship
    /// on its line, checked by the caller): the lines count it and the order becomes shipped when nothing is left,
    /// partially shipped otherwise.
    /// </summary>
    public Shipment Ship(
        int number, IReadOnlyDictionary<Guid, decimal> quantities, DateTimeOffset shippedAt, string? carrier, string? trackingNumber, string? note, Guid? by,
        DateTimeOffset now)
    {
        var lines = Lines.Where(l => quantities.ContainsKey(l.Id)).OrderBy(l => l.Position)
            .Select(l => (l.Id, Quantity: quantities[l.Id], Amount: l.Ship(quantities[l.Id])))
            .ToList();
        var shipment = Shipment.Create(this, number, lines, shippedAt, carrier, trackingNumber, note, by, now);
        FollowShipments(shippedAt, now);
        return shipment;
    }

    /// <summary>Takes a cancelled shipment's quantities off the lines: the order goes back to partially shipped or confirmed.</summary>
    public void Unship(Shipment shipment, DateTimeOffset now)
    {
        foreach (var shipped in shipment.Lines)
        {
            Lines.Single(l => l.Id == shipped.OrderLineId).Unship(shipped.Quantity, shipped.Amount);
        }

        FollowShipments(ShippedAt ?? now, now);
    }

    private void FollowShipments(DateTimeOffset lastShippedAt, DateTimeOffset now)
    {
        Status = Lines.All(l => l.LeftToShip == 0m) ? OrderStatus.Shipped
            : Lines.Any(l => l.ShippedQuantity > 0m) ? OrderStatus.PartiallyShipped
            : OrderStatus.Confirmed;
        ShippedAt = Status == OrderStatus.Shipped ? lastShippedAt : null;
        UpdatedAt = now;
    }

    /// <summary>Applies <paramref name="action"/> when the status allows it; false otherwise (nothing changes).</summary>
    public bool Apply(OrderAction action, string? reason, CreditOverride? creditOverride, DateTimeOffset now)
    {
        if (Next(Status, action) is not { } next)
        {
            return false;
        }

        Status = next;
        switch (action)
        {
            case OrderAction.Confirm:
                ConfirmedAt = now;
                CreditOverrideBy = creditOverride?.By;
                CreditOverrideAt = creditOverride?.At;
                CreditOverrideReason = creditOverride?.Reason.Trim();
                break;
            case OrderAction.Complete:
                CompletedAt = now;
                break;
            case OrderAction.Cancel:
                CancelledAt = now;
                CancellationReason = reason?.Trim();
                break;
        }

        UpdatedAt = now;
        return true;
    }
}

/// <summary>
/// A line of an order: the same fields and figures as a quote line (product copied, reference price kept), so an order
/// made from a quote carries the lines exactly as the customer accepted them; plus what its shipments took.
/// </summary>
internal sealed class OrderLine : PricedLine
{
    private OrderLine()
    {
    }

    public Guid OrderId { get; private set; }

    /// <summary>The quantity of the line's live (not cancelled) shipments.</summary>
    public decimal ShippedQuantity { get; private set; }

    /// <summary>The part of <see cref="PricedLine.LineTotal"/> those shipments carry; the whole line total once fully shipped.</summary>
    public decimal ShippedAmount { get; private set; }

    public decimal LeftToShip => Quantity - ShippedQuantity;

    /// <summary>A line with the product, price and figures of a priced quote line (new or from an accepted quote).</summary>
    public static OrderLine From(QuoteLine line)
    {
        var orderLine = new OrderLine();
        orderLine.CopyFrom(line);
        return orderLine;
    }

    /// <summary>
    /// Ships <paramref name="quantity"/> and answers the amount it carries: its share of the line total, rounded to the
    /// cent, and the rest of the line total when it ships what is left (so a fully shipped line carries its total exactly).
    /// </summary>
    internal decimal Ship(decimal quantity)
    {
        var amount = quantity == LeftToShip ? LineTotal - ShippedAmount : Math.Round(LineTotal * quantity / Quantity, 2, MidpointRounding.AwayFromZero);
        ShippedQuantity += quantity;
        ShippedAmount += amount;
        return amount;
    }

    internal void Unship(decimal quantity, decimal amount)
    {
        ShippedQuantity -= quantity;
        ShippedAmount -= amount;
    }

    internal void AttachTo(Guid orderId, int position)
    {
        OrderId = orderId;
        PlaceAt(position);
    }
}
