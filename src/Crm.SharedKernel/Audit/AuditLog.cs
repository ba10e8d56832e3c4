using System.Linq.Expressions;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// Keyset-paginated reads of <c>platform.audit_entries</c>, newest first. Each filter combination has an
/// index that ends in (occurred_at, id), so any page costs the same as the first.
/// </summary>
internal sealed class AuditLog(PlatformDbContext db) : IAuditLog
{
    private static readonly Expression<Func<AuditEntry, AuditEntryItem>> Projection = e => new AuditEntryItem(
        e.Id,
        e.OccurredAt,
        e.Action,
        e.EntityType,
        e.EntityId,
        e.OwnerId,
        new AuditActorItem(e.ActorKind, e.ActorId, e.ActorName),
        e.RequestId,
        e.AffectedCount,
        AuditChanges.Parse(e.Changes));

    private static readonly SortOrder<AuditEntry, AuditEntryItem> NewestFirst =
        new SortDefinition<AuditEntry, AuditEntryItem>(e => e.Id, i => i.Id, "-occurredAt")
            .Add("occurredAt", e => e.OccurredAt, i => i.OccurredAt)
            .Parse(null);

    public Task<Page<AuditEntryItem>> ListAsync(AuditLogQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(page);
        if (query.EntityId is not null && string.IsNullOrEmpty(query.EntityType))
        {
            throw ValidationFailedException.For("entityType", "entityType is required with entityId.");
        }

        if (query.From is { } from && query.To is { } to && to <= from)
        {
            throw ValidationFailedException.For("to", "to must be later than from.");
        }

        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(query.EntityType))
        {
            entries = entries.Where(e => e.EntityType == query.EntityType);
        }

        if (query.EntityId is { } entityId)
        {
            entries = entries.Where(e => e.EntityId == entityId);
        }

        if (query.OwnerId is { } ownerId)
        {
            entries = entries.Where(e => e.OwnerId == ownerId);
        }

        if (query.VisibleOwners is { } owners)
        {
            var visible = owners.Select(o => (Guid?)o).ToList();
            entries = entries.Where(e => visible.Contains(e.OwnerId));
        }

        if (query.ActorId is { } actorId)
        {
            entries = entries.Where(e => e.ActorId == actorId);
        }

        if (query.From is { } fromTime)
        {
            entries = entries.Where(e => e.OccurredAt >= fromTime);
        }

        if (query.To is { } toTime)
        {
            entries = entries.Where(e => e.OccurredAt < toTime);
        }

        return entries.ToPageAsync(Projection, NewestFirst, page, ct);
    }
}
