using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>Create a draft order for a customer.</summary>
/// <param name="CustomerId">The customer (required; visible to the caller and open for business).</param>
/// <param name="Lines">The lines (1 to 200), priced like quote lines: unitPrice defaults from price resolution.</param>
/// <param name="Currency">ISO 4217 currency of every amount (default CNY); resolved prices must be in it.</param>
/// <param name="OpportunityId">The opportunity it closes, if any; must be visible and of the same customer.</param>
/// <param name="PartnerId">The channel partner selling it, if any (an active partner).</param>
/// <param name="Notes">Notes (at most 4000 characters).</param>
internal sealed record CreateOrderRequest(
    Guid? CustomerId,
    IReadOnlyList<QuoteLineRequest>? Lines,
    string? Currency = null,
    Guid? OpportunityId = null,
    Guid? PartnerId = null,
    string? Notes = null) : IRequest<VersionedOrder>;

internal sealed class CreateOrderValidator : AbstractValidator<CreateOrderRequest>
{
    public CreateOrderValidator()
    {
        RuleFor(r => r.CustomerId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.OpportunityId).NotEqual(Guid.Empty);
        RuleFor(r => r.PartnerId).NotEqual(Guid.Empty);
        RuleFor(r => r.Lines).NotEmpty().Must(l => l is null || l.Count <= Order.MaxLines).WithMessage($"An order has 1 to {Order.MaxLines} lines.");
        RuleForEach(r => r.Lines).SetValidator(new QuoteLineValidator());
        RuleFor(r => r.Currency).Matches("^[A-Z]{3}$").When(r => r.Currency is not null).WithMessage("currency must be an ISO 4217 code such as CNY.");
        RuleFor(r => r.Notes).MaximumLength(Order.MaxNotesLength);
    }
}

