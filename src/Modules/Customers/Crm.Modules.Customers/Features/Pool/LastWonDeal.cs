using Crm.Modules.Customers.Data;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary>
/// Keeps customers.last_won_at from the Sales module's <see cref="OpportunityWon"/> events, for the pool rule
/// "reclaim after M days without a won deal".
/// </summary>
internal sealed class CustomerWonDealConsumer(CustomersDbContext db) : IIntegrationEventHandler<OpportunityWon>
{
    /// <summary>
    /// One statement that only moves the date forward: the outbox delivers at least once and not necessarily in order,
    /// so a redelivered or an older win changes nothing and needs no ledger. A customer merged away passes the win on to
    /// its survivor (merged_into_id always names the final one).
    /// </summary>
    public Task HandleAsync(OpportunityWon integrationEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var customerId = integrationEvent.CustomerId;
        var wonAt = integrationEvent.OccurredAt;
        return db.Database.ExecuteSqlAsync(
            $"""
            UPDATE customers.customers c
            SET last_won_at = {wonAt}
            FROM customers.customers named
            WHERE named.id = {customerId}
              AND c.id = COALESCE(named.merged_into_id, named.id)
              AND (c.last_won_at IS NULL OR c.last_won_at < {wonAt})
            """,
            ct);
    }
}
