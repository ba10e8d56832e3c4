using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A shipment (发货) of a confirmed order: some quantity of some of its lines left the warehouse on a day, with a carrier
/// and tracking number. An order ships in one or several shipments (ADR 0030); a shipment is never deleted, only
/// cancelled, which gives its quantities back to the order.
/// </summary>
[AuditEntityType("shipment")]
internal sealed class Shipment : IAuditable, IOwnedRecord
{
    public const int MaxCarrierLength = 100;
    public const int MaxTrackingNumberLength = 100;
    public const int MaxNoteLength = 1000;
    public const int MaxReasonLength = 500;

    private Shipment()
    {
    }

    public Guid Id { get; private set; }

    public Guid OrderId { get; private set; }

    /// <summary>1, 2, 3… within the order (cancelled shipments keep theirs).</summary>
    public int Number { get; private set; }

    public Guid CustomerId { get; private set; }

    /// <summary>The order's owner when shipped: visibility follows the order.</summary>
    public Guid? OwnerId { get; private set; }

    public DateTimeOffset ShippedAt { get; private set; }

    public string? Carrier { get; private set; }

    public string? TrackingNumber { get; private set; }

    public string? Note { get; private set; }

    /// <summary>The sum of the lines' amounts: the part of the order total this shipment carries.</summary>
    public decimal Amount { get; private set; }

    public string Currency { get; private set; } = Order.DefaultCurrency;

    public List<ShipmentLine> Lines { get; private set; } = [];

    public Guid? CreatedBy { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }

    public string? CancellationReason { get; private set; }

    public bool IsCancelled => CancelledAt is not null;

    /// <summary>The row version (<c>xmin</c>): the shipment's own ETag, changed by its cancellation.</summary>
    public uint Version { get; private set; }

    internal static Shipment Create(
        Order order,
        int number,
        IReadOnlyList<(Guid OrderLineId, decimal Quantity, decimal Amount)> lines,
        DateTimeOffset shippedAt,
        string? carrier,
        string? trackingNumber,
        string? note,
        Guid? by,
        DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        return new Shipment
        {
            Id = id,
            OrderId = order.Id,
            Number = number,
            CustomerId = order.CustomerId,
            OwnerId = order.OwnerId,
            ShippedAt = shippedAt,
            Carrier = Clean(carrier),
            TrackingNumber = Clean(trackingNumber),
            Note = Clean(note),
            Amount = lines.Sum(l => l.Amount),
            Currency = order.Currency,
            Lines = lines.Select(l => new ShipmentLine(Guid.CreateVersion7(now), id, l.OrderLineId, l.Quantity, l.Amount)).ToList(),
            CreatedBy = by,
            CreatedAt = now,
        };
    }

    public void Cancel(string reason, DateTimeOffset now)
    {
        CancelledAt = now;
        CancellationReason = reason.Trim();
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>What a shipment took of one order line.</summary>
internal sealed class ShipmentLine
{
    public ShipmentLine(Guid id, Guid shipmentId, Guid orderLineId, decimal quantity, decimal amount)
    {
        Id = id;
        ShipmentId = shipmentId;
        OrderLineId = orderLineId;
        Quantity = quantity;
        Amount = amount;
    }

    public Guid Id { get; private set; }

    public Guid ShipmentId { get; private set; }

    public Guid OrderLineId { get; private set; }

    /// <summary>How much of the line shipped: greater than 0, at most what was left.</summary>
    public decimal Quantity { get; private set; }

    /// <summary>The part of the line total it carries.</summary>
    public decimal Amount { get; private set; }
}
