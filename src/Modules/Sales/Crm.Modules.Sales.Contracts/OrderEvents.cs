using System.Globalization;
using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>Timeline kind of order events.</summary>
public static class OrderTimelineKinds
{
    public const string Order = "order";
}

/// <summary>
/// What every order event names (the order, its number, the customer and the rep responsible); each lands on the
/// customer's 360° timeline with kind <c>order</c>.
/// </summary>
public abstract record OrderEvent : IntegrationEvent, ICustomerTimelineEvent
{
    protected OrderEvent(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The order.</summary>
    public required Guid OrderId { get; init; }

    /// <summary>Its number (SO-2026-000123).</summary>
    public required string OrderNumber { get; init; }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The rep responsible.</summary>
    public Guid? OwnerId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => OrderTimelineKinds.Order;

    string ICustomerTimelineEvent.TimelineSummary => Summary();

    DateTimeOffset ICustomerTimelineEvent.TimelineAt => TimelineAt();

    /// <summary>The timeline line.</summary>
    protected abstract string Summary();

    /// <summary>When it happened for the customer (the event's time unless the event says otherwise).</summary>
    protected virtual DateTimeOffset TimelineAt() => OccurredAt;

    /// <summary>An amount as the timeline writes it: 9,040.00 CNY.</summary>
    protected static string Money(decimal amount, string currency) => $"{amount.ToString("N2", CultureInfo.InvariantCulture)} {currency}";
}

/// <summary>A sales order (订单) was confirmed (placed): it passed the credit check, or a manager overrode it.</summary>
public sealed record OrderPlaced : OrderEvent
{
    public OrderPlaced(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The accepted quote it came from, if any.</summary>
    public Guid? QuoteId { get; init; }

    /// <summary>The order total (tax included).</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>True when a manager confirmed it over the customer's available credit.</summary>
    public required bool CreditOverridden { get; init; }

    protected override string Summary() =>
        $"Order {OrderNumber} placed: {Money(Amount, Currency)}" + (CreditOverridden ? " (credit limit overridden)" : string.Empty);
}

/// <summary>A shipment (发货) of an order left the warehouse: raised once per shipment, partial or the last one.</summary>
public sealed record OrderShipped : OrderEvent
{
    public OrderShipped(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The shipment.</summary>
    public required Guid ShipmentId { get; init; }

    /// <summary>1, 2, 3… within the order.</summary>
    public required int ShipmentNumber { get; init; }

    /// <summary>When the goods left.</summary>
    public required DateTimeOffset ShippedAt { get; init; }

    /// <summary>The part of the order total this shipment carries (tax included).</summary>
    public required decimal Amount { get; init; }

    /// <summary>The order total.</summary>
    public required decimal OrderTotal { get; init; }

    /// <summary>ISO 4217 currency of the amounts.</summary>
    public required string Currency { get; init; }

    /// <summary>True when nothing is left to ship: the order is shipped.</summary>
    public required bool FullyShipped { get; init; }

    /// <summary>The carrier, if given.</summary>
    public string? Carrier { get; init; }

    /// <summary>The carrier's tracking number, if given.</summary>
    public string? TrackingNumber { get; init; }

    protected override DateTimeOffset TimelineAt() => ShippedAt;

    protected override string Summary() =>
        $"Order {OrderNumber} shipment {ShipmentNumber.ToString(CultureInfo.InvariantCulture)}: {Money(Amount, Currency)}"
        + (FullyShipped ? " (fully shipped)" : " (partial)")
        + (Carrier is null ? string.Empty : $", {Carrier}" + (TrackingNumber is null ? string.Empty : $" {TrackingNumber}"));
}

/// <summary>A shipment of an order was cancelled: its quantities are to ship again.</summary>
public sealed record OrderShipmentCancelled : OrderEvent
{
    public OrderShipmentCancelled(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The cancelled shipment.</summary>
    public required Guid ShipmentId { get; init; }

    /// <summary>Its number within the order.</summary>
    public required int ShipmentNumber { get; init; }

    /// <summary>The amount it carried, now to ship again.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>Why it was cancelled.</summary>
    public required string Reason { get; init; }

    protected override string Summary() =>
        $"Order {OrderNumber} shipment {ShipmentNumber.ToString(CultureInfo.InvariantCulture)} cancelled: {Money(Amount, Currency)} ({Reason})";
}

/// <summary>An order was cancelled (only a draft or a confirmed order with nothing shipped can be).</summary>
public sealed record OrderCancelled : OrderEvent
{
    public OrderCancelled(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The order total no longer ordered.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>True when it had been confirmed (placed), false for a draft.</summary>
    public required bool WasConfirmed { get; init; }

    /// <summary>Why it was cancelled.</summary>
    public required string Reason { get; init; }

    protected override string Summary() =>
        $"Order {OrderNumber} cancelled: {Money(Amount, Currency)} ({Reason})";
}

/// <summary>A shipped order was completed: delivered and done, no longer an open order.</summary>
public sealed record OrderCompleted : OrderEvent
{
    public OrderCompleted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The order total.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    protected override string Summary() =>
        $"Order {OrderNumber} completed: {Money(Amount, Currency)}";
}
