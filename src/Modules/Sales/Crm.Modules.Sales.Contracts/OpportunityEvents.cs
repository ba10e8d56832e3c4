using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>An opportunity (商业机会) was opened for a customer.</summary>
public sealed record OpportunityCreated : IntegrationEvent
{
    public OpportunityCreated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The new opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The pipeline it runs in.</summary>
    public required Guid PipelineId { get; init; }

    /// <summary>The stage it starts in.</summary>
    public required Guid StageId { get; init; }

    /// <summary>Its amount at creation.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>Its owner.</summary>
    public Guid? OwnerId { get; init; }
}

/// <summary>An opportunity moved from one stage of its pipeline to another (including into and out of the closing stages).</summary>
public sealed record OpportunityStageChanged : IntegrationEvent
{
    public OpportunityStageChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The stage it left.</summary>
    public required Guid FromStageId { get; init; }

    /// <summary>The stage it entered.</summary>
    public required Guid ToStageId { get; init; }

    /// <summary>The code of the stage it entered.</summary>
    public required string ToStageCode { get; init; }

    /// <summary>open, won or lost after the move.</summary>
    public required string Status { get; init; }
}

/// <summary>An opportunity was won (赢单): it reached its pipeline's won stage. Lands on the customer's timeline.</summary>
public sealed record OpportunityWon : IntegrationEvent, ICustomerTimelineEvent
{
    public OpportunityWon(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The amount won.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>Its owner.</summary>
    public Guid? OwnerId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "opportunityWon";

    string ICustomerTimelineEvent.TimelineSummary => FormattableString.Invariant($"Opportunity won: {Name}, {Amount:N2} {Currency}");
}

/// <summary>An opportunity was lost (输单): it reached its pipeline's lost stage. Lands on the customer's timeline.</summary>
public sealed record OpportunityLost : IntegrationEvent, ICustomerTimelineEvent
{
    public OpportunityLost(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Why it was lost.</summary>
    public string? Reason { get; init; }

    /// <summary>The competitor (竞争对手) it was lost to, when known.</summary>
    public Guid? CompetitorId { get; init; }

    /// <summary>The amount that was at stake.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>Its owner.</summary>
    public Guid? OwnerId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "opportunityLost";

    string ICustomerTimelineEvent.TimelineSummary => Reason is null
        ? FormattableString.Invariant($"Opportunity lost: {Name}, {Amount:N2} {Currency}")
        : FormattableString.Invariant($"Opportunity lost: {Name}, {Amount:N2} {Currency} ({Reason})");
}

/// <summary>
/// An open opportunity was given to another owner (a manager or administrator reassigned it, by PATCH or with the bulk
/// reassignment: one event per opportunity). Lands on the customer's timeline.
/// </summary>
public sealed record OpportunityOwnerChanged : IntegrationEvent, ICustomerTimelineEvent
{
    public OpportunityOwnerChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The owner before; null when it had none.</summary>
    public Guid? FromOwnerId { get; init; }

    /// <summary>The new owner.</summary>
    public required Guid ToOwnerId { get; init; }

    /// <summary>The new owner's team (the opportunity's team from now on).</summary>
    public Guid? ToTeamId { get; init; }

    /// <summary>Who reassigned it.</summary>
    public Guid? ChangedBy { get; init; }

    /// <summary>Why, when it was given by a bulk reassignment (required there); null for a PATCH.</summary>
    public string? Reason { get; init; }

    /// <summary>Its amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO currency of the amount.</summary>
    public required string Currency { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "opportunityOwnerChanged";

    string ICustomerTimelineEvent.TimelineSummary => Reason is null
        ? FormattableString.Invariant($"Opportunity handed over: {Name}, {Amount:N2} {Currency}")
        : FormattableString.Invariant($"Opportunity handed over: {Name}, {Amount:N2} {Currency} ({Reason})");
}

/// <summary>
/// A won or lost opportunity was reopened (moved back into an open stage): the outcome its <see cref="OpportunityWon"/> or
/// <see cref="OpportunityLost"/> announced no longer stands. Lands on the customer's timeline.
/// </summary>
public sealed record OpportunityReopened : IntegrationEvent, ICustomerTimelineEvent
{
    public OpportunityReopened(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The opportunity.</summary>
    public required Guid OpportunityId { get; init; }

    /// <summary>Its customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>won or lost: the outcome that was undone.</summary>
    public required string FromStatus { get; init; }

    /// <summary>The open stage it reopened in.</summary>
    public required Guid StageId { get; init; }

    /// <summary>The code of that stage.</summary>
    public required string StageCode { get; init; }

    /// <summary>Its amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>Its owner.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>Who reopened it.</summary>
    public Guid? ReopenedBy { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "opportunityReopened";

    string ICustomerTimelineEvent.TimelineSummary => FormattableString.Invariant($"Opportunity reopened ({FromStatus} before): {Name}, {Amount:N2} {Currency}");
}
