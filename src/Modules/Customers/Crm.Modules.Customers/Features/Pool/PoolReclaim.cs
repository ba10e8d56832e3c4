using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary><c>Customers:Pool</c> settings.</summary>
internal sealed class PoolOptions
{
    public const string Section = "Customers:Pool";

    /// <summary>Run the automatic reclaim in the background (off in tests, which call <see cref="PoolReclaimer"/> directly).</summary>
    public bool ReclaimEnabled { get; set; } = true;

    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// One reclaim run: every owned, active customer goes to the pool when its tier's rule (a tier's own rule replaces the
/// default) says so:
/// <list type="bullet">
/// <item><c>reclaimAfterDaysWithoutFollowUp</c>: its newest follow-up is older, and so are the moment its current owner
/// got it and its creation: a rep who just claimed a long-unattended customer gets the whole period to follow it up;</item>
/// <item><c>reclaimAfterDaysWithoutWonDeal</c>: its newest won deal is older, and so are the moment its current owner
/// got it and its creation: a rep who just took a customer over gets the whole period to win a deal.</item>
/// </list>
/// Set-based and idempotent; a transaction-level advisory lock makes concurrent runs on other instances skip instead of
/// doubling up.
/// </summary>
internal sealed class PoolReclaimer(CustomersDbContext db, TimeProvider time)
{
    public const string Reason = "reclaimed: " + CustomersReclaimed.FollowUpReason;
    public const string WonDealReason = "reclaimed: " + CustomersReclaimed.WonDealReason;
    private const long LockKey = 0x637573_706f6f6c; // "cus" "pool"

    /// <summary>Returns how many customers went to the pool, or null when another instance holds the lock.</summary>
    public async Task<int?> RunAsync(CancellationToken ct)
    {
        var now = time.UtcNow();
        var transferId = Guid.CreateVersion7(now);
        var active = nameof(CustomerStatus.Active);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct);
        if (!locked)
        {
            return null;
        }

        // One statement: pick the stale customers under row locks, clear their owner (UPDATE ... RETURNING) and
        // write one history row each from the returned old owners. A customer stale under both rules is reclaimed
        // for the follow-up one. Both rules count from the latest of their own date, "owned since" and creation
        // (GREATEST skips NULLs). "Owned since" is the newest owner-history row that gave the customer to its current
        // owner (claim, assignment, transfer; the (customer_id, id) index finds it); customers created with their owner
        // have none and count from creation.
        var reclaimed = await db.Database.SqlQuery<ReclaimedCustomer>(
            $"""
            WITH stale AS (
                SELECT c.id, c.owner_id,
                       CASE WHEN GREATEST(c.last_follow_up_at, owned.at, c.created_at)
                                 < {now} - make_interval(days => COALESCE(r.reclaim_after_days_without_follow_up, d.reclaim_after_days_without_follow_up))
                            THEN {Reason} ELSE {WonDealReason} END AS reason
                FROM customers.customers c
                LEFT JOIN customers.pool_rules r ON r.tier = c.tier
                LEFT JOIN customers.pool_rules d ON d.tier IS NULL AND r.id IS NULL
                LEFT JOIN LATERAL (
                    SELECT h.at FROM customers.customer_owner_history h
                    WHERE h.customer_id = c.id AND h.to_owner_id = c.owner_id
                    ORDER BY h.id DESC LIMIT 1) owned ON TRUE
                WHERE c.owner_id IS NOT NULL AND c.status = {active} AND (r.id IS NOT NULL OR d.id IS NOT NULL)
                  AND (GREATEST(c.last_follow_up_at, owned.at, c.created_at)
                           < {now} - make_interval(days => COALESCE(r.reclaim_after_days_without_follow_up, d.reclaim_after_days_without_follow_up))
                       OR GREATEST(c.last_won_at, owned.at, c.created_at)
                           < {now} - make_interval(days => COALESCE(r.reclaim_after_days_without_won_deal, d.reclaim_after_days_without_won_deal)))
                FOR UPDATE OF c
            ), moved AS (
                UPDATE customers.customers c SET owner_id = NULL, team_id = NULL, updated_at = {now}
                FROM stale s WHERE c.id = s.id
                RETURNING c.id, s.owner_id AS from_owner_id, s.reason
            )
            INSERT INTO customers.customer_owner_history (customer_id, from_owner_id, to_owner_id, reason, actor_id, at, transfer_id)
            SELECT m.id, m.from_owner_id, NULL, m.reason, NULL, {now}, {transferId} FROM moved m
            RETURNING customer_id, reason
            """).ToListAsync(ct);

        if (reclaimed.Count > 0)
        {
            var ids = reclaimed.Select(r => r.CustomerId).ToList();
            await db.Contacts.Where(c => ids.Contains(c.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, (Guid?)null), ct);
            // One audit summary and one event per rule; saved per rule, because an audit entry gets its id when saved.
            foreach (var group in reclaimed.GroupBy(r => r.Reason))
            {
                db.AddAuditSummary<Customer>(AuditAction.Updated, group.Count(), new Dictionary<string, object?> { ["ownerId"] = null, ["teamId"] = null, ["transferReason"] = group.Key });
                db.AddIntegrationEvent(new CustomersReclaimed(now)
                {
                    TransferId = transferId,
                    CustomerIds = [.. group.Select(r => r.CustomerId)],
                    Reason = group.Key == Reason ? CustomersReclaimed.FollowUpReason : CustomersReclaimed.WonDealReason,
                });
                await db.SaveChangesAsync(ct);
            }
        }

        await transaction.CommitAsync(ct);
        return reclaimed.Count;
    }

    /// <summary>One customer the run moved to the pool, with the history reason of the rule that moved it.</summary>
    private sealed record ReclaimedCustomer(Guid CustomerId, string Reason);
}

/// <summary>Runs <see cref="PoolReclaimer"/> every <c>Customers:Pool:ReclaimInterval</c> (default one hour).</summary>
internal sealed partial class PoolReclaimService(IServiceScopeFactory scopes, IOptions<PoolOptions> options, TimeProvider time, ILogger<PoolReclaimService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReclaimInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var moved = await scope.ServiceProvider.GetRequiredService<PoolReclaimer>().RunAsync(stoppingToken);
                    LogReclaimed(logger, moved ?? 0);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReclaimFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: an interrupted run rolls back and the next one redoes it.
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Pool reclaim moved {Count} customers to the public pool")]
    private static partial void LogReclaimed(ILogger logger, int count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Pool reclaim failed; retrying on the next tick")]
    private static partial void LogReclaimFailed(ILogger logger, Exception exception);
}
