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
/// events, for the pool rule "reclaim after M days without a won deal": a reopened deal no longer counts as won. Events
/// arrive a batch at a time (an import of closed-won deals is a few statements per batch, not four per deal).
/// </summary>
internal sealed class CustomerWonDealConsumer(CustomersDbContext db) : IIntegrationEventBatchHandler<OpportunityWon>, IIntegrationEventBatchHandler<OpportunityReopened>
{
    public Task HandleAsync(IReadOnlyList<OpportunityWon> integrationEvents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integrationEvents);
        return ApplyAsync([.. integrationEvents.Select(e => new DealState(e.OpportunityId, e.CustomerId, e.OccurredAt, e.OccurredAt, e.EventId))], ct);
    }

    /// <summary>Reopening a lost deal is recorded too: it says the deal is not won as of then, which is just as true.</summary>
    public Task HandleAsync(IReadOnlyList<OpportunityReopened> integrationEvents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integrationEvents);
        return ApplyAsync([.. integrationEvents.Select(e => new DealState(e.OpportunityId, e.CustomerId, null, e.OccurredAt, e.EventId))], ct);
    }

    /// <summary>What one event says of its deal: won at <see cref="WonAt"/>, or not won (null), as of <see cref="At"/>.</summary>
    private sealed record DealState(Guid OpportunityId, Guid CustomerId, DateTimeOffset? WonAt, DateTimeOffset At, Guid EventId);

    /// <summary>
    /// The outbox delivers at least once and not necessarily in order, so a deal's row only takes an event newer than the
    /// one it holds (by OccurredAt, then by the uuid v7 event id), and of the events a batch holds for one deal only the
    /// newest counts: a redelivered or stale event changes nothing. A customer merged away passes the deal on to its
    /// survivor (merged_into_id always names the final one). The customers whose deals changed (those they counted and
    /// count for) get their latest standing win again, set-based. The customer rows are locked first, in id order, so two
    /// deliveries for one customer (on two instances) recompute one after the other and the second sees the first's rows.
    /// </summary>
    private async Task ApplyAsync(IReadOnlyList<DealState> states, CancellationToken ct)
    {
        if (states.Count == 0)
        {
            return;
        }

        var opportunities = states.Select(s => s.OpportunityId).ToArray();
        var customers = states.Select(s => s.CustomerId).ToArray();
        var wonAts = states.Select(s => s.WonAt).ToArray();
        var ats = states.Select(s => s.At).ToArray();
        var eventIds = states.Select(s => s.EventId).ToArray();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync(
            $"""
            SELECT c.id FROM customers.customers c
            WHERE c.id IN (
                SELECT COALESCE(named.merged_into_id, named.id) FROM customers.customers named WHERE named.id = ANY({customers})
                UNION ALL
                SELECT w.customer_id FROM customers.won_deals w WHERE w.opportunity_id = ANY({opportunities}))
            ORDER BY c.id
            FOR UPDATE
            """,
            ct);

        var affected = await db.Database.SqlQuery<Guid>(
            $"""
            WITH incoming AS (
                SELECT DISTINCT ON (e.opportunity_id) e.*
                FROM unnest({opportunities}, {customers}, CAST({wonAts} AS timestamptz[]), {ats}, {eventIds})
                     AS e(opportunity_id, customer_id, won_at, state_at, state_event_id)
                ORDER BY e.opportunity_id, e.state_at DESC, e.state_event_id DESC
            ), prior AS (
                SELECT opportunity_id, customer_id FROM customers.won_deals WHERE opportunity_id = ANY({opportunities})
            ), applied AS (
                INSERT INTO customers.won_deals AS w (opportunity_id, customer_id, won_at, state_at, state_event_id)
                SELECT i.opportunity_id, COALESCE(named.merged_into_id, named.id), i.won_at, i.state_at, i.state_event_id
                FROM incoming i
                JOIN customers.customers named ON named.id = i.customer_id
                ON CONFLICT (opportunity_id) DO UPDATE
                SET customer_id = excluded.customer_id, won_at = excluded.won_at, state_at = excluded.state_at, state_event_id = excluded.state_event_id
                WHERE (excluded.state_at, excluded.state_event_id) > (w.state_at, w.state_event_id)
                RETURNING w.opportunity_id, w.customer_id)
            SELECT customer_id AS "Value" FROM applied
            UNION
            SELECT prior.customer_id FROM prior JOIN applied USING (opportunity_id)
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
