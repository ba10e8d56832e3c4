using Crm.SharedKernel.Data;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// Adds an <see cref="AuditEntry"/> for every created, updated or deleted <see cref="IAuditable"/> entity
/// of a module context just before EF saves, so the entries are inserted by the same SaveChanges, in the
/// same transaction, as the change: both commit or neither does. Set-based changes (ExecuteUpdate,
/// ExecuteDelete, COPY) never pass through here; modules record them with
/// <see cref="ModuleDbContext.AddAuditSummary{TEntity}"/>.
/// </summary>
/// <remarks>
/// One instance serves every pooled context, so it holds only singletons: the actor is read from the
/// ambient request through <see cref="ICurrentActor"/> at save time.
/// </remarks>
internal sealed class AuditSaveChangesInterceptor(ICurrentActor actor, TimeProvider time) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        AddEntries(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        AddEntries(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void AddEntries(DbContext? context)
    {
        // Only module contexts map the audit table; the platform's own tables are not business records.
        if (context is not ModuleDbContext)
        {
            return;
        }

        var tracker = context.ChangeTracker;
        var autoDetect = tracker.AutoDetectChangesEnabled;
        if (autoDetect)
        {
            // The interceptor runs before SaveChanges detects changes; without this, edits made through property
            // setters would still look unchanged here.
            tracker.DetectChanges();
        }

        tracker.AutoDetectChangesEnabled = false;
        try
        {
            var now = time.UtcNow();
            AuditActor? who = null;
            var captured = new List<AuditEntry>();
            foreach (var entry in tracker.Entries().ToList())
            {
                if (entry.Entity is AuditEntry { IsCaptured: true } && entry.State == EntityState.Added)
                {
                    // Left behind by a save that failed: the tracker still holds the change, so it is captured again below.
                    entry.State = EntityState.Detached;
                }
                else if (entry.Entity is AuditEntry { IsStamped: false } summary)
                {
                    summary.Stamp(now, who ??= AuditActor.From(actor));
                }
                else if (AuditCapture.Capture(entry) is { } audit)
                {
                    audit.Stamp(now, who ??= AuditActor.From(actor));
                    captured.Add(audit);
                }
            }

            context.Set<AuditEntry>().AddRange(captured);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = autoDetect;
        }
    }
}
