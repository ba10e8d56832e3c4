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
/// One reclaim run: every owned, active customer whose newest follow-up (or creation, when never followed up)
/// is older than its tier's <c>reclaimAfterDaysWithoutFollowUp</c> goes to the pool. Set-based and idempotent;
/// a transaction-level advisory lock makes concurrent runs on other instances skip instead of doubling up.
/// </summary>
internal sealed class PoolReclaimer(CustomersDbContext db, TimeProvider time)
{
    public const string Reason = "reclaimed: no follow-up within the pool rule";
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
        // write one history row each from the returned old owners. A tier's own rule replaces the default.
        var ids = await db.Database.SqlQuery<Guid>(
            $"""
            WITH stale AS (
                SELECT c.id, c.owner_id
                FROM customers.customers c
                LEFT JOIN customers.pool_rules r ON r.tier = c.tier
                LEFT JOIN customers.pool_rules d ON d.tier IS NULL
                WHERE c.owner_id IS NOT NULL AND c.status = {active}
                  AND COALESCE(c.last_follow_up_at, c.created_at)
                      < {now} - make_interval(days => CASE WHEN r.id IS NOT NULL THEN r.reclaim_after_days_without_follow_up ELSE d.reclaim_after_days_without_follow_up END)
                FOR UPDATE OF c
            ), moved AS (
                UPDATE customers.customers c SET owner_id = NULL, team_id = NULL, updated_at = {now}
                FROM stale s WHERE c.id = s.id
                RETURNING c.id, s.owner_id AS from_owner_id
            )
            INSERT INTO customers.customer_owner_history (customer_id, from_owner_id, to_owner_id, reason, actor_id, at, transfer_id)
            SELECT m.id, m.from_owner_id, NULL, {Reason}, NULL, {now}, {transferId} FROM moved m
            RETURNING customer_id AS "Value"
            """).ToListAsync(ct);

        if (ids.Count > 0)
        {
            await db.Contacts.Where(c => ids.Contains(c.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, (Guid?)null), ct);
            db.AddAuditSummary<Customer>(AuditAction.Updated, ids.Count, new Dictionary<string, object?> { ["ownerId"] = null, ["teamId"] = null, ["transferReason"] = Reason });
            db.AddIntegrationEvent(new CustomersReclaimed(now) { TransferId = transferId, CustomerIds = ids });
            await db.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return ids.Count;
    }
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
