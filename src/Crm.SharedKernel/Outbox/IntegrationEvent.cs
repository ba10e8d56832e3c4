namespace Crm.SharedKernel.Outbox;

/// <summary>
/// A fact one module publishes for others (e.g. <c>CustomerMerged</c>). Lives in the publishing module's
/// <c>.Contracts</c>, is written to its outbox in the same transaction as the change, and is delivered
/// at least once to every consumer; consumers are idempotent on <see cref="EventId"/>.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>Unique id of this occurrence (uuid v7, so ids sort by time).</summary>
    Guid EventId { get; }

    /// <summary>When the change happened (UTC).</summary>
    DateTimeOffset OccurredAt { get; }
}

/// <summary>Convenience base record for integration events.</summary>
public abstract record IntegrationEvent : IIntegrationEvent
{
    protected IntegrationEvent(DateTimeOffset occurredAt) => OccurredAt = occurredAt;

    /// <inheritdoc />
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <inheritdoc />
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Consumes one integration event type. Implementations must be idempotent.</summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : IIntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, CancellationToken ct);
}

/// <summary>
/// Consumes one integration event type several events at a time: the dispatcher hands it every claimed event of the
/// type in one call, so a projection can write a whole batch in one statement (a 1,000,000-row import's events are
/// then a few thousand statements, not a million). Implementations must be idempotent per event. When a batch fails,
/// the dispatcher retries its events one by one, so one bad event does not hold up the rest.
/// </summary>
public interface IIntegrationEventBatchHandler<in TEvent>
    where TEvent : IIntegrationEvent
{
    Task HandleAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken ct);
}
