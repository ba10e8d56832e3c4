using System.Globalization;
using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>Timeline kind of order events.</summary>
public static class OrderTimelineKinds
{
    public const string Order = "order";
}

/// <summary>A sales order (订单) was confirmed (placed): it passed the credit check, or a manager overrode it.</summary>
public sealed record OrderPlaced : IntegrationEvent, ICustomerTimelineEvent
{
    public OrderPlaced(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The order.</summary>
    public required Guid OrderId { get; init; }

    /// <summary>Its number (SO-2026-000123).</summary>
    public required string OrderNumber { get; init; }

    /// <summary>The customer who placed it.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The rep responsible.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The accepted quote it came from, if any.</summary>
    public Guid? QuoteId { get; init; }

    /// <summary>The order total (tax included).</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>True when a manager confirmed it over the customer's available credit.</summary>
    public required bool CreditOverridden { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => OrderTimelineKinds.Order;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Order {OrderNumber} placed: {Amount.ToString("N2", CultureInfo.InvariantCulture)} {Currency}" + (CreditOverridden ? " (credit limit overridden)" : string.Empty);
}
