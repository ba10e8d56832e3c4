namespace Crm.SharedKernel.Audit;

/// <summary>
/// A row of <c>platform.audit_entries</c>. Written only by inserts (in the transaction of the change it
/// records) and never updated.
/// </summary>
internal sealed class AuditEntry
{
    public const int MaxEntityTypeLength = 100;
    public const int MaxActorKindLength = 20;
    public const int MaxActorNameLength = 200;
    public const int MaxRequestIdLength = 100;

    private AuditEntry()
    {
    }

    public Guid Id { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public AuditAction Action { get; private set; }

    public string EntityType { get; private set; } = string.Empty;

    /// <summary>Null for a bulk summary.</summary>
    public Guid? EntityId { get; private set; }

    public Guid? OwnerId { get; private set; }

    public string ActorKind { get; private set; } = string.Empty;

    public Guid? ActorId { get; private set; }

    public string? ActorName { get; private set; }

    public string? RequestId { get; private set; }

    /// <summary>Only for a bulk summary: how many rows the change touched.</summary>
    public int? AffectedCount { get; private set; }

    /// <summary>jsonb: <c>{ "field": { "old": ..., "new": ... } }</c>.</summary>
    public string Changes { get; private set; } = "{}";

    /// <summary>
    /// True when the interceptor derived the entry from the change tracker (not mapped): such an entry left
    /// behind by a failed save is discarded and captured again from the tracker's state on the next save.
    /// </summary>
    internal bool IsCaptured { get; private set; }

    /// <summary>False until the interceptor has set time and actor (summaries are created without them).</summary>
    internal bool IsStamped => ActorKind.Length > 0;

    public static AuditEntry Captured(AuditAction action, string entityType, Guid entityId, Guid? ownerId, string changes) => new()
    {
        Action = action,
        EntityType = entityType,
        EntityId = entityId,
        OwnerId = ownerId,
        Changes = changes,
        IsCaptured = true,
    };

    /// <summary>
    /// A summary is tracked from the moment it is added, before the save stamps it: it gets a key of its own at once, so
    /// several summaries can wait for the same save (a job that moves records to two statuses adds one for each).
    /// </summary>
    public static AuditEntry Summary(AuditAction action, string entityType, int affectedCount, Guid? ownerId, string changes) => new()
    {
        Id = Guid.CreateVersion7(),
        Action = action,
        EntityType = entityType,
        AffectedCount = affectedCount,
        OwnerId = ownerId,
        Changes = changes,
    };

    /// <summary>Sets when and by whom, once, at the start of the save that writes the entry.</summary>
    public void Stamp(DateTimeOffset now, AuditActor actor)
    {
        Id = Guid.CreateVersion7(now);
        OccurredAt = now;
        ActorKind = actor.Kind;
        ActorId = actor.Id;
        ActorName = actor.Name;
        RequestId = actor.RequestId;
    }
}

/// <summary>The actor of one save, read once from <see cref="Security.ICurrentActor"/> and cut to the column sizes.</summary>
internal sealed record AuditActor(string Kind, Guid? Id, string? Name, string? RequestId)
{
    public static AuditActor From(Security.ICurrentActor actor) => new(
        Truncate(actor.Kind, AuditEntry.MaxActorKindLength)!,
        actor.Id,
        Truncate(actor.DisplayName, AuditEntry.MaxActorNameLength),
        Truncate(actor.RequestId, AuditEntry.MaxRequestIdLength));

    // An over-long display name must never fail the business change it is recorded with.
    private static string? Truncate(string? value, int length) => value is { } text && text.Length > length ? text[..length] : value;
}
