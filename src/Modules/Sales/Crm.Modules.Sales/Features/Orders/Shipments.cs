using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>A quantity of one order line to ship.</summary>
/// <param name="OrderLineId">The order line (the <c>id</c> of an entry in the order's <c>lines</c>).</param>
/// <param name="Quantity">How much of it ships: greater than 0, up to 3 decimals, at most what is left to ship.</param>
internal sealed record ShipmentLineRequest(Guid? OrderLineId, decimal? Quantity);

/// <summary>Record a shipment (发货) of a confirmed or partially shipped order.</summary>
/// <param name="Lines">The lines shipped (1 to 200, each order line once).</param>
/// <param name="ShippedAt">When the goods left (default now; not in the future, 5 minutes of clock skew allowed).</param>
/// <param name="Carrier">The carrier (at most 100 characters).</param>
/// <param name="TrackingNumber">The carrier's tracking number (at most 100 characters).</param>
/// <param name="Note">A note (at most 1000 characters).</param>
internal sealed record RecordShipmentRequest(
    IReadOnlyList<ShipmentLineRequest>? Lines,
    DateTimeOffset? ShippedAt = null,
    string? Carrier = null,
    string? TrackingNumber = null,
    string? Note = null) : IRequest<RecordedShipment>
{
    [JsonIgnore]
    public Guid OrderId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    /// <summary>The one-step ship action: everything left to ship, now (<see cref="Lines"/> is ignored).</summary>
    [JsonIgnore]
    public bool Everything { get; init; }
}

internal sealed class RecordShipmentValidator : AbstractValidator<RecordShipmentRequest>
{
    /// <summary>Clocks of the warehouse and the server differ a little.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public RecordShipmentValidator(TimeProvider time)
    {
        When(r => !r.Everything, () =>
        {
            RuleFor(r => r.Lines).NotEmpty().Must(l => l is null || l.Count <= Order.MaxLines).WithMessage($"A shipment has 1 to {Order.MaxLines} lines.")
                .Must(l => l is null || l.Where(x => x.OrderLineId is not null).GroupBy(x => x.OrderLineId).All(g => g.Count() == 1))
                .WithMessage("Each order line appears at most once in a shipment.");
            RuleForEach(r => r.Lines).ChildRules(line =>
            {
                line.RuleFor(l => l.OrderLineId).NotNull().NotEqual(Guid.Empty);
                line.RuleFor(l => l.Quantity).NotNull().GreaterThan(0m).LessThanOrEqualTo(QuoteLineValidator.MaxQuantity).PrecisionScale(18, 3, true);
            });
        });
        RuleFor(r => r.ShippedAt).Must(at => at is null || at <= time.GetUtcNow() + ClockSkew).WithMessage("shippedAt cannot be in the future.");
        RuleFor(r => r.Carrier).MaximumLength(Shipment.MaxCarrierLength);
        RuleFor(r => r.TrackingNumber).MaximumLength(Shipment.MaxTrackingNumberLength);
        RuleFor(r => r.Note).MaximumLength(Shipment.MaxNoteLength);
    }
}

/// <summary>The shipment recorded and the order after it (the one-step ship action answers the order).</summary>
internal sealed record RecordedShipment(VersionedShipment Shipment, VersionedOrder Order);

/// <summary>A shipment with its own row version (its ETag).</summary>
internal sealed record VersionedShipment(ShipmentResponse Shipment, uint Version);

