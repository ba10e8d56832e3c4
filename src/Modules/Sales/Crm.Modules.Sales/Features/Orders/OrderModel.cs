using System.Linq.Expressions;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>A line of an order with its computed amounts (the same figures as a quote line) and what has shipped of it.</summary>
/// <param name="Id">The line's id (what a shipment names as orderLineId).</param>
/// <param name="Position">1-based order on the order.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Sku">The product's SKU when ordered.</param>
/// <param name="ProductName">The product's name when ordered.</param>
/// <param name="Unit">Unit of sale.</param>
/// <param name="Description">Extra text for the line.</param>
/// <param name="Quantity">Quantity, up to 3 decimals.</param>
/// <param name="ShippedQuantity">The quantity of the line's shipments that are not cancelled.</param>
/// <param name="ReferenceUnitPrice">The resolved price (customer book, tier book, standard book or list price).</param>
/// <param name="PriceSource">Where the reference price came from: customerBook, tierBook, standardBook or listPrice.</param>
/// <param name="PriceBookId">The price book of the reference price (null for the list price).</param>
/// <param name="UnitPrice">Unit price before the line discount.</param>
/// <param name="DiscountPercent">Line discount in percent.</param>
/// <param name="TaxRatePercent">VAT rate in percent.</param>
/// <param name="GrossAmount">round(quantity × unit price).</param>
/// <param name="DiscountAmount">round(gross × discount%).</param>
/// <param name="NetAmount">gross − discount.</param>
/// <param name="TaxAmount">round(net × tax rate%).</param>
/// <param name="LineTotal">net + tax.</param>
internal sealed record OrderLineResponse(
    Guid Id,
    int Position,
    Guid ProductId,
    string Sku,
    string ProductName,
    string Unit,
    string? Description,
    decimal Quantity,
    decimal ShippedQuantity,
    decimal ReferenceUnitPrice,
    PriceSource PriceSource,
    Guid? PriceBookId,
    decimal UnitPrice,
    decimal DiscountPercent,
    decimal TaxRatePercent,
    decimal GrossAmount,
    decimal DiscountAmount,
    decimal NetAmount,
    decimal TaxAmount,
    decimal LineTotal);

/// <summary>A manager's confirmation of the order over the customer's available credit.</summary>
/// <param name="By">The manager.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why.</param>
internal sealed record OrderCreditOverrideResponse(Guid? By, DateTimeOffset At, string Reason);

/// <summary>A sales order (订单).</summary>
/// <param name="Id">Id.</param>
/// <param name="Number">Order number (SO-2026-000123).</param>
/// <param name="ExternalId">The ERP's id, when the order came through the ERP upsert.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OpportunityId">The opportunity, if any.</param>
/// <param name="QuoteId">The accepted quote it was created from, if any.</param>
/// <param name="PartnerId">The channel partner, if any.</param>
/// <param name="OwnerId">The rep responsible.</param>
/// <param name="Currency">ISO 4217 currency of every amount.</param>
/// <param name="Status">draft, confirmed, partiallyShipped, shipped, completed or cancelled.</param>
/// <param name="ReadOnly">True once confirmed or cancelled: only the status flow moves it on.</param>
/// <param name="PricedOn">The day the lines were priced on.</param>
/// <param name="Subtotal">Sum of the gross line amounts.</param>
/// <param name="DiscountTotal">Sum of the line discounts.</param>
/// <param name="TaxTotal">Sum of the line taxes.</param>
/// <param name="Total">subtotal − discount + tax; what the credit check weighs.</param>
/// <param name="Notes">Notes.</param>
/// <param name="Lines">The lines in order.</param>
/// <param name="ConfirmedAt">When it was confirmed.</param>
/// <param name="ShippedAt">When its last shipment left, once fully shipped.</param>
/// <param name="CompletedAt">When it was completed.</param>
/// <param name="CancelledAt">When it was cancelled.</param>
/// <param name="CancellationReason">Why it was cancelled.</param>
/// <param name="CreditOverride">Set when a manager confirmed it over the customer's available credit.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record OrderResponse(
    Guid Id,
    string Number,
    string? ExternalId,
    Guid CustomerId,
    Guid? OpportunityId,
    Guid? QuoteId,
    Guid? PartnerId,
    Guid? OwnerId,
    string Currency,
    OrderStatus Status,
    bool ReadOnly,
    DateOnly PricedOn,
    decimal Subtotal,
    decimal DiscountTotal,
    decimal TaxTotal,
    decimal Total,
    string? Notes,
    IReadOnlyList<OrderLineResponse> Lines,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    OrderCreditOverrideResponse? CreditOverride,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>An order in a list (without lines).</summary>
/// <param name="Id">Id.</param>
/// <param name="Number">Order number.</param>
/// <param name="ExternalId">The ERP's id, if any.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OwnerId">The rep responsible.</param>
/// <param name="QuoteId">The quote it came from, if any.</param>
/// <param name="Currency">Currency.</param>
/// <param name="Status">Status.</param>
/// <param name="Total">Total.</param>
/// <param name="CreatedAt">When it was created.</param>
internal sealed record OrderSummaryResponse(
    Guid Id,
    string Number,
    string? ExternalId,
    Guid CustomerId,
    Guid? OwnerId,
    Guid? QuoteId,
    string Currency,
    OrderStatus Status,
    decimal Total,
    DateTimeOffset CreatedAt);

/// <summary>An order with its row version, which the endpoints answer as the ETag.</summary>
internal sealed record VersionedOrder(OrderResponse Order, uint Version);

