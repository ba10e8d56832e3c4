using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>A sales activity (call, meeting, visit, task, email) was completed with its outcome.</summary>
public sealed record ActivityCompleted : IntegrationEvent, ICustomerTimelineEvent
{
    public ActivityCompleted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The activity.</summary>
    public required Guid ActivityId { get; init; }

    /// <summary>call, meeting, visit, task or email.</summary>
    public required string Kind { get; init; }

    /// <summary>Its subject.</summary>
    public required string Subject { get; init; }

    /// <summary>What came of it.</summary>
    public string? Outcome { get; init; }

    /// <summary>The user who owns it.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The related customer, if any.</summary>
    public Guid? CustomerId { get; init; }

    /// <summary>The related opportunity, if any.</summary>
    public Guid? OpportunityId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => CustomerId is { } id ? [id] : [];

    string ICustomerTimelineEvent.TimelineKind => "activity";

    string ICustomerTimelineEvent.TimelineSummary => Outcome is null ? $"{Kind} completed: {Subject}" : $"{Kind} completed: {Subject} ({Outcome})";
}
