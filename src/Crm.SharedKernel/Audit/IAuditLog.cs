using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.SharedKernel.Paging;

namespace Crm.SharedKernel.Audit;

/// <summary>Reads the audit trail. Authorization (who may see which entries) is the caller's job.</summary>
public interface IAuditLog
{
    /// <summary>
    /// One page of entries matching <paramref name="query"/>, newest first. Throws a validation error
    /// (400) on <c>entityType</c> when an entity id is given without its type, and on <c>to</c> when the
    /// range is empty.
    /// </summary>
    Task<Page<AuditEntryItem>> ListAsync(AuditLogQuery query, PageRequest page, CancellationToken ct);
}

/// <summary>Filters of an audit trail read; every one is optional and they combine with AND.</summary>
/// <param name="EntityType">The record type, e.g. <c>customer</c>.</param>
/// <param name="EntityId">One record's id; needs <paramref name="EntityType"/>.</param>
/// <param name="OwnerId">Entries of records that belonged to this user when they changed.</param>
/// <param name="ActorId">Entries of changes made by this user or API key.</param>
/// <param name="From">Changes at or after this instant.</param>
/// <param name="To">Changes before this instant.</param>
/// <param name="VisibleOwners">
/// When set, only entries of records owned (when they changed) by one of these users: how record
/// visibility applies to the trail. Null means no restriction.
/// </param>
public sealed record AuditLogQuery(
    string? EntityType = null,
    Guid? EntityId = null,
    Guid? OwnerId = null,
    Guid? ActorId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    IReadOnlyCollection<Guid>? VisibleOwners = null);

/// <summary>What happened to the record.</summary>
public enum AuditAction
{
    Created,
    Updated,
    Deleted,
}

/// <summary>One recorded change of a business record, or one summary of a bulk change.</summary>
/// <param name="Id">The entry's id (uuid v7).</param>
/// <param name="OccurredAt">When the change was saved (UTC).</param>
/// <param name="Action"><c>created</c>, <c>updated</c> or <c>deleted</c>.</param>
/// <param name="EntityType">The record type, e.g. <c>customer</c>.</param>
/// <param name="EntityId">The record's id; null for a bulk summary.</param>
/// <param name="OwnerId">The record's owner when it changed, when the record has one.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="RequestId">The request's trace id, the same as <c>traceId</c> in problem documents and logs.</param>
/// <param name="AffectedCount">For a bulk summary, how many records the change touched; null for a single record.</param>
/// <param name="Changes">
/// Changed fields by camelCase name. A created record has only new values, a deleted one only old values;
/// an update lists only the fields whose value changed. Sensitive fields show <c>"***"</c>.
/// </param>
public sealed record AuditEntryItem(
    Guid Id,
    DateTimeOffset OccurredAt,
    AuditAction Action,
    string EntityType,
    Guid? EntityId,
    Guid? OwnerId,
    AuditActorItem Actor,
    string? RequestId,
    int? AffectedCount,
    IReadOnlyDictionary<string, AuditFieldChange> Changes);

/// <summary>Who made a change.</summary>
/// <param name="Kind"><c>user</c>, <c>apiKey</c>, <c>anonymous</c> or <c>system</c> (background work, no request).</param>
/// <param name="Id">The user id or API key id; null for anonymous and system.</param>
/// <param name="Name">The display name the actor had at the time.</param>
public sealed record AuditActorItem(string Kind, Guid? Id, string? Name);

/// <summary>The old and new value of one field; a side that does not apply (old on create, new on delete) is absent.</summary>
/// <param name="Old">The value before the change (JSON <c>null</c> when the field was empty).</param>
/// <param name="New">The value after the change (JSON <c>null</c> when the field was cleared).</param>
public sealed record AuditFieldChange(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Old,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? New);
