using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Balance;

/// <summary>The kinds of ledger entries, in their API spelling.</summary>
internal static class BalanceLedgerKinds
{
    public const string ContractSigned = "contractSigned";
    public const string PaymentReceived = "paymentReceived";
    public const string PaymentReversed = "paymentReversed";
    public const string ContractTerminated = "contractTerminated";
    public const string ExchangeDifference = "exchangeDifference";
    public const string ManualAdjustment = "manualAdjustment";
    public const string MergedOut = "mergedOut";
    public const string MergedIn = "mergedIn";
    public const string Opening = "opening";

    public static readonly IReadOnlyList<string> All =
        [ContractSigned, PaymentReceived, PaymentReversed, ContractTerminated, ExchangeDifference, ManualAdjustment, MergedOut, MergedIn, Opening];
}

/// <summary>
/// One applied change of a customer's outstanding balance (应收余额). The ledger is the record: a customer's entries always
/// sum to its balance (docs/adr/0027-customer-balance-is-a-ledger.md). Entries fed by integration events are keyed by the
/// event id: the outbox delivers at least once (a crash between a consumer's commit and the delivery record redelivers),
/// so the event id as primary key is what makes a second delivery change nothing.
/// </summary>
internal sealed class BalanceLedgerEntry
{
    public const int MaxReferenceLength = 100;

    private BalanceLedgerEntry()
    {
    }

    public Guid EventId { get; private set; }

    public Guid CustomerId { get; private set; }

    /// <summary>Positive: the customer owes more (contract signed, receipt reversed); negative: less (payment received, contract terminated).</summary>
    public decimal Delta { get; private set; }

    /// <summary>One of <see cref="BalanceLedgerKinds"/>.</summary>
    public string Kind { get; private set; } = string.Empty;

    /// <summary>The contract the change belongs to; null for adjustments, merges and opening entries.</summary>
    public Guid? ContractId { get; private set; }

    /// <summary>Who made a manual adjustment or a merge; null for event-fed and opening entries.</summary>
    public Guid? ActorId { get; private set; }

    /// <summary>Why (adjustments, merges, opening entries).</summary>
    public string? Reason { get; private set; }

    /// <summary>The caller's reference of an adjustment (a voucher number), or for a merge the other customer's code.</summary>
    public string? Reference { get; private set; }

    public DateTimeOffset AppliedAt { get; private set; }

    /// <summary>The row version (xmin), the entry's ETag. Entries are never updated, so it stays.</summary>
    public uint Version { get; private set; }

    /// <summary>
    /// For a Sales event: the contract's or receipt's amount (unsigned) in its own currency, before conversion to CNY; for an
    /// exchange difference the contract's amount.
    /// </summary>
    public decimal? OriginalAmount { get; private set; }

    /// <summary>The ISO 4217 currency of <see cref="OriginalAmount"/>.</summary>
    public string? OriginalCurrency { get; private set; }

    /// <summary>A manual adjustment, keyed by the id of the <c>CustomerBalanceAdjusted</c> event written with it.</summary>
    public static BalanceLedgerEntry Adjustment(Guid eventId, Guid customerId, decimal amount, Guid? actorId, string reason, string? reference, DateTimeOffset at) =>
        new()
        {
            EventId = eventId, CustomerId = customerId, Delta = amount, Kind = BalanceLedgerKinds.ManualAdjustment, ActorId = actorId,
            Reason = reason.Trim(), Reference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(), AppliedAt = at,
        };

    /// <summary>One side of a merge: the loser's balance leaves it (<paramref name="delta"/> negative) and enters the survivor.</summary>
    public static BalanceLedgerEntry Merge(Guid customerId, decimal delta, string kind, Guid? actorId, string reason, string otherCode, DateTimeOffset at) =>
        new()
        {
            EventId = Guid.CreateVersion7(at), CustomerId = customerId, Delta = delta, Kind = kind, ActorId = actorId, Reason = reason,
            Reference = otherCode, AppliedAt = at,
        };
}

