using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>One customer was transferred to another customer manager (客户经理).</summary>
public sealed record CustomerOwnerChanged : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerOwnerChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The previous owner (null when it came from the public pool).</summary>
    public Guid? FromOwnerId { get; init; }

    /// <summary>The new owner.</summary>
    public required Guid ToOwnerId { get; init; }

    /// <summary>The new owner's team.</summary>
    public Guid? ToTeamId { get; init; }

    /// <summary>Why it was transferred.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Ownership;

    string ICustomerTimelineEvent.TimelineSummary => FromOwnerId is null ? $"Taken from the public pool: {Reason}" : $"Transferred to another owner: {Reason}";
}

/// <summary>Many customers were transferred to one new owner in one bulk transfer.</summary>
public sealed record CustomersTransferred : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomersTransferred(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>Groups the history rows of this transfer.</summary>
    public required Guid TransferId { get; init; }

    /// <summary>Every customer that changed owner.</summary>
    public required IReadOnlyList<Guid> CustomerIds { get; init; }

    /// <summary>The new owner.</summary>
    public required Guid ToOwnerId { get; init; }

    /// <summary>The new owner's team.</summary>
    public Guid? ToTeamId { get; init; }

    /// <summary>Why they were transferred.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => CustomerIds;

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Ownership;

    string ICustomerTimelineEvent.TimelineSummary => $"Transferred to another owner in a bulk transfer: {Reason}";

    // Every entry would otherwise repeat all the ids of the transfer.
    object ICustomerTimelineEvent.TimelineData => new { TransferId, ToOwnerId, ToTeamId, Reason };
}
