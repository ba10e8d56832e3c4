using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary>
/// The last word Customers heard about one won deal: won (<see cref="WonAt"/> set) or reopened (null), as of the event
/// that said so (<see cref="StateAt"/>, <see cref="StateEventId"/>). A customer's <c>last_won_at</c> is the latest
/// <see cref="WonAt"/> of its rows. Rows without an opportunity are the wins stored before the table existed
/// (docs/adr/0041-won-deals-reopened-deals-take-back-last-won-at.md): they stand, as no event can name them.
/// </summary>
internal sealed class WonDeal
{
    private WonDeal()
    {
    }

    public long Id { get; private set; }

    /// <summary>The Sales opportunity; null for a win carried over from before the table.</summary>
    public Guid? OpportunityId { get; private set; }

    /// <summary>The customer it counts for (a merge moves it to the survivor).</summary>
    public Guid CustomerId { get; private set; }

    /// <summary>When it was won, while the win stands; null once it was reopened.</summary>
    public DateTimeOffset? WonAt { get; private set; }

    /// <summary>When the event that set this state occurred.</summary>
    public DateTimeOffset StateAt { get; private set; }

    /// <summary>That event's id (uuid v7): orders two events of the same instant; null for carried-over wins.</summary>
    public Guid? StateEventId { get; private set; }
}

internal static class WonDealModel
{
    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<WonDeal>(deal =>
        {
            deal.ToTable("won_deals");
            deal.HasKey(d => d.Id);
            deal.Property(d => d.Id).UseIdentityAlwaysColumn();
            deal.HasOne<Customer>().WithMany().HasForeignKey(d => d.CustomerId).OnDelete(DeleteBehavior.Restrict);

            // One row per opportunity (the consumer upserts on it; carried-over wins have none, and NULLs are distinct).
            deal.HasIndex(d => d.OpportunityId).IsUnique();

            // A customer's latest standing win (the recompute) and the merge's move, by customer.
            deal.HasIndex(d => d.CustomerId).IncludeProperties(d => d.WonAt);
        });
}

/// <summary>
/// Keeps customers.last_won_at from the Sales module's <see cref="OpportunityWon"/> and <see cref="OpportunityReopened"/>
/// events, for the pool rule "reclaim after M days without a won deal": a reopened deal no longer counts as won.
/// </summary>
internal sealed class CustomerWonDealConsumer(CustomersDbContext db) : IIntegrationEventHandler<OpportunityWon>, IIntegrationEventHandler<OpportunityReopened>
{
    public Task HandleAsync(OpportunityWon integrationEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        return ApplyAsync(integrationEvent, integrationEvent.OpportunityId, integrationEvent.CustomerId, integrationEvent.OccurredAt, ct);
    }

    /// <summary>Reopening a lost deal is recorded too: it says the deal is not won as of then, which is just as true.</summary>
    public Task HandleAsync(OpportunityReopened integrationEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        return ApplyAsync(integrationEvent, integrationEvent.OpportunityId, integrationEvent.CustomerId, null, ct);
    }

    /// <summary>
    /// The outbox delivers at least once and not necessarily in order, so the deal's row only takes an event newer than
    /// the one it holds (by OccurredAt, then by the uuid v7 event id): a redelivered or stale event changes nothing.
    /// A customer merged away passes the deal on to its survivor (merged_into_id always names the final one). When the
    /// row changed, the customers it counted and counts for get their latest standing win again, set-based.
    /// The customer rows are locked first, so two deliveries for one customer (on two instances) recompute one
    /// after the other and the second sees the first's row.
    /// </summary>
    private async Task ApplyAsync(IntegrationEvent integrationEvent, Guid opportunityId, Guid customerId, DateTimeOffset? wonAt, CancellationToken ct)
    {
        var at = integrationEvent.OccurredAt;
        var eventId = integrationEvent.EventId;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync(
            $"""
            SELECT c.id FROM customers.customers c
            WHERE c.id IN (
                SELECT COALESCE(named.merged_into_id, named.id) FROM customers.customers named WHERE named.id = {customerId}
                UNION ALL
                SELECT w.customer_id FROM customers.won_deals w WHERE w.opportunity_id = {opportunityId})
            ORDER BY c.id
            FOR UPDATE
            """,
            ct);

        var affected = await db.Database.SqlQuery<Guid>(
            $"""
            WITH prior AS (
                SELECT customer_id FROM customers.won_deals WHERE opportunity_id = {opportunityId}
            ), applied AS (
                INSERT INTO customers.won_deals AS w (opportunity_id, customer_id, won_at, state_at, state_event_id)
                SELECT {opportunityId}, COALESCE(named.merged_into_id, named.id), CAST({wonAt} AS timestamptz), {at}, {eventId}
                FROM customers.customers named
                WHERE named.id = {customerId}
                ON CONFLICT (opportunity_id) DO UPDATE
                SET customer_id = excluded.customer_id, won_at = excluded.won_at, state_at = excluded.state_at, state_event_id = excluded.state_event_id
                WHERE (excluded.state_at, excluded.state_event_id) > (w.state_at, w.state_event_id)
                RETURNING w.customer_id)
            SELECT customer_id AS "Value" FROM applied
            UNION
            SELECT customer_id FROM prior WHERE EXISTS (SELECT 1 FROM applied)
            """).ToListAsync(ct);

        if (affected.Count > 0)
        {
            await RecomputeAsync(affected, ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Sets each customer's last_won_at to its latest standing win (NULL when none stands), leaving rows that already
    /// hold it untouched (their ETag stays).
    /// </summary>
    private Task RecomputeAsync(List<Guid> customerIds, CancellationToken ct)
    {
        var ids = customerIds.ToArray();
        return db.Database.ExecuteSqlAsync(
            $"""
            UPDATE customers.customers c
            SET last_won_at = latest.won_at
            FROM (SELECT x.id, (SELECT max(w.won_at) FROM customers.won_deals w WHERE w.customer_id = x.id) AS won_at
                  FROM unnest({ids}) AS x(id)) latest
            WHERE c.id = latest.id AND c.last_won_at IS DISTINCT FROM latest.won_at
            """,
            ct);
    }
}