internal static class OrderProjection
{
    public static readonly Expression<Func<Order, OrderSummaryResponse>> ToSummary = o =>
        new OrderSummaryResponse(o.Id, o.Number, o.ExternalId, o.CustomerId, o.OwnerId, o.QuoteId, o.Currency, o.Status, o.Total, o.CreatedAt);

    /// <summary>Newest first by default.</summary>
    public static readonly SortDefinition<Order, OrderSummaryResponse> Sort = new SortDefinition<Order, OrderSummaryResponse>(o => o.Id, o => o.Id, "-createdAt")
        .Add("createdAt", o => o.CreatedAt, o => o.CreatedAt)
        .Add("total", o => o.Total, o => o.Total);

    public static VersionedOrder Versioned(Order o)
    {
        var lines = o.Lines.OrderBy(l => l.Position)
            .Select(l => new OrderLineResponse(l.Id, l.Position, l.ProductId, l.Sku, l.ProductName, l.Unit, l.Description, l.Quantity, l.ShippedQuantity, l.ReferenceUnitPrice,
                l.PriceSource,
                l.PriceBookId, l.UnitPrice, l.DiscountPercent, l.TaxRatePercent, l.GrossAmount, l.DiscountAmount, l.NetAmount, l.TaxAmount, l.LineTotal))
            .ToList();
        var creditOverride = o.CreditOverrideAt is { } at ? new OrderCreditOverrideResponse(o.CreditOverrideBy, at, o.CreditOverrideReason!) : null;
        return new VersionedOrder(
            new OrderResponse(
                o.Id, o.Number, o.ExternalId, o.CustomerId, o.OpportunityId, o.QuoteId, o.PartnerId, o.OwnerId, o.Currency, o.Status, !o.IsDraft, o.PricedOn,
                o.Subtotal, o.DiscountTotal, o.TaxTotal, o.Total, o.Notes, lines, o.ConfirmedAt, o.ShippedAt, o.CompletedAt, o.CancelledAt, o.CancellationReason,
                creditOverride, o.CreatedAt, o.UpdatedAt),
            o.Version);
    }
}

/// <summary>The credit figures of a confirm: available = credit limit − outstanding balance − open orders.</summary>
internal sealed record CreditFigures(decimal CreditLimit, decimal OutstandingBalance, decimal OpenOrders, decimal OrderAmount)
{
    public decimal Available => CreditLimit - OutstandingBalance - OpenOrders;

    public bool Exceeded => OrderAmount > Available;
}

internal static class OrderProblems
{
    public const string NotDraftType = ProblemTypes.BaseUri + "order-not-draft";
    public const string TransitionType = ProblemTypes.BaseUri + "invalid-order-transition";
    public const string CreditLimitExceededType = ProblemTypes.BaseUri + "credit-limit-exceeded";
    public const string QuoteNotAcceptedType = ProblemTypes.BaseUri + "quote-not-accepted";
    public const string QuoteAlreadyOrderedType = ProblemTypes.BaseUri + "quote-already-ordered";
    public const string HasShipmentsType = ProblemTypes.BaseUri + "order-has-shipments";

    public static ConflictException NotDraft(Order order) =>
        new(NotDraftType, "Order is not a draft", $"Order {order.Number} is {QuoteProblems.Name(order.Status)}; only a draft order can be changed.");

    public static ConflictException Transition(Order order, OrderAction action) =>
        new(TransitionType, "Not allowed in this status", $"Order {order.Number} is {QuoteProblems.Name(order.Status)}; it cannot be {PastTense(action)}.");

    public static ConflictException HasShipments(Order order) =>
        new(HasShipmentsType, "Order has shipments",
            $"Order {order.Number} is {QuoteProblems.Name(order.Status)}; an order with shipments cannot be cancelled (cancel its shipments first).");

    public static ConflictException QuoteAlreadyOrdered(Quote quote) =>
        new(QuoteAlreadyOrderedType, "Quote already ordered", $"{quote.DisplayNumber} already has an order; one quote makes one order.");

    public static ProblemException CreditLimitExceeded(Order order, CreditFigures figures, string currency)
    {
        var problem = new BusinessRuleException(
            CreditLimitExceededType,
            "Credit limit exceeded",
            $"Order {order.Number} ({figures.OrderAmount:0.00} {currency}) exceeds the customer's available credit ({figures.Available:0.00} {currency}); "
            + "a manager may confirm it with override.reason.");
        problem.Extensions["creditLimit"] = figures.CreditLimit;
        problem.Extensions["outstandingBalance"] = figures.OutstandingBalance;
        problem.Extensions["openOrders"] = figures.OpenOrders;
        problem.Extensions["orderAmount"] = figures.OrderAmount;
        problem.Extensions["available"] = figures.Available;
        problem.Extensions["currency"] = currency;
        return problem;
    }

    public static ProblemException OverrideForbidden() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only a sales manager (sales:manage) may confirm an order over the customer's credit limit.");

    private static string PastTense(OrderAction action) => action switch
    {
        OrderAction.Confirm => "confirmed",
        OrderAction.Ship => "shipped",
        OrderAction.Complete => "completed",
        _ => "cancelled",
    };
}

internal static class OrderRules
{
    /// <summary>The order when the caller may see it (by its owner); otherwise 404, whether it exists or not.</summary>
    public static async Task<Order> FindVisibleAsync(IQueryable<Order> orders, AccessScope scope, Guid id, CancellationToken ct) =>
        await orders.Where(o => o.Id == id).Where(scope.Filter<Order>(o => o.OwnerId)).SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Order", id);
}
