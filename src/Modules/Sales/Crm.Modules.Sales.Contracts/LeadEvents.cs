using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>
/// A lead (线索) was converted: it became, or was linked to, a customer, possibly with a contact and an
/// opportunity. Lands on the customer's 360° timeline (kind <c>leadConverted</c>).
/// </summary>
public sealed record LeadConverted : IntegrationEvent, ICustomerTimelineEvent
{
    public LeadConverted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The lead.</summary>
    public required Guid LeadId { get; init; }

    /// <summary>The customer it became or was linked to.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>True when the conversion created the customer, false when it linked an existing one.</summary>
    public required bool CustomerCreated { get; init; }

    /// <summary>The contact the conversion created, if any.</summary>
    public Guid? ContactId { get; init; }

    /// <summary>The opportunity the conversion opened, if any.</summary>
    public Guid? OpportunityId { get; init; }

    /// <summary>The lead's company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>The lead's person name.</summary>
    public string? PersonName { get; init; }

    /// <summary>Where the lead came from.</summary>
    public string? Source { get; init; }

    /// <summary>The marketing campaign that produced the lead (campaign ROI counts conversions by it).</summary>
    public Guid? CampaignId { get; init; }

    /// <summary>The partner who brought the lead.</summary>
    public Guid? PartnerId { get; init; }

    /// <summary>The lead's owner at conversion, who also owns what it became.</summary>
    public Guid? OwnerId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "leadConverted";

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Lead converted: {string.Join(" / ", new[] { CompanyName, PersonName }.Where(n => !string.IsNullOrEmpty(n)))}"
        + (CustomerCreated ? " (new customer)" : " (existing customer)")
        + (OpportunityId is null ? string.Empty : ", opportunity opened");
}

/// <summary>A lead was added, by the API or by an import; <see cref="OwnerId"/> is whoever it was given to (by name or by the assignment rules), null while unassigned.</summary>
public sealed record LeadCreated : IntegrationEvent
{
    public LeadCreated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The lead.</summary>
    public required Guid LeadId { get; init; }

    /// <summary>Its company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>Its person name.</summary>
    public string? PersonName { get; init; }

    /// <summary>Where it came from.</summary>
    public string? Source { get; init; }

    /// <summary>The marketing campaign that produced it.</summary>
    public Guid? CampaignId { get; init; }

    /// <summary>The partner who brought it.</summary>
    public Guid? PartnerId { get; init; }

    /// <summary>Its owner; null while unassigned.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The owner's team.</summary>
    public Guid? TeamId { get; init; }
}

/// <summary>An existing lead got another owner: taken, assigned by a manager, or moved by a bulk reassign (one event per lead).</summary>
public sealed record LeadAssigned : IntegrationEvent
{
    public LeadAssigned(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The lead.</summary>
    public required Guid LeadId { get; init; }

    /// <summary>The owner before; null when it was unassigned.</summary>
    public Guid? FromOwnerId { get; init; }

    /// <summary>The new owner.</summary>
    public required Guid ToOwnerId { get; init; }

    /// <summary>The new owner's team.</summary>
    public Guid? TeamId { get; init; }
}

/// <summary>An open lead was disqualified (无效线索) with a reason: it is closed without becoming a customer.</summary>
public sealed record LeadDisqualified : IntegrationEvent
{
    public LeadDisqualified(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The lead.</summary>
    public required Guid LeadId { get; init; }

    /// <summary>Why it was disqualified.</summary>
    public required string Reason { get; init; }

    /// <summary>Its company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>Its person name.</summary>
    public string? PersonName { get; init; }

    /// <summary>Where it came from.</summary>
    public string? Source { get; init; }

    /// <summary>The marketing campaign that produced it (campaign ROI counts the leads it lost by it).</summary>
    public Guid? CampaignId { get; init; }

    /// <summary>The partner who brought it.</summary>
    public Guid? PartnerId { get; init; }

    /// <summary>Its owner; null when it was unassigned.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The owner's team.</summary>
    public Guid? TeamId { get; init; }
}
