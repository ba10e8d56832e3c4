using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.SharedKernel.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Crm.Modules.Sales.Features;

/// <summary>The steps every sales import target ends a chunk with: the audit summaries, then the commit with the job's progress.</summary>
internal static class SalesImportChunk
{
    /// <summary>
    /// One audit summary per owner for <paramref name="action"/> instead of a row per record (ADR 0015). A summary gets
    /// its key when saved, so each is saved on its own (same transaction, a few owners per chunk).
    /// </summary>
    public static async Task AddAuditSummariesAsync<T>(SalesDbContext db, AuditAction action, IEnumerable<T> rows, Func<T, Guid?> owner, CancellationToken ct)
        where T : class, IAuditable
    {
        foreach (var group in rows.GroupBy(owner))
        {
            db.AddAuditSummary<T>(action, group.Count(), group.Key is null ? null : new Dictionary<string, object?> { ["ownerId"] = group.Key }, group.Key);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// Records the job's progress on the chunk's connection and commits; a dry run commits nothing (the transaction rolls
    /// back when disposed). Tracked entities are forgotten either way.
    /// </summary>
    public static async Task<ImportChunkResult> FinishAsync(
        SalesDbContext db, IDbContextTransaction transaction, ImportSettings settings, ImportChunkResult result, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        if (!settings.DryRun)
        {
            await beforeCommit(db.Database.GetDbConnection(), result, ct);
            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return result;
    }
}