internal sealed class RecordShipmentHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<RecordShipmentRequest, RecordedShipment>
{
    public async Task<RecordedShipment> Handle(RecordShipmentRequest request, CancellationToken cancellationToken)
    {
        var order = await OrderRules.FindVisibleAsync(db.Orders, await access.GetAsync(cancellationToken), request.OrderId, cancellationToken);
        request.IfMatch.EnsureMatches(order.Version);
        if (Order.Next(order.Status, OrderAction.Ship) is null)
        {
            throw OrderProblems.Transition(order, OrderAction.Ship);
        }

        var quantities = request.Everything
            ? order.Lines.Where(l => l.LeftToShip > 0m).ToDictionary(l => l.Id, l => l.LeftToShip)
            : ShipmentRules.Check(order, request.Lines!);
        var now = time.UtcNow();
        var number = await db.Shipments.CountAsync(s => s.OrderId == order.Id, cancellationToken) + 1;
        var shipment = order.Ship(number, quantities, request.ShippedAt?.ToUniversalTime() ?? now, request.Carrier, request.TrackingNumber, request.Note, actor.Id, now);
        db.Shipments.Add(shipment);
        db.AddIntegrationEvent(new OrderShipped(now)
        {
            OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, ShipmentId = shipment.Id,
            ShipmentNumber = shipment.Number, ShippedAt = shipment.ShippedAt, Amount = shipment.Amount, OrderTotal = order.Total, Currency = order.Currency,
            FullyShipped = order.Status == OrderStatus.Shipped, Carrier = shipment.Carrier, TrackingNumber = shipment.TrackingNumber,
        });

        // The order row changes with every shipment, so its row version decides two concurrent shipments: one is a 409 (412 with If-Match).
        await db.SaveChangesAsync(cancellationToken);
        return new RecordedShipment(ShipmentProjection.Versioned(shipment), OrderProjection.Versioned(order));
    }
}

/// <summary>Cancel a shipment: its quantities are to ship again and the order goes back to partially shipped or confirmed.</summary>
/// <param name="Reason">Why (required, at most 500 characters).</param>
internal sealed record CancelShipmentRequest(string? Reason) : IRequest<VersionedShipment>
{
    [JsonIgnore]
    public Guid OrderId { get; init; }

    [JsonIgnore]
    public Guid ShipmentId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class CancelShipmentValidator : AbstractValidator<CancelShipmentRequest>
{
    public CancelShipmentValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(Shipment.MaxReasonLength);
}

internal sealed class CancelShipmentHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IRequestHandler<CancelShipmentRequest, VersionedShipment>
{
    public async Task<VersionedShipment> Handle(CancelShipmentRequest request, CancellationToken cancellationToken)
    {
        var order = await OrderRules.FindVisibleAsync(db.Orders, await access.GetAsync(cancellationToken), request.OrderId, cancellationToken);
        var shipment = await db.Shipments.SingleOrDefaultAsync(s => s.Id == request.ShipmentId && s.OrderId == order.Id, cancellationToken)
            ?? throw new NotFoundException("Shipment", request.ShipmentId);

        // The shipment's own ETag, required: a cancellation undoes goods that left, so it must be of the shipment as read.
        if (!request.IfMatch.IsPresent)
        {
            throw ShipmentProblems.IfMatchRequired(shipment);
        }

        request.IfMatch.EnsureMatches(shipment.Version);
        if (shipment.IsCancelled)
        {
            throw ShipmentProblems.AlreadyCancelled(order, shipment);
        }

        if (!order.HasShipments)
        {
            throw ShipmentProblems.OrderClosed(order);
        }

        var now = time.UtcNow();
        shipment.Cancel(request.Reason!, now);
        order.Unship(shipment, now);
        db.AddIntegrationEvent(new OrderShipmentCancelled(now)
        {
            OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, ShipmentId = shipment.Id,
            ShipmentNumber = shipment.Number, Amount = shipment.Amount, Currency = shipment.Currency, Reason = shipment.CancellationReason!,
        });
        await db.SaveChangesAsync(cancellationToken);
        return ShipmentProjection.Versioned(shipment);
    }
}

internal sealed record GetShipmentRequest(Guid OrderId, Guid ShipmentId) : IRequest<VersionedShipment>;

internal sealed class GetShipmentHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetShipmentRequest, VersionedShipment>
{
    public async Task<VersionedShipment> Handle(GetShipmentRequest request, CancellationToken cancellationToken)
    {
        await ShipmentRules.EnsureOrderVisibleAsync(db, await access.GetAsync(cancellationToken), request.OrderId, cancellationToken);
        var shipment = await db.Shipments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == request.ShipmentId && s.OrderId == request.OrderId, cancellationToken)
            ?? throw new NotFoundException("Shipment", request.ShipmentId);
        return ShipmentProjection.Versioned(shipment);
    }
}

