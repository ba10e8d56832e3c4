using Crm.Modules.Customers.Data;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Balance;

/// <summary>
/// One applied change of a customer's outstanding balance (应收余额), keyed by the integration event that caused it. The
/// outbox delivers at least once (a crash between a consumer's commit and the delivery record redelivers), so the
/// event id as primary key is what makes a second delivery change nothing.
/// </summary>
internal sealed class BalanceLedgerEntry
{
    private BalanceLedgerEntry()
    {
    }

    public Guid EventId { get; private set; }

    public Guid CustomerId { get; private set; }

    /// <summary>Positive: the customer owes more (contract signed, receipt reversed); negative: less (payment received, contract terminated).</summary>
    public decimal Delta { get; private set; }

    /// <summary>contractSigned, paymentReceived, paymentReversed, contractTerminated.</summary>
    public string Kind { get; private set; } = string.Empty;

    /// <summary>The contract the change belongs to.</summary>
    public Guid ContractId { get; private set; }

    public DateTimeOffset AppliedAt { get; private set; }
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
            entry.HasIndex(e => new { e.CustomerId, e.AppliedAt });
        });
}

/// <summary>Keeps customers.outstanding_balance in step with the Sales module's contracts and receipts.</summary>
internal sealed class CustomerBalanceConsumer(CustomersDbContext db, TimeProvider time)
    : IIntegrationEventHandler<ContractSigned>, IIntegrationEventHandler<PaymentReceived>, IIntegrationEventHandler<PaymentReversed>,
      IIntegrationEventHandler<ContractTerminated>
{
    public Task HandleAsync(ContractSigned integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent.EventId, integrationEvent.CustomerId, integrationEvent.ContractId, integrationEvent.Amount, "contractSigned", ct);

    public Task HandleAsync(PaymentReceived integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent.EventId, integrationEvent.CustomerId, integrationEvent.ContractId, -integrationEvent.Amount, "paymentReceived", ct);

    public Task HandleAsync(PaymentReversed integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent.EventId, integrationEvent.CustomerId, integrationEvent.ContractId, integrationEvent.Amount, "paymentReversed", ct);

    /// <summary>What was unpaid at termination is no longer owed; recorded even when nothing was unpaid, so the ledger shows the termination.</summary>
    public Task HandleAsync(ContractTerminated integrationEvent, CancellationToken ct) =>
        ApplyAsync(integrationEvent.EventId, integrationEvent.CustomerId, integrationEvent.ContractId, -integrationEvent.UnpaidAmount, "contractTerminated", ct);

    /// <summary>
    /// One statement: the ledger insert and the balance update commit together, and the update only sees a row when the
    /// insert did not hit an existing event id. A customer merged away passes the change on to the one it was merged into.
    /// </summary>
    private Task ApplyAsync(Guid eventId, Guid customerId, Guid contractId, decimal delta, string kind, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"""
            WITH applied AS (
                INSERT INTO customers.balance_ledger (event_id, customer_id, delta, kind, contract_id, applied_at)
                VALUES ({eventId}, {customerId}, {delta}, {kind}, {contractId}, {time.UtcNow()})
                ON CONFLICT (event_id) DO NOTHING
                RETURNING customer_id, delta)
            UPDATE customers.customers c
            SET outstanding_balance = c.outstanding_balance + applied.delta
            FROM applied
            LEFT JOIN customers.customers merged ON merged.id = applied.customer_id
            WHERE c.id = COALESCE(merged.merged_into_id, applied.customer_id)
            """,
            ct);
}
