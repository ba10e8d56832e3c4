using System.Text.Json;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// The one exception to "audit entries are never updated": a personal-data erasure (PIPL / GDPR) must remove
/// the erased values from the trail too, or the erasure would be undone by reading <c>GET /api/v1/audit</c>.
/// </summary>
public static class AuditRedaction
{
    /// <summary>
    /// Replaces every old and new value of the given fields with <c>"***"</c> (as <see cref="AuditRedactedAttribute"/>
    /// does at capture time) in all entries of the given records, in one statement, in the caller's transaction.
    /// The entries themselves stay: who changed what and when is kept, only the values go.
    /// </summary>
    /// <typeparam name="TEntity">The audited record type (its <see cref="AuditEntityTypeAttribute"/> names the entries).</typeparam>
    /// <param name="db">The module context whose transaction the statement joins.</param>
    /// <param name="entityIds">The records whose entries are redacted.</param>
    /// <param name="properties">The CLR property names (camelCased like the captured field names).</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>How many entries held at least one of the fields.</returns>
    public static Task<int> RedactAuditValuesAsync<TEntity>(this ModuleDbContext db, IReadOnlyCollection<Guid> entityIds, IReadOnlyCollection<string> properties, CancellationToken ct)
        where TEntity : class, IAuditable
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentNullException.ThrowIfNull(properties);
        var entityType = AuditMetadata.EntityTypeOf(typeof(TEntity));
        var ids = entityIds.ToArray();
        var fields = properties.Select(JsonNamingPolicy.CamelCase.ConvertName).ToArray();
        var redacted = AuditChanges.Redacted;

        // Served by ix_audit_entries_entity (entity_type, entity_id, ...); each field keeps its old/new shape.
        return db.Database.ExecuteSqlAsync(
            $$"""
            UPDATE platform.audit_entries AS e
            SET changes = (
                SELECT coalesce(jsonb_object_agg(f.key, CASE WHEN f.key = ANY({{fields}})
                    THEN coalesce((SELECT jsonb_object_agg(side.key, to_jsonb({{redacted}}::text)) FROM jsonb_each(f.value) AS side), '{}'::jsonb)
                    ELSE f.value END), '{}'::jsonb)
                FROM jsonb_each(e.changes) AS f)
            WHERE e.entity_type = {{entityType}} AND e.entity_id = ANY({{ids}}) AND e.changes ?| {{fields}}
            """,
            ct);
    }
}