internal sealed class CreateOrderHandler(SalesDbContext db, OrderWriter writer) : IRequestHandler<CreateOrderRequest, VersionedOrder>
{
    public async Task<VersionedOrder> Handle(CreateOrderRequest request, CancellationToken cancellationToken)
    {
        var terms = await writer.CheckAsync(request, cancellationToken);
        var order = await writer.CreateAsync(terms, request.Notes, externalId: null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return OrderProjection.Versioned(order);
    }
}

/// <summary>Create the order of an accepted quote: its customer, opportunity, owner, currency and lines as accepted.</summary>
/// <param name="PartnerId">The channel partner selling it, if any.</param>
/// <param name="Notes">Notes (at most 4000 characters).</param>
internal sealed record CreateOrderFromQuoteRequest(Guid? PartnerId = null, string? Notes = null) : IRequest<VersionedOrder>
{
    [JsonIgnore]
    public Guid QuoteId { get; init; }
}

internal sealed class CreateOrderFromQuoteValidator : AbstractValidator<CreateOrderFromQuoteRequest>
{
    public CreateOrderFromQuoteValidator()
    {
        RuleFor(r => r.PartnerId).NotEqual(Guid.Empty);
        RuleFor(r => r.Notes).MaximumLength(Order.MaxNotesLength);
    }
}

internal sealed class CreateOrderFromQuoteHandler(SalesDbContext db, OrderWriter writer, ICustomerDirectory customers, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<CreateOrderFromQuoteRequest, VersionedOrder>
{
    public async Task<VersionedOrder> Handle(CreateOrderFromQuoteRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes.AsNoTracking(), await access.GetAsync(cancellationToken), request.QuoteId, cancellationToken);
        if (quote.Status != QuoteStatus.Accepted)
        {
            throw new ConflictException(OrderProblems.QuoteNotAcceptedType, "Quote not accepted",
                $"{quote.DisplayNumber} is {QuoteProblems.Name(quote.Status)}; only an accepted quote becomes an order.");
        }

        if (await db.Orders.AnyAsync(o => o.QuoteId == quote.Id, cancellationToken))
        {
            throw OrderProblems.QuoteAlreadyOrdered(quote);
        }

        // The customer accepted the quote, but may have been archived or blacklisted since; a merged one is its survivor.
        var found = await customers.FindAsync([quote.CustomerId], cancellationToken);
        if (found.TryGetValue(quote.CustomerId, out var customer) && customer.Status is "archived" or "blacklisted")
        {
            throw new BusinessRuleException(QuoteProblems.CustomerNotOpenType, "Customer not open for business", $"Customer {customer.Code} is {customer.Status}: no new orders.");
        }

        await writer.EnsurePartnerAsync(request.PartnerId, cancellationToken);
        var today = QuoteRules.Today(time);
        var order = Order.Create(
            await writer.NextNumberAsync(today, cancellationToken), customer?.Id ?? quote.CustomerId, quote.OpportunityId, quote.Id, request.PartnerId, quote.OwnerId,
            externalId: null, quote.Currency, request.Notes ?? quote.Notes, quote.PricedOn, quote.Lines.OrderBy(l => l.Position).Select(OrderLine.From).ToList(),
            time.UtcNow());
        db.Orders.Add(order);

        // Two concurrent requests for the same quote: the unique index on quote_id lets one through.
        await db.SaveChangesOrConflictAsync(_ => OrderProblems.QuoteAlreadyOrdered(quote), cancellationToken);

        return OrderProjection.Versioned(order);
    }
}

internal sealed record GetOrderRequest(Guid Id) : IRequest<VersionedOrder>;

internal sealed class GetOrderHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetOrderRequest, VersionedOrder>
{
    public async Task<VersionedOrder> Handle(GetOrderRequest request, CancellationToken cancellationToken) =>
        OrderProjection.Versioned(await OrderRules.FindVisibleAsync(db.Orders.AsNoTracking(), await access.GetAsync(cancellationToken), request.Id, cancellationToken));
}

/// <summary>
/// A JSON merge patch of a draft order. <c>lines</c> replaces every line and prices them for today, for the order's
/// customer and currency.
/// </summary>
/// <param name="Notes">Notes; null clears them.</param>
/// <param name="PartnerId">The channel partner; null removes it.</param>
/// <param name="Lines">Replaces all lines.</param>
internal sealed record UpdateOrderRequest(
    Optional<string?> Notes,
    Optional<Guid?> PartnerId,
    Optional<IReadOnlyList<QuoteLineRequest>> Lines) : IRequest<VersionedOrder>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateOrderValidator : AbstractValidator<UpdateOrderRequest>
{
    public UpdateOrderValidator()
    {
        RuleFor(r => r.Notes.Value).MaximumLength(Order.MaxNotesLength).When(r => r.Notes.HasValue).OverridePropertyName("notes");
        RuleFor(r => r.PartnerId.Value).NotEqual(Guid.Empty).When(r => r.PartnerId.HasValue).OverridePropertyName("partnerId");
        RuleFor(r => r.Lines.Value).NotEmpty().Must(l => l is null || l.Count <= Order.MaxLines).When(r => r.Lines.HasValue).OverridePropertyName("lines")
            .WithMessage($"An order has 1 to {Order.MaxLines} lines.");
        RuleForEach(r => r.Lines.Value).SetValidator(new QuoteLineValidator()).When(r => r.Lines.HasValue && r.Lines.Value is not null)
            .OverridePropertyName("lines");
    }
}

internal sealed class UpdateOrderHandler(SalesDbContext db, OrderWriter writer, ICustomerDirectory customers, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<UpdateOrderRequest, VersionedOrder>
{
    public async Task<VersionedOrder> Handle(UpdateOrderRequest request, CancellationToken cancellationToken)
    {
        var order = await OrderRules.FindVisibleAsync(db.Orders, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(order.Version);
        if (!order.IsDraft)
        {
            throw OrderProblems.NotDraft(order);
        }

        var now = time.UtcNow();
        var partnerId = request.PartnerId.Or(order.PartnerId);
        if (partnerId != order.PartnerId)
        {
            await writer.EnsurePartnerAsync(partnerId, cancellationToken);
        }

        order.Edit(order.CustomerId, order.OpportunityId, partnerId, order.Currency, request.Notes.Or(order.Notes), now);
        if (request.Lines.HasValue)
        {
            var found = await customers.FindAsync([order.CustomerId], cancellationToken);
            var today = QuoteRules.Today(time);
            var lines = await writer.PriceAsync(found.GetValueOrDefault(order.CustomerId), order.Currency, today, request.Lines.Value, cancellationToken);
            writer.ReplaceLines(order, lines, today, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return OrderProjection.Versioned(order);
    }
}

/// <summary>Filters of the order list.</summary>
/// <param name="CustomerId">Only this customer's orders.</param>
/// <param name="OwnerId">Only this owner's orders.</param>
/// <param name="Status">Only orders in this status.</param>
/// <param name="CreatedFrom">Created at or after this instant.</param>
/// <param name="CreatedTo">Created before this instant.</param>
/// <param name="Q">A substring of the order number, taken literally.</param>
internal sealed record OrderFilter(Guid? CustomerId, Guid? OwnerId, OrderStatus? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, string? Q);

internal sealed record ListOrdersRequest(PageRequest Page, string? Sort, OrderFilter Filter) : IRequest<Page<OrderSummaryResponse>>;

internal sealed class ListOrdersValidator : AbstractValidator<ListOrdersRequest>
{
    public ListOrdersValidator()
    {
        RuleFor(r => r.Filter.CreatedTo).Must((r, to) => to is null || r.Filter.CreatedFrom is null || r.Filter.CreatedFrom < to)
            .OverridePropertyName("createdTo").WithMessage("createdTo must be after createdFrom.");
        RuleFor(r => r.Filter.Q).MaximumLength(100).OverridePropertyName("q");
    }
}

internal sealed class ListOrdersHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListOrdersRequest, Page<OrderSummaryResponse>>
{
    public async Task<Page<OrderSummaryResponse>> Handle(ListOrdersRequest request, CancellationToken cancellationToken)
    {
        var order = OrderProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var orders = Apply(db.Orders.AsNoTracking().IgnoreAutoIncludes().Where(scope.Filter<Order>(o => o.OwnerId)), request.Filter);
        return await orders.ToPageAsync(OrderProjection.ToSummary, order, request.Page, cancellationToken);
    }

    /// <summary>The list's filters (the export applies the same ones, so a filter means the same in both).</summary>
    public static IQueryable<Order> Apply(IQueryable<Order> orders, OrderFilter filter)
    {
        if (filter.CustomerId is { } customerId)
        {
            orders = orders.Where(o => o.CustomerId == customerId);
        }

        if (filter.OwnerId is { } ownerId)
        {
            orders = orders.Where(o => o.OwnerId == ownerId);
        }

        if (filter.Status is { } status)
        {
            orders = orders.Where(o => o.Status == status);
        }

        // timestamptz takes UTC offsets only; the instant is the same.
        if (filter.CreatedFrom is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            orders = orders.Where(o => o.CreatedAt >= fromUtc);
        }

        if (filter.CreatedTo is { } to)
        {
            var toUtc = to.ToUniversalTime();
            orders = orders.Where(o => o.CreatedAt < toUtc);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = LikePattern.Contains(filter.Q.Trim());
            orders = orders.Where(o => EF.Functions.ILike(o.Number, pattern, LikePattern.Escape));
        }

        return orders;
    }
}

/// <summary>A manager's override of the credit check.</summary>
/// <param name="Reason">Why the order may go over the customer's available credit (required, at most 500 characters).</param>
internal sealed record OrderCreditOverrideRequest(string? Reason);

/// <summary>Confirm, complete or cancel an order (shipping is a shipment, see <see cref="RecordShipmentRequest"/>).</summary>
/// <param name="Id">The order.</param>
/// <param name="Action">What to do.</param>
/// <param name="Reason">Why it is cancelled (cancel only).</param>
/// <param name="Override">A manager's credit override (confirm only).</param>
/// <param name="MayOverrideCredit">Whether the caller holds sales:manage.</param>
/// <param name="IfMatch">The caller's ETag, if any.</param>
internal sealed record OrderActionRequest(Guid Id, OrderAction Action, string? Reason, OrderCreditOverrideRequest? Override, bool MayOverrideCredit, IfMatch IfMatch)
    : IRequest<VersionedOrder>;

internal sealed class OrderActionValidator : AbstractValidator<OrderActionRequest>
{
    public OrderActionValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().When(r => r.Action == OrderAction.Cancel).MaximumLength(Order.MaxReasonLength).OverridePropertyName("reason");
        RuleFor(r => r.Override!.Reason).NotEmpty().MaximumLength(Order.MaxReasonLength).When(r => r.Override is not null).OverridePropertyName("override.reason");
    }
}

internal sealed class OrderActionHandler(SalesDbContext db, ICustomerDirectory customers, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<OrderActionRequest, VersionedOrder>
{
    public async Task<VersionedOrder> Handle(OrderActionRequest request, CancellationToken cancellationToken)
    {
        // An override is a manager's act whether or not this order ends up needing it.
        if (request.Override is not null && !request.MayOverrideCredit)
        {
            throw OrderProblems.OverrideForbidden();
        }

        var order = await OrderRules.FindVisibleAsync(db.Orders, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(order.Version);
        if (request.Action == OrderAction.Cancel && order.HasShipments)
        {
            throw OrderProblems.HasShipments(order);
        }

        if (Order.Next(order.Status, request.Action) is null)
        {
            throw OrderProblems.Transition(order, request.Action);
        }

        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        CreditOverride? creditOverride = null;
        if (request.Action == OrderAction.Confirm)
        {
            var figures = await CreditFiguresAsync(order, cancellationToken);
            if (figures is { Exceeded: true })
            {
                creditOverride = request.Override is { } granted
                    ? new CreditOverride(actor.Id, now, granted.Reason!)
                    : throw OrderProblems.CreditLimitExceeded(order, figures, order.Currency);
            }
        }

        var wasConfirmed = order.Status == OrderStatus.Confirmed;
        order.Apply(request.Action, request.Reason, creditOverride, now);
        db.AddIntegrationEvent(request.Action switch
        {
            OrderAction.Confirm => new OrderPlaced(now)
            {
                OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, QuoteId = order.QuoteId,
                Amount = order.Total, Currency = order.Currency, CreditOverridden = creditOverride is not null,
            },
            OrderAction.Cancel => new OrderCancelled(now)
            {
                OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, Amount = order.Total,
                Currency = order.Currency, WasConfirmed = wasConfirmed, Reason = order.CancellationReason!,
            },
            OrderAction.Complete => new OrderCompleted(now)
            {
                OrderId = order.Id, OrderNumber = order.Number, CustomerId = order.CustomerId, OwnerId = order.OwnerId, Amount = order.Total, Currency = order.Currency,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Action, "Shipping records a shipment (RecordShipmentRequest)."),
        });

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return OrderProjection.Versioned(order);
    }

    /// <summary>
    /// The customer's figures, or null when the customer has no credit limit (nothing to check). Confirms of one customer
    /// are serialised by a transaction-level advisory lock, so two orders cannot both fit into the same available credit.
    /// </summary>
    private async Task<CreditFigures?> CreditFiguresAsync(Order order, CancellationToken ct)
    {
        var found = await customers.FindAsync([order.CustomerId], ct);
        if (!found.TryGetValue(order.CustomerId, out var customer) || customer.CreditLimit is not { } creditLimit)
        {
            return null;
        }

        var lockKey = BitConverter.ToInt64(order.CustomerId.ToByteArray(), 8);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({lockKey})", ct);
        // Written as constants, not a parameter list, so the planner can use the partial index of open orders.
        var openOrders = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.CustomerId == order.CustomerId && o.Id != order.Id
                && (o.Status == OrderStatus.Confirmed || o.Status == OrderStatus.PartiallyShipped || o.Status == OrderStatus.Shipped))
            .SumAsync(o => o.Total, ct);
        return new CreditFigures(creditLimit, customer.OutstandingBalance, openOrders, order.Total);
    }
}
