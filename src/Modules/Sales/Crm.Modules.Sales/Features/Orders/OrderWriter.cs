using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Leads;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>The terms of an order as checked against the customer, opportunity, partner and catalogue.</summary>
internal sealed record CheckedOrderTerms(CustomerSnapshot Customer, Opportunity? Opportunity, Guid? PartnerId, string Currency, DateOnly PricedOn, List<OrderLine> Lines);

/// <summary>
/// What creating an order directly, replacing a draft and the ERP upsert share: the checks of the terms and the pricing of
/// the lines, which is the quote's (one batched price resolution, the same rounding), so both documents agree to the cent.
/// </summary>
internal sealed class OrderWriter(
    SalesDbContext db,
    PriceResolver prices,
    ICustomerDirectory customers,
    IAccessScopeProvider access,
    ICurrentActor actor,
    TimeProvider time)
{
    public async Task<CheckedOrderTerms> CheckAsync(CreateOrderRequest request, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        var customer = await QuoteRules.FindCustomerAsync(customers, scope, request.CustomerId!.Value, LineDocument.Order, ct);
        Opportunity? opportunity = null;
        if (request.OpportunityId is { } opportunityId)
        {
            opportunity = await db.Opportunities.AsNoTracking().Where(o => o.Id == opportunityId).Where(scope.Filter<Opportunity>(o => o.OwnerId))
                .SingleOrDefaultAsync(ct);
            if (opportunity is null || (opportunity.CustomerId != customer.Id && opportunity.CustomerId != request.CustomerId))
            {
                throw QuoteProblems.UnknownOpportunity(opportunityId);
            }
        }

        await EnsurePartnerAsync(request.PartnerId, ct);
        var currency = request.Currency ?? Order.DefaultCurrency;
        var today = QuoteRules.Today(time);
        var lines = await PriceAsync(customer, currency, today, request.Lines!, ct);
        return new CheckedOrderTerms(customer, opportunity, request.PartnerId, currency, today, lines);
    }

    /// <summary>Prices the lines as a quote prices them and turns them into order lines.</summary>
    public async Task<List<OrderLine>> PriceAsync(CustomerSnapshot? customer, string currency, DateOnly day, IReadOnlyList<QuoteLineRequest> lines, CancellationToken ct) =>
        (await QuoteRules.PriceLinesAsync(db, prices, customer, currency, day, lines, LineDocument.Order, ct)).Select(OrderLine.From).ToList();

    public async Task EnsurePartnerAsync(Guid? partnerId, CancellationToken ct)
    {
        if (partnerId is { } id && !await db.Partners.AnyAsync(p => p.Id == id && p.Active, ct))
        {
            throw LeadsProblems.UnknownPartner(id);
        }
    }

    /// <summary>A new draft order with the next number; the owner is the opportunity's, else the customer's, else the caller.</summary>
    public async Task<Order> CreateAsync(CheckedOrderTerms terms, string? notes, string? externalId, CancellationToken ct)
    {
        var order = Order.Create(
            await NextNumberAsync(terms.PricedOn, ct), terms.Customer.Id, terms.Opportunity?.Id, quoteId: null, terms.PartnerId,
            terms.Opportunity?.OwnerId ?? terms.Customer.OwnerId ?? actor.Id, externalId, terms.Currency, notes, terms.PricedOn, terms.Lines, time.UtcNow());
        db.Orders.Add(order);
        return order;
    }

    /// <summary>Replaces the terms and lines of a draft as a whole (the ERP sends the full order).</summary>
    public void Replace(Order order, CheckedOrderTerms terms, string? notes)
    {
        var now = time.UtcNow();
        order.Edit(terms.Customer.Id, terms.Opportunity?.Id, terms.PartnerId, terms.Currency, notes, now);
        ReplaceLines(order, terms.Lines, terms.PricedOn, now);
    }

    public void ReplaceLines(Order order, List<OrderLine> lines, DateOnly pricedOn, DateTimeOffset now)
    {
        // Removed and added with explicit states, so EF never mistakes a new line (its id is set) for an existing one.
        db.OrderLines.RemoveRange(order.Lines);
        order.ReplaceLines(lines, pricedOn, now);
        db.OrderLines.AddRange(lines);
    }

    /// <summary>SO-{year}-{n}: from a sequence, unique without a read-then-write race.</summary>
    public async Task<string> NextNumberAsync(DateOnly today, CancellationToken ct) => (await NextNumbersAsync(db, today, 1, ct))[0];

    /// <summary><paramref name="count"/> new order numbers in one statement (an import numbers a chunk's orders at once).</summary>
    public static async Task<List<string>> NextNumbersAsync(SalesDbContext db, DateOnly today, int count, CancellationToken ct)
    {
        var sequences = await db.Database.SqlQueryRaw<long>(
                $"SELECT nextval('{SalesDbContext.SchemaName}.{OrdersModel.OrderNumberSequence}') AS \"Value\" FROM generate_series(1, {{0}})", count)
            .ToListAsync(ct);
        return sequences.Order().Select(sequence => FormattableString.Invariant($"SO-{today.Year}-{sequence:D6}")).ToList();
    }
}