internal sealed record ListShipmentsRequest(Guid OrderId, PageRequest Page) : IRequest<Page<ShipmentResponse>>;

internal sealed class ListShipmentsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListShipmentsRequest, Page<ShipmentResponse>>
{
    public async Task<Page<ShipmentResponse>> Handle(ListShipmentsRequest request, CancellationToken cancellationToken)
    {
        await ShipmentRules.EnsureOrderVisibleAsync(db, await access.GetAsync(cancellationToken), request.OrderId, cancellationToken);
        return await db.Shipments.AsNoTracking().Where(s => s.OrderId == request.OrderId)
            .ToPageAsync(ShipmentProjection.ToResponse, ShipmentProjection.Sort.Parse(null), request.Page, cancellationToken);
    }
}

/// <summary>What a shipment took of one order line.</summary>
/// <param name="OrderLineId">The order line.</param>
/// <param name="Quantity">The quantity shipped.</param>
/// <param name="Amount">The part of the line total it carries (its share, rounded to the cent; the rest of the line total on the line's last shipment).</param>
internal sealed record ShipmentLineResponse(Guid OrderLineId, decimal Quantity, decimal Amount);

/// <summary>A shipment (发货) of an order.</summary>
/// <param name="Id">Id.</param>
/// <param name="OrderId">The order.</param>
/// <param name="Number">1, 2, 3… within the order.</param>
/// <param name="ShippedAt">When the goods left.</param>
/// <param name="Carrier">The carrier.</param>
/// <param name="TrackingNumber">The carrier's tracking number.</param>
/// <param name="Note">A note.</param>
/// <param name="Amount">The part of the order total it carries (sum of its lines).</param>
/// <param name="Currency">The order's currency.</param>
/// <param name="Cancelled">True once cancelled: its quantities no longer count as shipped.</param>
/// <param name="Lines">What it took of each order line.</param>
/// <param name="CreatedBy">Who recorded it.</param>
/// <param name="CreatedAt">When it was recorded.</param>
/// <param name="CancelledAt">When it was cancelled.</param>
/// <param name="CancellationReason">Why it was cancelled.</param>
internal sealed record ShipmentResponse(
    Guid Id,
    Guid OrderId,
    int Number,
    DateTimeOffset ShippedAt,
    string? Carrier,
    string? TrackingNumber,
    string? Note,
    decimal Amount,
    string Currency,
    bool Cancelled,
    IReadOnlyList<ShipmentLineResponse> Lines,
    Guid? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason);

internal static class ShipmentProjection
{
    public static readonly Expression<Func<Shipment, ShipmentResponse>> ToResponse = s => new ShipmentResponse(
        s.Id, s.OrderId, s.Number, s.ShippedAt, s.Carrier, s.TrackingNumber, s.Note, s.Amount, s.Currency, s.CancelledAt != null,
        s.Lines.OrderBy(l => l.OrderLineId).Select(l => new ShipmentLineResponse(l.OrderLineId, l.Quantity, l.Amount)).ToList(),
        s.CreatedBy, s.CreatedAt, s.CancelledAt, s.CancellationReason);

    private static readonly Func<Shipment, ShipmentResponse> Compiled = ToResponse.Compile();

    /// <summary>In the order they were recorded (their numbers).</summary>
    public static readonly SortDefinition<Shipment, ShipmentResponse> Sort =
        new SortDefinition<Shipment, ShipmentResponse>(s => s.Id, s => s.Id, "number").Add("number", s => s.Number, s => s.Number);

    public static VersionedShipment Versioned(Shipment shipment) => new(Compiled(shipment), shipment.Version);
}

