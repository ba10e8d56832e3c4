using System.Linq.Expressions;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Balance;

/// <summary>One entry of a customer's balance ledger (应收余额台账).</summary>
/// <param name="Id">Entry id (for event-fed entries and adjustments, the id of the integration event).</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Kind">contractSigned, paymentReceived, paymentReversed, contractTerminated, exchangeDifference, manualAdjustment, mergedOut, mergedIn or opening.</param>
/// <param name="Amount">The signed change: positive means the customer owes more.</param>
/// <param name="Currency">The currency of the amounts (CNY).</param>
/// <param name="BalanceAfter">The balance after this entry: the sum of the customer's ledger up to and including it, in ledger order.</param>
/// <param name="ContractId">The contract of an event-fed entry; null otherwise.</param>
/// <param name="Reason">Why (adjustments, merges, opening entries).</param>
/// <param name="Reference">The adjustment's reference, or for a merge entry the code of the other customer.</param>
/// <param name="ActorId">Who made an adjustment or a merge.</param>
/// <param name="AppliedAt">When the change was applied to the balance.</param>
/// <param name="OriginalAmount">For a Sales event, the unsigned amount of the contract or receipt in its own currency (for an exchange difference, the contract's); null otherwise.</param>
/// <param name="OriginalCurrency">The currency of originalAmount (USD for a USD contract, whose amount was converted to CNY).</param>
internal sealed record BalanceLedgerEntryResponse(
    Guid Id, Guid CustomerId, string Kind, decimal Amount, string Currency, decimal BalanceAfter, Guid? ContractId, string? Reason, string? Reference,
    Guid? ActorId, DateTimeOffset AppliedAt, decimal? OriginalAmount, string? OriginalCurrency);

/// <summary>One page of a customer's balance ledger, newest first unless <c>sort=appliedAt</c>.</summary>
internal sealed record ListBalanceLedgerRequest(
    Guid CustomerId, PageRequest Page, string? Sort, string? Kind, DateTimeOffset? From, DateTimeOffset? To, Guid? ContractId)
    : IRequest<Page<BalanceLedgerEntryResponse>>;

/// <summary>One entry of a customer's balance ledger.</summary>
internal sealed record GetBalanceLedgerEntryRequest(Guid CustomerId, Guid EntryId) : IRequest<VersionedBalanceLedgerEntry>;

/// <summary>A ledger entry with the row version that becomes its ETag.</summary>
internal sealed record VersionedBalanceLedgerEntry(BalanceLedgerEntryResponse Entry, uint Version);

internal static class BalanceLedgerProjection
{
    public static readonly SortDefinition<BalanceLedgerEntry, BalanceLedgerEntryResponse> Sort =
        new SortDefinition<BalanceLedgerEntry, BalanceLedgerEntryResponse>(e => e.EventId, e => e.Id, "-appliedAt").Add("appliedAt", e => e.AppliedAt, e => e.AppliedAt);

    /// <summary>The entry without its balance after, which <see cref="WithBalanceAfterAsync"/> fills in.</summary>
    public static Expression<Func<BalanceLedgerEntry, BalanceLedgerEntryResponse>> ToResponse(string currency) => e => Response(e, currency);

    /// <summary>What <see cref="ToResponse"/> projects, for an entry read as a row.</summary>
    public static BalanceLedgerEntryResponse Response(BalanceLedgerEntry e, string currency) =>
        new(e.EventId, e.CustomerId, e.Kind, e.Delta, currency, 0m, e.ContractId, e.Reason, e.Reference, e.ActorId, e.AppliedAt, e.OriginalAmount, e.OriginalCurrency);

    /// <summary>
    /// The running balance of the entries: one window sum over the customer's ledger up to the newest of them, read from
    /// the (customer, appliedAt, id) index that carries the delta. The ledger always sums to the balance, so the newest
    /// entry's balance after is the customer's balance.
    /// </summary>
    public static async Task<IReadOnlyList<BalanceLedgerEntryResponse>> WithBalanceAfterAsync(
        CustomersDbContext db, Guid customerId, IReadOnlyList<BalanceLedgerEntryResponse> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return entries;
        }

        var ids = entries.Select(e => e.Id).ToArray();
        var newest = entries.Max(e => e.AppliedAt);
        var running = await db.Database.SqlQuery<RunningBalance>(
            $"""
            SELECT r.event_id, r.balance_after
            FROM (
                SELECT event_id, SUM(delta) OVER (ORDER BY applied_at, event_id ROWS UNBOUNDED PRECEDING) AS balance_after
                FROM customers.balance_ledger
                WHERE customer_id = {customerId} AND applied_at <= {newest}) r
            WHERE r.event_id = ANY({ids})
            """).ToDictionaryAsync(r => r.EventId, r => r.BalanceAfter, ct);
        return [.. entries.Select(e => e with { BalanceAfter = running[e.Id] })];
    }

    private sealed record RunningBalance(Guid EventId, decimal BalanceAfter);
}

internal sealed class ListBalanceLedgerHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<ListBalanceLedgerRequest, Page<BalanceLedgerEntryResponse>>
{
    public async Task<Page<BalanceLedgerEntryResponse>> Handle(ListBalanceLedgerRequest request, CancellationToken cancellationToken)
    {
        var order = BalanceLedgerProjection.Sort.Parse(request.Sort);
        if (request.Kind is { } kind && !BalanceLedgerKinds.All.Contains(kind))
        {
            throw ValidationFailedException.For("kind", $"Unknown kind '{kind}'. Kinds: {string.Join(", ", BalanceLedgerKinds.All)}.");
        }

        if (request is { From: { } from, To: { } to } && to <= from)
        {
            throw ValidationFailedException.For("to", "to must be after from.");
        }

        // Exactly who may read the customer (pool customers included) may read its ledger.
        var customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken, includePool: true);
        var entries = db.BalanceLedger.AsNoTracking().Where(e => e.CustomerId == customer.Id);
        if (request.Kind is { } only)
        {
            entries = entries.Where(e => e.Kind == only);
        }

        if (request.ContractId is { } contractId)
        {
            entries = entries.Where(e => e.ContractId == contractId);
        }

        if (request.From is { } start)
        {
            var utc = start.ToUniversalTime();
            entries = entries.Where(e => e.AppliedAt >= utc);
        }

        if (request.To is { } end)
        {
            var utc = end.ToUniversalTime();
            entries = entries.Where(e => e.AppliedAt < utc);
        }

        var page = await entries.ToPageAsync(BalanceLedgerProjection.ToResponse(customer.Currency), order, request.Page, cancellationToken);
        return page with { Items = await BalanceLedgerProjection.WithBalanceAfterAsync(db, customer.Id, page.Items, cancellationToken) };
    }
}

internal sealed class GetBalanceLedgerEntryHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<GetBalanceLedgerEntryRequest, VersionedBalanceLedgerEntry>
{
    public async Task<VersionedBalanceLedgerEntry> Handle(GetBalanceLedgerEntryRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken, includePool: true);
        var entry = await db.BalanceLedger.AsNoTracking()
            .SingleOrDefaultAsync(e => e.CustomerId == customer.Id && e.EventId == request.EntryId, cancellationToken)
            ?? throw new NotFoundException("Balance ledger entry", request.EntryId);
        var response = BalanceLedgerProjection.Response(entry, customer.Currency);
        return new VersionedBalanceLedgerEntry((await BalanceLedgerProjection.WithBalanceAfterAsync(db, customer.Id, [response], cancellationToken))[0], entry.Version);
    }
}
