using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>One customer was released to the public pool (公海) by its owner, their manager or an administrator.</summary>
public sealed record CustomerReleased : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerReleased(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The owner it had.</summary>
    public Guid? FromOwnerId { get; init; }

    /// <summary>Why it was released.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Ownership;

    string ICustomerTimelineEvent.TimelineSummary => $"Released to the public pool: {Reason}";
}

/// <summary>
/// The automatic reclaim moved customers to the public pool (公海): without a recent follow-up, or without a won deal
/// for too long (one event per reason and run).
/// </summary>
public sealed record CustomersReclaimed : IntegrationEvent, ICustomerTimelineEvent
{
    /// <summary>The reason of the follow-up rule.</summary>
    public const string FollowUpReason = "no follow-up within the pool rule";

    /// <summary>The reason of the won-deal rule.</summary>
    public const string WonDealReason = "no won deal within the pool rule";

    public CustomersReclaimed(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>Groups the history rows of this run.</summary>
    public required Guid TransferId { get; init; }

    /// <summary>Every customer that went to the pool.</summary>
    public required IReadOnlyList<Guid> CustomerIds { get; init; }

    /// <summary>
    /// Which pool rule reclaimed them. Events written before the won-deal rule existed have none and were all
    /// reclaimed for lack of follow-up, hence the default.
    /// </summary>
    public string Reason { get; init; } = FollowUpReason;

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => CustomerIds;

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Ownership;

    string ICustomerTimelineEvent.TimelineSummary => $"Reclaimed to the public pool: {Reason}";

    object ICustomerTimelineEvent.TimelineData => new { TransferId };
}