internal static class BalanceLedgerModel
{
    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<BalanceLedgerEntry>(entry =>
        {
            entry.ToTable("balance_ledger");
            entry.HasKey(e => e.EventId);
            entry.Property(e => e.Delta).HasPrecision(18, 2);
            entry.Property(e => e.Kind).HasMaxLength(30);
            entry.Property(e => e.Reason).HasMaxLength(CustomerHistoryEntry.MaxReasonLength);
            entry.Property(e => e.Reference).HasMaxLength(BalanceLedgerEntry.MaxReferenceLength);
            entry.Property(e => e.OriginalAmount).HasPrecision(18, 2);
            entry.Property(e => e.OriginalCurrency).HasMaxLength(3);
            entry.Property(e => e.Version).IsRowVersion();

            // The customer's ledger, newest first, seeks on (customer, appliedAt, id); the kind filter on its own index.
            // Both carry the delta, so the running balance (balanceAfter) is an index-only sum.
            entry.HasIndex(e => new { e.CustomerId, e.AppliedAt, e.EventId }).IncludeProperties(e => e.Delta);
            entry.HasIndex(e => new { e.CustomerId, e.Kind, e.AppliedAt, e.EventId });

            // A contract's entries (contractId filter): only event-fed entries name one, so the index leaves the others out.
            entry.HasIndex(e => new { e.CustomerId, e.ContractId, e.AppliedAt, e.EventId }).HasFilter("contract_id IS NOT NULL");
        });
}

/// <summary>Keeps customers.outstanding_balance in step with the Sales module's contracts and receipts.</summary>
internal sealed class CustomerBalanceConsumer(CustomersDbContext db, TimeProvider time)
    : IIntegrationEventHandler<ContractSigned>, IIntegrationEventHandler<PaymentReceived>, IIntegrationEventHandler<PaymentReversed>,
      IIntegrationEventHandler<ContractTerminated>, IIntegrationEventHandler<ExchangeDifferenceBooked>
{
    public Task HandleAsync(ContractSigned integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent, integrationEvent.CustomerId, integrationEvent.ContractId, 1, integrationEvent.Amount, integrationEvent.Currency,
            integrationEvent.BalanceAmount, BalanceLedgerKinds.ContractSigned, ct);

    public Task HandleAsync(PaymentReceived integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent, integrationEvent.CustomerId, integrationEvent.ContractId, -1, integrationEvent.Amount, integrationEvent.Currency,
            integrationEvent.BalanceAmount, BalanceLedgerKinds.PaymentReceived, ct);

    public Task HandleAsync(PaymentReversed integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent, integrationEvent.CustomerId, integrationEvent.ContractId, 1, integrationEvent.Amount, integrationEvent.Currency,
            integrationEvent.BalanceAmount, BalanceLedgerKinds.PaymentReversed, ct);

    /// <summary>What was unpaid at termination is no longer owed; recorded even when nothing was unpaid, so the ledger shows the termination.</summary>
    public Task HandleAsync(ContractTerminated integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent, integrationEvent.CustomerId, integrationEvent.ContractId, -1, integrationEvent.UnpaidAmount, integrationEvent.Currency,
            integrationEvent.BalanceAmount, BalanceLedgerKinds.ContractTerminated, ct);

    /// <summary>
    /// Sales computed the difference that brings a settled foreign-currency contract's CNY contribution to zero (ADR 0036);
    /// the entry carries the contract amount in its own currency beside the CNY change.
    /// </summary>
    public Task HandleAsync(ExchangeDifferenceBooked integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent, integrationEvent.CustomerId, integrationEvent.ContractId, 1, integrationEvent.ContractAmount, integrationEvent.Currency,
            integrationEvent.BalanceAmount, BalanceLedgerKinds.ExchangeDifference, ct);

    /// <summary>
    /// One statement: the ledger insert and the balance update commit together, and the update only sees a row when the
    /// insert did not hit an existing event id. A customer merged away passes the change on to the one it was merged into,
    /// and the entry is written there too, so every customer's ledger keeps summing to its balance. The balance is in CNY:
    /// the change is the event's CNY amount; an event written before exchange rates existed has none and moves the balance
    /// by its nominal amount, as it did then (ADR 0032). The entry keeps the amount in its own currency beside it.
    /// </summary>
    private Task ApplyAsync(
        IntegrationEvent integrationEvent, Guid customerId, Guid contractId, int sign, decimal amount, string currency, decimal? balanceAmount, string kind,
        CancellationToken ct)
    {
        var delta = sign * (balanceAmount ?? amount);
        return db.Database.ExecuteSqlAsync(
            $"""
            WITH applied AS (
                INSERT INTO customers.balance_ledger (event_id, customer_id, delta, kind, contract_id, applied_at, original_amount, original_currency)
                SELECT {integrationEvent.EventId}, COALESCE(named.merged_into_id, named.id), {delta}, {kind}, {contractId}, {time.UtcNow()}, {amount}, {currency}
                FROM customers.customers named
                WHERE named.id = {customerId}
                ON CONFLICT (event_id) DO NOTHING
                RETURNING customer_id, delta)
            UPDATE customers.customers c
            SET outstanding_balance = c.outstanding_balance + applied.delta
            FROM applied
            WHERE c.id = applied.customer_id
            """,
            ct);
    }
}
