using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>A customer was added to the archive (客户档案), by hand, by API or by import.</summary>
public sealed record CustomerCreated : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerCreated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The new customer's id.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its generated, human-readable code (e.g. <c>C00000042</c>).</summary>
    public required string Code { get; init; }

    /// <summary>Its name at creation.</summary>
    public required string Name { get; init; }

    /// <summary><c>organization</c> or <c>individual</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The customer manager (客户经理) it was assigned to.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The owner's team at creation.</summary>
    public Guid? TeamId { get; init; }

    /// <summary>The ERP id, when one was given.</summary>
    public string? ExternalId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Created;

    string ICustomerTimelineEvent.TimelineSummary => $"Customer {Code} created: {Name}";
}