/// <summary>Figures of an order line a shipment asked too much of.</summary>
/// <param name="OrderLineId">The order line.</param>
/// <param name="Position">Its position on the order.</param>
/// <param name="Sku">Its product's SKU.</param>
/// <param name="Ordered">The quantity ordered.</param>
/// <param name="Shipped">The quantity shipped so far.</param>
/// <param name="Remaining">What is left to ship.</param>
/// <param name="Requested">What this shipment asked for.</param>
internal sealed record OverShippedLine(Guid OrderLineId, int Position, string Sku, decimal Ordered, decimal Shipped, decimal Remaining, decimal Requested);

internal static class ShipmentRules
{
    /// <summary>The quantities by order line, when every line is the order's and within what is left to ship; 422 with the figures otherwise.</summary>
    public static Dictionary<Guid, decimal> Check(Order order, IReadOnlyList<ShipmentLineRequest> lines)
    {
        var quantities = lines.ToDictionary(l => l.OrderLineId!.Value, l => l.Quantity!.Value);
        var unknown = quantities.Keys.Where(id => order.Lines.All(l => l.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            throw ShipmentProblems.UnknownLines(order, unknown);
        }

        var over = order.Lines.Where(l => quantities.TryGetValue(l.Id, out var quantity) && quantity > l.LeftToShip).OrderBy(l => l.Position)
            .Select(l => new OverShippedLine(l.Id, l.Position, l.Sku, l.Quantity, l.ShippedQuantity, l.LeftToShip, quantities[l.Id]))
            .ToList();
        return over.Count > 0 ? throw ShipmentProblems.OverShipped(order, over) : quantities;
    }

    /// <summary>404 unless the order exists and the caller may see it (by its owner).</summary>
    public static async Task EnsureOrderVisibleAsync(SalesDbContext db, AccessScope scope, Guid orderId, CancellationToken ct)
    {
        if (!await db.Orders.Where(o => o.Id == orderId).Where(scope.Filter<Order>(o => o.OwnerId)).AnyAsync(ct))
        {
            throw new NotFoundException("Order", orderId);
        }
    }
}

internal static class ShipmentProblems
{
    public const string OverShippedType = ProblemTypes.BaseUri + "over-shipment";
    public const string UnknownLineType = ProblemTypes.BaseUri + "unknown-order-line";
    public const string CancelledType = ProblemTypes.BaseUri + "shipment-cancelled";
    public const string IfMatchRequiredType = ProblemTypes.BaseUri + "if-match-required";

    public static ProblemException IfMatchRequired(Shipment shipment) =>
        new(StatusCodes.Status428PreconditionRequired, IfMatchRequiredType, "If-Match required",
            $"Cancelling shipment {shipment.Number} needs If-Match with the shipment's ETag (current {EntityTag.For(shipment.Version)}); read it and retry.");

    public static ProblemException OverShipped(Order order, IReadOnlyList<OverShippedLine> lines)
    {
        var problem = new BusinessRuleException(
            OverShippedType,
            "More than is left to ship",
            string.Join("; ", lines.Select(l => $"line {l.Position} ({l.Sku}) of order {order.Number}: {l.Requested:0.###} asked, {l.Remaining:0.###} left of {l.Ordered:0.###}")) + ".");
        problem.Extensions["lines"] = lines;
        return problem;
    }

    public static ProblemException UnknownLines(Order order, IReadOnlyList<Guid> ids)
    {
        var problem = new BusinessRuleException(UnknownLineType, "Unknown order line", $"Order {order.Number} has no line {string.Join(", ", ids)}.");
        problem.Extensions["orderLineIds"] = ids;
        return problem;
    }

    public static ConflictException AlreadyCancelled(Order order, Shipment shipment) =>
        new(CancelledType, "Shipment already cancelled", $"Shipment {shipment.Number} of order {order.Number} is already cancelled.");

    public static ConflictException OrderClosed(Order order) =>
        new(OrderProblems.TransitionType, "Not allowed in this status",
            $"Order {order.Number} is {QuoteProblems.Name(order.Status)}; its shipments can no longer be cancelled.");
}
