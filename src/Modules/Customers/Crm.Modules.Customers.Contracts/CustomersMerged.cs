using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// One customer (the loser) was merged into another (the survivor): its contacts, follow-ups and owner history now
/// belong to the survivor, and the loser only redirects to it. Modules holding customer ids re-point every
/// reference to <see cref="LoserId"/> (and to <see cref="EarlierLoserIds"/>, already re-pointed once) to <see cref="SurvivorId"/>.
/// </summary>
public sealed record CustomersMerged : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomersMerged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer that remains.</summary>
    public required Guid SurvivorId { get; init; }

    /// <summary>The customer merged away (status <c>merged</c>, redirecting to the survivor).</summary>
    public required Guid LoserId { get; init; }

    /// <summary>The loser's code, for people reading logs or timelines.</summary>
    public required string LoserCode { get; init; }

    /// <summary>Customers merged into the loser before: they now redirect to the survivor too.</summary>
    public required IReadOnlyList<Guid> EarlierLoserIds { get; init; }

    /// <summary>The survivor's owner after the merge.</summary>
    public Guid? SurvivorOwnerId { get; init; }

    /// <summary>Why they were merged.</summary>
    public required string Reason { get; init; }

    /// <summary>Who merged them.</summary>
    public Guid? ActorId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [SurvivorId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Merge;

    string ICustomerTimelineEvent.TimelineSummary => $"Customer {LoserCode} merged into this one: {Reason}";
}
